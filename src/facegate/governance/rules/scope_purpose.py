"""Rules for Arts. 2-4: scope, ethics attestation, specific purpose and least impact."""

from __future__ import annotations

from collections.abc import Iterator

from facegate.domain.model import Mode
from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity, is_thin
from facegate.governance.vocab import ApplicationClass

group = RuleGroup()


@group.rule(
    "FG-02-01", ("M-2.1", "M-2.2"), Severity.ADVICE,
    title="R&D / algorithm training is outside the Measures",
    message_zh="本部署声明用于人脸识别技术研发或算法训练，不适用《办法》，但仍适用个人信息保护法。",
    message_en="This deployment is declared as FRT R&D or algorithm training: outside the Measures, "
               "but the PIPL still applies.",
    remedy_zh="将训练数据与生产人脸库物理和逻辑隔离；转入生产使用前须重新取得同意。",
    remedy_en="Keep training data apart from production galleries; moving data into production "
              "needs a new legal basis and consent.",
)
def rd_out_of_scope(m: Manifest) -> Iterator[Hit]:
    if m.application_class is ApplicationClass.RD_ALGORITHM_TRAINING:
        yield Hit("application_class")


@group.rule(
    "FG-03-01", ("M-3.1",), Severity.ADVICE,
    title="No ethics and legality attestation",
    message_zh="未记录经签署的伦理与合法性审查（审批人、日期）。",
    message_en="No signed ethics and legality attestation (who approved, when) is recorded.",
    remedy_zh="在 ethics_attestation 中记录审批人和审批日期。",
    remedy_en="Record approved_by and date under ethics_attestation.",
)
def no_attestation(m: Manifest) -> Iterator[Hit]:
    if m.ethics_attestation is None:
        yield Hit("ethics_attestation")


@group.rule(
    "FG-04-01", ("M-4.2", "P-28.2"), Severity.WARNING,
    title="Necessity justification is missing or a placeholder",
    message_zh="处理目的的必要性说明过于简单或为占位文字，无法证明“充分的必要性”。",
    message_en="The necessity justification is a placeholder or too short to show sufficient necessity.",
    remedy_zh="说明为何必须使用人脸识别、不用人脸时业务为何无法同样完成（中英文）。",
    remedy_en="Explain why face recognition is needed and why the business cannot be done as well "
              "without it (in Chinese and English).",
)
def thin_necessity(m: Manifest) -> Iterator[Hit]:
    for i, p in enumerate(m.purposes):
        if is_thin(p.necessity.zh) or is_thin(p.necessity.en):
            yield Hit(f"purposes[{i}].necessity", p.code.value)


@group.rule(
    "FG-04-02", ("M-4.2",), Severity.WARNING,
    title="Least-impact analysis is missing or a placeholder",
    message_zh="最小影响分析过于简单：应说明考虑过哪些非人脸方式，以及为何选择1:1或1:N。",
    message_en="The least-impact analysis is too thin: say which non-face methods were considered "
               "and why 1:1 or 1:N was chosen.",
    remedy_zh="补充最小影响分析，并作为影响评估的输入。",
    remedy_en="Write the least-impact analysis and feed it into the impact assessment.",
)
def thin_least_impact(m: Manifest) -> Iterator[Hit]:
    for i, p in enumerate(m.purposes):
        if is_thin(p.least_impact):
            yield Hit(f"purposes[{i}].least_impact", p.code.value)


@group.rule(
    "FG-04-03", ("M-4.3", "M-4.2"), Severity.BLOCKING,
    title="1:N identification without a justification",
    message_zh="采用1:N辨识但未说明理由；1:N须有明确配置并引用影响评估。",
    message_en="1:N identification is configured without a justification; 1:N needs an explicit "
               "reason that references the impact assessment.",
    remedy_zh="改用1:1验证，或在 method.identify_justification 中说明理由并引用影响评估。",
    remedy_en="Use 1:1 verification, or state the reason in method.identify_justification "
              "citing the impact assessment.",
)
def identify_unjustified(m: Manifest) -> Iterator[Hit]:
    if m.method.mode is Mode.IDENTIFY and is_thin(m.method.identify_justification):
        yield Hit("method.identify_justification")


RULES = tuple(group.rules)
