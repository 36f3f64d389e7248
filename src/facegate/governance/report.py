"""Check results for one or more manifests, rendered as text, JSON, Markdown or SARIF (pure)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from facegate.errors import ManifestInvalid
from facegate.governance.loader import LineIndex, line_for, line_index, load_manifest
from facegate.governance.manifest import Manifest
from facegate.governance.rules import ALL_RULES, Evaluation, Finding, Severity, evaluate

FORMATS = ("text", "json", "markdown", "sarif")
INVALID_RULE_ID = "manifest-invalid"


@dataclass(frozen=True)
class CheckResult:
    source: str
    manifest: Manifest | None = None
    evaluation: Evaluation | None = None
    errors: tuple[dict[str, object], ...] = ()
    lines: LineIndex = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.evaluation is None:
            return "invalid"
        return self.evaluation.verdict

    def line_of(self, f: Finding) -> int | None:
        return line_for(self.lines, f.path)


def check_text(text: str, source: str) -> CheckResult:
    """Load and evaluate one manifest; invalid input becomes a result, not an exception."""
    try:
        manifest = load_manifest(text, source)
    except ManifestInvalid as exc:
        errors = exc.detail.get("errors", [])
        assert isinstance(errors, list)
        return CheckResult(source, errors=tuple(errors))
    return CheckResult(source, manifest, evaluate(manifest), lines=line_index(text))


def unreadable(source: str, reason: str) -> CheckResult:
    return CheckResult(source, errors=({"path": "", "line": None, "message": f"cannot read: {reason}"},))


def exit_code(results: Sequence[CheckResult]) -> int:
    """2 if any manifest is invalid, else 3 (refused) if any has a blocking finding, else 0 (the CLI's table)."""
    if any(r.verdict == "invalid" for r in results):
        return 2
    return 3 if any(r.verdict == "blocked" for r in results) else 0


def _counts(r: CheckResult) -> str:
    assert r.evaluation is not None
    c = r.evaluation.counts()
    return f"{c['blocking']} blocking, {c['warning']} warning, {c['advice']} advice"


def _where(path: str, line: int | None) -> str:
    return (path or "(document)") + (f" (line {line})" if line else "")


def render_text(results: Sequence[CheckResult]) -> str:
    out: list[str] = []
    for r in results:
        if r.evaluation is None:
            out.append(f"{r.source}: INVALID manifest")
            for e in r.errors:
                line = e.get("line")
                out.append(f"  {_where(str(e['path']), line if isinstance(line, int) else None)}: "
                           f"{e['message']}")
            continue
        out.append(f"{r.source}: {r.verdict.upper()} ({_counts(r)})")
        for article, findings in r.evaluation.by_article().items():
            out.append(f"  Article {article}")
            for f in findings:
                detail = f" [{f.detail}]" if f.detail else ""
                out.append(f"    {f.severity.value.upper():8} {f.rule_id} ({', '.join(f.requirement_ids)}) "
                           f"at {_where(f.path, r.line_of(f))}{detail}")
                out.append(f"             {f.message_en}")
                out.append(f"             {f.message_zh}")
                out.append(f"             remedy: {f.remedy_en}")
    if len(results) > 1:
        verdicts = [r.verdict for r in results]
        out.append(f"{len(results)} manifests: {verdicts.count('pass')} pass, "
                   f"{verdicts.count('blocked')} blocked, {verdicts.count('invalid')} invalid")
    return "\n".join(out) + "\n"


def _result_dict(r: CheckResult) -> dict[str, object]:
    findings = []
    if r.evaluation is not None:
        findings = [{**f.to_dict(), "line": r.line_of(f)} for f in r.evaluation.findings]
    return {"source": r.source, "verdict": r.verdict, "findings": findings, "errors": list(r.errors),
            "counts": r.evaluation.counts() if r.evaluation else None}


def render_json(results: Sequence[CheckResult]) -> str:
    body = {"results": [_result_dict(r) for r in results], "exit_code": exit_code(results)}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(results: Sequence[CheckResult]) -> str:
    out: list[str] = []
    for r in results:
        out.append(f"## `{r.source}`: {r.verdict}")
        out.append("")
        if r.evaluation is None:
            out += ["| Path | Line | Problem |", "|---|---|---|"]
            out += [f"| `{e['path']}` | {e.get('line') or ''} | {_md(str(e['message']))} |" for e in r.errors]
            out.append("")
            continue
        out.append(_counts(r) + ".")
        out.append("")
        for article, findings in r.evaluation.by_article().items():
            out += [f"### Article {article}", "", "| Severity | Rule | Requirements | Where | Finding | 问题 | Remedy |",
                    "|---|---|---|---|---|---|---|"]
            out += [f"| {f.severity.value} | {f.rule_id} | {', '.join(f.requirement_ids)} | "
                    f"`{f.path}`{' line ' + str(r.line_of(f)) if r.line_of(f) else ''} | {_md(f.message_en)} | "
                    f"{_md(f.message_zh)} | {_md(f.remedy_en)} |" for f in findings]
            out.append("")
    return "\n".join(out) + "\n"


_LEVEL = {Severity.BLOCKING: "error", Severity.WARNING: "warning", Severity.ADVICE: "note"}


def _physical(uri: str, line: object) -> dict[str, object]:
    """A SARIF physicalLocation: the file, and its line when known."""
    location: dict[str, object] = {"artifactLocation": {"uri": uri}}
    if isinstance(line, int):
        location["region"] = {"startLine": line}
    return location


def render_sarif(results: Sequence[CheckResult]) -> str:
    rules = [{
        "id": r.id, "name": r.title,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.message_en},
        "help": {"text": f"{r.remedy_en}\n{r.remedy_zh}"},
        "defaultConfiguration": {"level": _LEVEL[r.severity]},
        "properties": {"requirements": list(r.requirement_ids), "severity": r.severity.value,
                       "message_zh": r.message_zh},
    } for r in ALL_RULES]
    rules.append({"id": INVALID_RULE_ID, "name": "Manifest is invalid",
                  "shortDescription": {"text": "The manifest does not match the schema"},
                  "defaultConfiguration": {"level": "error"}})
    sarif_results: list[dict[str, object]] = []
    for r in results:
        if r.evaluation is None:
            for e in r.errors:
                sarif_results.append({
                    "ruleId": INVALID_RULE_ID, "level": "error",
                    "message": {"text": f"{e['path'] or '(document)'}: {e['message']}"},
                    "locations": [{"physicalLocation": _physical(r.source, e.get("line"))}],
                })
            continue
        for f in r.evaluation.findings:
            sarif_results.append({
                "ruleId": f.rule_id, "level": _LEVEL[f.severity],
                "message": {"text": f"{f.message_en} {f.message_zh}" + (f" [{f.detail}]" if f.detail else "")},
                "locations": [{"physicalLocation": _physical(r.source, r.line_of(f)),
                               "logicalLocations": [{"fullyQualifiedName": f.path}]}],
                "properties": {"requirements": list(f.requirement_ids), "article": f.article},
            })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "facegate", "rules": rules}}, "results": sarif_results}],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "sarif": render_sarif}


def render(results: Sequence[CheckResult], fmt: str) -> str:
    return RENDERERS[fmt](results)
