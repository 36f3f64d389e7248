"""Rules for Arts. 2-4: scope, ethics attestation, specific purpose and least impact."""

from __future__ import annotations

from collections.abc import Iterator

from facegate.domain.model import Mode
from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity, is_thin
from facegate.governance.vocab import GENERIC_PURPOSE_WORDS, TRAIT_WORDS, ApplicationClass, purpose_info

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
            yield Hit(f"purposes[{i}].necessity", p.code)


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
            yield Hit(f"purposes[{i}].least_impact", p.code)


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


def _own_purposes(m: Manifest) -> Iterator[tuple[int, str]]:
    """Purposes the processor defined itself (outside the vocabulary), with their index."""
    for i, p in enumerate(m.purposes):
        if purpose_info(p.code) is None:
            yield i, p.code


@group.rule(
    "FG-04-04", ("M-4.1", "P-28.2"), Severity.BLOCKING,
    title="Declared purpose is not specific",
    message_zh="自定义的处理目的没有具体说明，或只是“业务需要”“提升服务”之类的笼统说法，不构成特定的目的。",
    message_en="A purpose outside the vocabulary is not described, or is a general word such as "
               "'business' or 'improve service': that is not a specific purpose.",
    remedy_zh="用具体的代码命名目的，并在 purposes[].description 中（中英文）写明人脸识别具体用来做什么。",
    remedy_en="Name the purpose with a specific code and say in purposes[].description (zh and en) "
              "exactly what face recognition is used for.",
)
def purpose_not_specific(m: Manifest) -> Iterator[Hit]:
    for i, code in _own_purposes(m):
        d = m.purposes[i].description
        generic = code in GENERIC_PURPOSE_WORDS or set(code.split("_")) <= GENERIC_PURPOSE_WORDS
        if generic or d is None or is_thin(d.zh) or is_thin(d.en):
            yield Hit(f"purposes[{i}].description", code)


@group.rule(
    "FG-04-05", ("M-4.2", "P-28.2"), Severity.BLOCKING,
    title="Own purpose without a necessity case",
    message_zh="自定义处理目的没有可供参照的必要性依据，而其必要性说明或最小影响分析过于简单。",
    message_en="A purpose outside the vocabulary has no reasoning on file, and its necessity case or "
               "least-impact analysis is too thin to show sufficient necessity.",
    remedy_zh="说明为何该目的必须使用人脸识别、考虑过哪些非人脸方式。",
    remedy_en="Explain why this purpose needs face recognition and which non-face ways were considered.",
)
def own_purpose_unnecessary(m: Manifest) -> Iterator[Hit]:
    for i, code in _own_purposes(m):
        p = m.purposes[i]
        if is_thin(p.necessity.zh) or is_thin(p.necessity.en) or is_thin(p.least_impact):
            yield Hit(f"purposes[{i}].necessity", code)


@group.rule(
    "FG-04-06", ("G-5.1", "M-4.1"), Severity.BLOCKING,
    title="Purpose assesses or predicts traits from faces",
    message_zh="不得利用人脸识别数据评估或预测个人的工作表现、经济状况、健康状况、偏好、兴趣等特征。",
    message_en="Face data may not be used to assess or predict a person's performance, finances, health, "
               "preferences, interests or similar traits.",
    remedy_zh="删除该目的；人脸识别只用于识别或核验身份。",
    remedy_en="Drop this purpose; use face recognition only to recognise or verify identity.",
)
def trait_inference(m: Manifest) -> Iterator[Hit]:
    for i, code in _own_purposes(m):
        if set(code.split("_")) & TRAIT_WORDS:
            yield Hit(f"purposes[{i}].code", code)


RULES = tuple(group.rules)
