"""Impact assessment (PIA) content, its document dict and a pure risk score (Art. 9, M-9.x)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from typing import Any

from facegate.domain.model import Mode, StorageLocality
from facegate.errors import InvalidInput


@dataclass(frozen=True)
class Text:
    """One text shown to people, in Chinese and English."""

    zh: str
    en: str

    def is_blank(self) -> bool:
        return not (self.zh.strip() and self.en.strip())


# M-9.2(c): every one of these must be assessed, with its possible harm.
THREATS: dict[str, Text] = {
    "leakage": Text("泄露", "Leakage"),
    "tampering": Text("篡改", "Tampering"),
    "loss": Text("丢失", "Loss"),
    "destruction": Text("毁损", "Damage or destruction"),
    "illegal_acquisition": Text("被非法获取", "Illegal acquisition"),
    "illegal_sale": Text("被非法出售", "Illegal sale"),
    "illegal_use": Text("被非法使用", "Illegal use"),
}

# Art. 14 controls, each a requirement of its own (M-14.1 .. M-14.5); keys match
# the fields of governance.manifest.Security so missing ones map across directly.
CONTROLS: dict[str, tuple[str, Text]] = {
    "encryption": ("M-14.1", Text("数据加密", "data encryption")),
    "security_audit": ("M-14.2", Text("安全审计", "security audit")),
    "access_control": ("M-14.3", Text("访问控制", "access control")),
    "authorisation_management": ("M-14.4", Text("授权管理", "authorisation management")),
    "intrusion_detection": ("M-14.5", Text("入侵检测和防御", "intrusion detection and prevention")),
}

LEVELS = (  # upper bound (exclusive), code, label
    (25, "low", Text("低", "low")),
    (50, "medium", Text("中", "medium")),
    (75, "high", Text("高", "high")),
    (101, "critical", Text("严重", "critical")),
)


@dataclass(frozen=True)
class RiskFacts:
    """Plain facts about a deployment, as the manifest states them."""

    mode: Mode
    locality: StorageLocality
    expected_people: int
    involves_minors: bool = False
    internet_transmission: bool = False
    missing_controls: tuple[str, ...] = ()  # keys of CONTROLS
    incidents: int = 0  # security incidents since the last assessment
    major_incidents: int = 0
    alternative_share: float | None = None  # share of completions without face (M-10.4)

    def __post_init__(self) -> None:
        unknown = set(self.missing_controls) - set(CONTROLS)
        if unknown or self.expected_people < 0 or not 0 <= (self.alternative_share or 0) <= 1:
            raise InvalidInput("risk_facts_invalid", "Risk facts are out of range or name unknown controls.",
                               "风险事实超出范围或含未知的控制措施。", article_id="M-9.2",
                               detail={"unknown_controls": sorted(unknown)})


@dataclass(frozen=True)
class RiskFactor:
    code: str
    points: int
    article_id: str
    reason: Text


@dataclass(frozen=True)
class RiskScore:
    score: int  # 0-100
    level: str
    level_label: Text
    factors: tuple[RiskFactor, ...]


def score_risk(facts: RiskFacts) -> RiskScore:
    """Additive points per risk-raising fact, capped at 100, each with its reason.

    The weights are a documented design choice, not law: they rank what the
    Measures treat as more intrusive (1:N, central storage, egress, minors,
    scale) and what M-9.2(d) asks about (missing controls, incidents).
    """
    f: list[RiskFactor] = []

    def add(code: str, points: int, article_id: str, zh: str, en: str) -> None:
        f.append(RiskFactor(code, points, article_id, Text(zh, en)))

    if facts.mode is Mode.IDENTIFY:
        add("mode_1n", 20, "M-4.3", "采用1:N辨识，需在人脸库中检索所有人。",
            "1:N identification searches everyone in a gallery.")
    if facts.locality is StorageLocality.CENTRAL:
        add("central_storage", 10, "M-8.1", "人脸信息集中存储而非存储于设备端。",
            "Face data is stored centrally rather than on the device.")
    if facts.internet_transmission:
        add("internet_egress", 15, "M-8.2", "人脸信息经互联网对外传输。", "Face data is sent over the Internet.")
    for limit, points in ((100_000, 20), (10_000, 10), (1_000, 5)):
        if facts.expected_people >= limit:
            add("scale", points, "M-15.2", f"预计涉及{facts.expected_people:,}人（≥{limit:,}）。",
                f"About {facts.expected_people:,} people are expected (≥{limit:,}).")
            break
    if facts.involves_minors:
        add("minors", 15, "M-7.1", "可能涉及不满十四周岁的未成年人。", "Children under 14 may be processed.")
    for code in facts.missing_controls:
        article_id, label = CONTROLS[code]
        add(f"missing_{code}", 8, article_id, f"缺少{label.zh}措施。", f"No {label.en} in place.")
    if facts.incidents:
        add("incidents", min(5 * facts.incidents, 15), "M-14.6", f"发生{facts.incidents}起安全事件。",
            f"{facts.incidents} security incident(s) recorded.")
    if facts.major_incidents:
        add("major_incident", 25, "M-9.5", "发生重大安全事件，须重新评估。",
            "A major security incident occurred; reassessment is required.")
    if facts.alternative_share is None:
        add("no_alternative_telemetry", 3, "M-10.4", "尚无非人脸方式使用比例数据。",
            "No data yet on how often the non-face alternative is used.")
    elif facts.alternative_share < 0.02:
        # Almost nobody using the alternative suggests it is not reasonable and convenient (M-10.2).
        add("alternative_unused", 10, "M-10.2", f"非人脸方式使用比例仅{facts.alternative_share:.1%}。",
            f"Only {facts.alternative_share:.1%} use the non-face alternative.")
    score = min(sum(x.points for x in f), 100)
    _, level, label = next(lv for lv in LEVELS if score < lv[0])
    return RiskScore(score, level, label, tuple(f))


@dataclass(frozen=True)
class ThreatAssessment:
    threat: str  # key of THREATS
    likelihood: str  # "low" | "medium" | "high"
    harm: Text
    mitigation: Text

    def __post_init__(self) -> None:
        if self.threat not in THREATS or self.likelihood not in ("low", "medium", "high"):
            raise InvalidInput("pia_threat_invalid", f"Unknown threat or likelihood: {self.threat}/{self.likelihood}.",
                               "未知的风险类型或可能性等级。", article_id="M-9.2")


@dataclass(frozen=True)
class Measure:
    name: Text
    is_in_place: bool
    assessment: Text  # lawful, effective, proportionate? (M-9.2(d))


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: Text
    signed_on: date | None = None


@dataclass(frozen=True)
class PiaData:
    """One version of a deployment's impact assessment; sections (a)-(d) per M-9.2."""

    deployment_id: str
    processor_name: str
    version: str
    prepared_on: date
    purpose_and_method: Text  # (a)
    legal_basis: Text  # (a)
    necessity: Text  # (a), with the M-4.2 least-impact analysis
    alternatives_considered: Text  # M-4.2
    rights_impact: Text  # (b)
    mitigation_effectiveness: Text  # (b)
    threats: tuple[ThreatAssessment, ...]  # (c)
    measures: tuple[Measure, ...]  # (d)
    measures_proportionality: Text  # (d)
    facts: RiskFacts
    reviewer: Reviewer
    approved_on: date | None = None  # M-9.1: set once the named reviewer signs
    supersedes_version: str | None = None
    next_review_on: date | None = None
    processor_name_en: str = ""  # what the English report shows (``model.english_name``)

    def __post_init__(self) -> None:
        # "Each section mandatory" (M-9.2): refuse a PIA with a blank section
        # or an unassessed threat rather than print an empty heading.
        blank = [f.name for f in fields(self) if isinstance(getattr(self, f.name), Text)
                 and getattr(self, f.name).is_blank()]
        missing = sorted(set(THREATS) - {t.threat for t in self.threats})
        if blank or missing or not self.measures or not self.reviewer.name.strip():
            raise InvalidInput("pia_section_missing", "The impact assessment has empty mandatory sections.",
                               "影响评估报告存在未填写的必备章节。", article_id="M-9.2",
                               detail={"blank": blank, "unassessed_threats": missing})


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def pia_document(pia: PiaData) -> dict[str, Any]:
    """The dict the report template renders: PiaData as plain JSON-able values.

    Shape: every PiaData field by name (``Text`` → ``{"zh", "en"}``, dates →
    ISO strings, enums → values), each threat with a ``label``, plus ``risk``
    = score_risk(facts) and ``is_approved``. The template reads only this.
    """
    doc: dict[str, Any] = _plain(pia)
    for threat in doc["threats"]:
        threat["label"] = _plain(THREATS[threat["threat"]])
    doc["risk"] = _plain(score_risk(pia.facts))
    doc["is_approved"] = pia.approved_on is not None and pia.reviewer.signed_on is not None
    return doc
