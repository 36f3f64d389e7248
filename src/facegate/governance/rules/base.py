"""Rule, Finding and Evaluation: the rule catalog is data; a rule's check is a pure function."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

_RULE_ID = re.compile(r"^FG(R?)-(\d{2})-(\d{2})$")


class Severity(str, Enum):
    BLOCKING = "blocking"  # the deployment may not go live (DeploymentStatus.BLOCKED)
    WARNING = "warning"    # likely non-compliant or risky; needs a decision on record
    ADVICE = "advice"      # good practice the Measures encourage

    @property
    def rank(self) -> int:
        return {"blocking": 0, "warning": 1, "advice": 2}[self.value]


@dataclass(frozen=True)
class Hit:
    """Where a rule fired: a manifest path (e.g. ``storage.internet_transmission``) and detail."""

    path: str
    detail: str = ""


@dataclass(frozen=True)
class Rule:
    """One catalog entry. ``check`` returns hits; the texts are fixed so reports can print them."""

    id: str
    requirement_ids: tuple[str, ...]
    severity: Severity
    title: str
    message_zh: str
    message_en: str
    remedy_zh: str
    remedy_en: str
    check: Callable[..., Iterable[Hit]] = field(compare=False, repr=False)

    @property
    def article(self) -> int:
        m = _RULE_ID.match(self.id)
        assert m, self.id
        return int(m.group(2))

    @property
    def is_runtime(self) -> bool:
        return self.id.startswith("FGR-")

    def findings(self, *args: Any) -> list[Finding]:
        return [Finding.of(self, hit) for hit in self.check(*args)]

    def findings_for(self, *hits: Hit) -> list[Finding]:
        """Findings of this rule at hits found elsewhere (a stateful check over stored versions)."""
        return [Finding.of(self, hit) for hit in hits]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    article: int
    requirement_ids: tuple[str, ...]
    severity: Severity
    message_zh: str
    message_en: str
    remedy_zh: str
    remedy_en: str
    path: str = ""
    detail: str = ""

    @classmethod
    def of(cls, rule: Rule, hit: Hit) -> Finding:
        return cls(rule.id, rule.article, rule.requirement_ids, rule.severity, rule.message_zh,
                   rule.message_en, rule.remedy_zh, rule.remedy_en, hit.path, hit.detail)

    @property
    def is_blocking(self) -> bool:
        return self.severity is Severity.BLOCKING

    def to_dict(self) -> dict[str, object]:
        return {"rule_id": self.rule_id, "article": self.article,
                "requirement_ids": list(self.requirement_ids), "severity": self.severity.value,
                "message_zh": self.message_zh, "message_en": self.message_en,
                "remedy_zh": self.remedy_zh, "remedy_en": self.remedy_en,
                "path": self.path, "detail": self.detail}


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.article, f.severity.rank, f.rule_id, f.path)))


@dataclass(frozen=True)
class Evaluation:
    findings: tuple[Finding, ...]

    @property
    def has_blocking(self) -> bool:
        return any(f.is_blocking for f in self.findings)

    @property
    def verdict(self) -> str:
        return "blocked" if self.has_blocking else "pass"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule_id for f in self.findings))

    def of_severity(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is severity)

    def by_article(self) -> dict[int, tuple[Finding, ...]]:
        out: dict[int, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.article, []).append(f)
        return {k: tuple(v) for k, v in sorted(out.items())}

    def counts(self) -> dict[str, int]:
        return {s.value: len(self.of_severity(s)) for s in Severity}


class RuleGroup:
    """Collects the rules of one module: ``@group.rule(...)`` turns a check into a Rule."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def rule(self, rule_id: str, requirement_ids: tuple[str, ...], severity: Severity, *,
             title: str, message_zh: str, message_en: str, remedy_zh: str, remedy_en: str,
             ) -> Callable[[Callable[..., Iterable[Hit]]], Rule]:
        if not _RULE_ID.match(rule_id):
            raise ValueError(f"bad rule id {rule_id!r}")

        def wrap(check: Callable[..., Iterable[Hit]]) -> Rule:
            r = Rule(rule_id, requirement_ids, severity, title, message_zh, message_en,
                     remedy_zh, remedy_en, check)
            self.rules.append(r)
            return r
        return wrap


_PLACEHOLDERS = {"tbd", "todo", "n/a", "na", "none", "-", "—", "无", "待定", "略", "暂无", "xxx"}
# Words that fill a justification field without saying anything (lorem ipsum, "see the PIA",
# "as required", 详见/同上...). A justification made only of these is filler.
_FILLER = re.compile(
    r"lorem|ipsum|dolor|placeholder|to be (?:completed|confirmed|determined|added)|"
    r"see (?:the )?(?:pia|assessment|attachment|above|below|document)|as (?:required|needed|appropriate)|"
    r"same as above|待补充|待完善|待确认|详见|见附件|同上|如上|按需|示例|占位|xx+|…|\.\.\.", re.IGNORECASE)


def is_thin(text: str, *, min_zh: int = 6, min_en: int = 20) -> bool:
    """A justification that is a placeholder, filler or too short to say anything.

    Filler is text whose substance, once placeholder phrases, digits, punctuation and
    repeated words are taken out, is below the length that could carry a reason.
    """
    t = text.strip()
    if t.lower() in _PLACEHOLDERS:
        return True
    has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in t)
    if len(t) < (min_zh if has_cjk else min_en) or "lorem ipsum" in t.lower():
        return True
    rest = _FILLER.sub(" ", t)
    if has_cjk:
        # Distinct Chinese characters: "重要重要重要重要" says one thing however long.
        return len({ch for ch in rest if "\u4e00" <= ch <= "\u9fff"}) < min_zh
    words = re.findall(r"[a-z]{2,}", rest.lower())
    distinct = set(words)
    return len(distinct) < 3 or sum(len(w) for w in distinct) < min_en * 2 // 3
