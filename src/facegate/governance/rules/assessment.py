"""Rules for Art. 9 (prior impact assessment) and Art. 20 (assessed against the Measures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Finding, Hit, RuleGroup, Severity
from facegate.governance.vocab import PiaConclusion, PiaItem

group = RuleGroup()

EFFECTIVE_DATE = dt.date(2025, 6, 1)


@group.rule(
    "FG-09-01", ("M-9.1", "P-55.1"), Severity.BLOCKING,
    title="No prior impact assessment",
    message_zh="未进行事前个人信息保护影响评估，部署不得启用。",
    message_en="No prior personal information protection impact assessment; the deployment may not go live.",
    remedy_zh="完成影响评估并在 impact_assessment 中记录日期、版本、结论和审批人。",
    remedy_en="Do the assessment and record date, version, conclusion and approver under impact_assessment.",
)
def no_pia(m: Manifest) -> Iterator[Hit]:
    if m.impact_assessment is None:
        yield Hit("impact_assessment")


@group.rule(
    "FG-09-02", ("M-9.1",), Severity.BLOCKING,
    title="Impact assessment rejected the deployment",
    message_zh="影响评估结论为不通过。",
    message_en="The impact assessment concluded against this deployment.",
    remedy_zh="按评估意见整改后重新评估。",
    remedy_en="Fix what the assessment found and assess again.",
)
def pia_rejected(m: Manifest) -> Iterator[Hit]:
    if m.impact_assessment and m.impact_assessment.conclusion is PiaConclusion.REJECTED:
        yield Hit("impact_assessment.conclusion")


@group.rule(
    "FG-09-03", ("M-9.2", "P-56.1"), Severity.BLOCKING,
    title="Impact assessment misses a required item",
    message_zh="影响评估未覆盖第九条规定的全部内容（合法正当必要、权益影响、安全风险、保护措施）。",
    message_en="The impact assessment does not cover every Art. 9 item (lawfulness and necessity, "
               "rights impact, security risks, protection measures).",
    remedy_zh="补充缺失部分并在 impact_assessment.covers 中列出。",
    remedy_en="Add the missing parts and list them under impact_assessment.covers.",
)
def pia_incomplete(m: Manifest) -> Iterator[Hit]:
    if m.impact_assessment is None:
        return
    for item in PiaItem:
        if item not in m.impact_assessment.covers:
            yield Hit("impact_assessment.covers", item.value)


@group.rule(
    "FG-09-04", ("M-9.1",), Severity.ADVICE,
    title="Impact assessment approved with conditions",
    message_zh="影响评估附条件通过：须跟踪条件的落实情况。",
    message_en="The impact assessment was approved with conditions; track that they are met.",
    remedy_zh="记录每项条件的负责人和完成期限。",
    remedy_en="Record an owner and a deadline for each condition.",
)
def pia_conditional(m: Manifest) -> Iterator[Hit]:
    if m.impact_assessment and m.impact_assessment.conclusion is PiaConclusion.APPROVED_WITH_CONDITIONS:
        yield Hit("impact_assessment.conclusion")


def scope_changes(m: Manifest) -> tuple[str, ...]:
    """What differs between the purposes and method the assessment assessed and the manifest's (M-9.5).

    Empty when the assessment does not say what it assessed (FG-09-06 asks for that).
    """
    a = m.impact_assessment.assessed if m.impact_assessment else None
    if a is None:
        return ()
    out = []
    if set(a.purposes) != set(m.purpose_codes):
        out.append("purposes")
    if a.mode is not m.method.mode:
        out.append("method.mode")
    if a.locality is not m.method.locality:
        out.append("method.locality")
    if a.storage is not None and a.storage is not m.storage.locality:
        out.append("storage.locality")
    if a.internet_transmission is not None and a.internet_transmission != m.storage.internet_transmission:
        out.append("storage.internet_transmission")
    return tuple(out)


@group.rule(
    "FG-09-05", ("M-9.5",), Severity.BLOCKING,
    title="Purpose or method changed since the impact assessment",
    message_zh="处理人脸信息的目的、方式发生变化，应当重新进行个人信息保护影响评估；现有评估针对的是变更前的目的和方式。",
    message_en="The purposes or method of processing changed, so the impact assessment must be redone; the "
               "assessment on record covers the purposes and method before the change.",
    remedy_zh="对新的目的和方式重新评估，并在 impact_assessment（日期、版本、assessed）中记录新版本。",
    remedy_en="Assess the new purposes and method and record the new version under impact_assessment "
              "(date, version, assessed).",
)
def changed_since_assessment(m: Manifest) -> Iterator[Hit]:
    for path in scope_changes(m):
        yield Hit(path, "impact_assessment.assessed")


@group.rule(
    "FG-09-06", ("M-9.5", "M-9.1"), Severity.WARNING,
    title="Assessment does not say what it assessed",
    message_zh="影响评估未记录其评估的处理目的和处理方式，目的、方式变化时无法判断是否须重新评估。",
    message_en="The impact assessment does not record which purposes and method it assessed, so a change "
               "that requires a new assessment cannot be detected.",
    remedy_zh="在 impact_assessment.assessed 中列出评估时的目的、比对方式和地点。",
    remedy_en="List the assessed purposes, mode and locality under impact_assessment.assessed.",
)
def assessment_scope_unknown(m: Manifest) -> Iterator[Hit]:
    if m.impact_assessment is not None and m.impact_assessment.assessed is None:
        yield Hit("impact_assessment.assessed")


@group.rule(
    "FG-20-01", ("M-20.1",), Severity.WARNING,
    title="Impact assessment predates the Measures",
    message_zh="影响评估早于《办法》施行日（2025年6月1日），须按《办法》重新评估。",
    message_en="The impact assessment predates the Measures (in force 2025-06-01); reassess against them.",
    remedy_zh="按《办法》第九条重新进行影响评估。",
    remedy_en="Redo the assessment against Art. 9 of the Measures.",
)
def pia_before_measures(m: Manifest) -> Iterator[Hit]:
    if m.impact_assessment and m.impact_assessment.date < EFFECTIVE_DATE:
        yield Hit("impact_assessment.date", m.impact_assessment.date.isoformat())


RULES = tuple(group.rules)


def _method(m: Manifest) -> tuple[object, ...]:
    return (frozenset(m.purpose_codes), m.method.mode, m.method.locality, m.storage.locality,
            m.storage.internet_transmission)


def reassessment_findings(previous: Manifest, new: Manifest) -> list[Finding]:
    """FG-09-05 between two applied versions: purposes or method changed, the assessment did not (M-9.5).

    The stateful twin of ``changed_since_assessment`` for manifests that do not list what
    their assessment assessed: applying such a change with the same assessment record is
    processing the new version without having assessed it.
    """
    if _method(previous) == _method(new) or new.impact_assessment is None:
        return []
    if previous.impact_assessment != new.impact_assessment:
        return []
    return changed_since_assessment.findings_for(Hit("impact_assessment", "unchanged since the previous version"))
