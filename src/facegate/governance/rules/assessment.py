"""Rules for Art. 9 (prior impact assessment) and Art. 20 (assessed against the Measures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity
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
