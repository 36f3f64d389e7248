"""Runtime rules: findings only live data can settle (head counts, consent and alternative use).

The services gather ``RuntimeFacts`` from the stores; these rules stay pure.
Findings have the same shape as manifest findings, with ``FGR-`` rule ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from facegate.domain.openset import OpenSetPlan
from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Finding, Hit, RuleGroup, Severity, sort_findings
from facegate.governance.rules.filing import EARLY_WARNING, FILING_THRESHOLD

group = RuleGroup()

# Below these volumes a zero count says nothing (M-10.4, M-12.2).
MIN_FACE_COMPLETIONS = 100
MIN_CONSENT_PROMPTS = 200


@dataclass(frozen=True)
class RuntimeFacts:
    """What the stores say today, for one deployment.

    ``stored_people`` is the de-duplicated count for the whole processor across
    all its deployments (M-15.1), not just this one.
    """

    today: dt.date
    stored_people: int = 0
    is_filing_recorded: bool = False
    face_completions: int = 0
    alternative_completions: int = 0
    consents_given: int = 0
    consents_refused: int = 0
    reprompts_after_refusal: int = 0
    has_major_incident_since_assessment: bool = False
    expired_templates_pending: int = 0
    # purpose -> the 1:N rule its gallery runs under (services/openset.py); empty for 1:1
    open_set: tuple[tuple[str, OpenSetPlan], ...] = ()


@group.rule(
    "FGR-15-01", ("M-15.1", "M-15.2"), Severity.WARNING,
    title="Stored people reached 100,000 without a filing",
    message_zh="已存储人脸信息达到10万人且未备案：须在达到之日起30个工作日内备案。",
    message_en="Face information of 100,000 people is stored and no filing is recorded: file within "
               "30 working days of the date it was reached.",
    remedy_zh="立即准备并提交备案，记录备案编号。",
    remedy_en="Prepare and submit the filing now and record its number.",
)
def threshold_reached(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.stored_people >= FILING_THRESHOLD and not f.is_filing_recorded:
        yield Hit("expected_people", str(f.stored_people))


@group.rule(
    "FGR-15-02", ("M-15.5",), Severity.ADVICE,
    title="Stored people approaching 100,000",
    message_zh="已存储人数接近10万人。",
    message_en="The number of people stored is approaching 100,000.",
    remedy_zh="提前准备备案材料。",
    remedy_en="Prepare the filing package now.",
)
def threshold_near(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if EARLY_WARNING <= f.stored_people < FILING_THRESHOLD and not f.is_filing_recorded:
        yield Hit("expected_people", str(f.stored_people))


@group.rule(
    "FGR-15-03", ("M-15.6",), Severity.WARNING,
    title="Manifest underestimates the people stored",
    message_zh="实际存储人数已超过10万人，而部署清单预计不足10万人：须更新清单和影响评估。",
    message_en="More than 100,000 people are stored while the manifest expects fewer: update the "
               "manifest and the impact assessment.",
    remedy_zh="更新 expected_people 并重新评估。",
    remedy_en="Update expected_people and reassess.",
)
def underestimated(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.stored_people >= FILING_THRESHOLD > m.expected_people:
        yield Hit("expected_people", f"{m.expected_people} < {f.stored_people}")


@group.rule(
    "FGR-10-01", ("M-10.4", "M-10.2"), Severity.WARNING,
    title="Nobody uses the alternative",
    message_zh="大量刷脸完成而替代方式使用次数为零，替代方式可能实际上不可用。",
    message_en="Many face completions and not one through the alternative: the alternative may not "
               "really be usable.",
    remedy_zh="现场检查替代方式是否在同一地点明确提供。",
    remedy_en="Check on site that the alternative is offered clearly at the same point.",
)
def alternative_unused(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.face_completions >= MIN_FACE_COMPLETIONS and f.alternative_completions == 0:
        yield Hit("alternatives", f"{f.face_completions} face / 0 alternative")


@group.rule(
    "FGR-12-01", ("M-12.2", "M-6.1"), Severity.ADVICE,
    title="Nobody refuses consent",
    message_zh="大量同意请求无一拒绝，需核查同意是否自愿，界面是否存在误导或默认勾选。",
    message_en="Many consent requests and no refusals: check that consent is freely given and the "
               "screens do not mislead or pre-tick.",
    remedy_zh="复核同意界面版本和话术。",
    remedy_en="Review the consent screen variants and wording.",
)
def nobody_refuses(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.consents_given >= MIN_CONSENT_PROMPTS and f.consents_refused == 0:
        yield Hit("legal_basis", f"{f.consents_given} given / 0 refused")


@group.rule(
    "FGR-06-01", ("M-6.6", "N-22.1", "G-5.3"), Severity.WARNING,
    title="Consent re-requested after refusal",
    message_zh="个人明确拒绝后仍被反复征求刷脸同意。",
    message_en="People were asked again for face consent after they had refused.",
    remedy_zh="拒绝后同一会话内不再提示，仅在个人主动选择刷脸时再征求同意。",
    remedy_en="Do not ask again in the same session; ask only when the person picks face themselves.",
)
def reprompted(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.reprompts_after_refusal > 0:
        yield Hit("legal_basis", str(f.reprompts_after_refusal))


@group.rule(
    "FGR-09-01", ("M-9.5", "M-14.6"), Severity.BLOCKING,
    title="Major security incident since the impact assessment",
    message_zh="影响评估之后发生重大安全事件，须重新进行影响评估。",
    message_en="A major security incident happened after the impact assessment; it must be redone.",
    remedy_zh="重新评估并按个人信息保护法第五十七条通知。",
    remedy_en="Reassess, and notify under PIPL Art. 57.",
)
def incident(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.has_major_incident_since_assessment:
        yield Hit("impact_assessment")


@group.rule(
    "FGR-08-01", ("M-8.5", "P-47.1"), Severity.WARNING,
    title="Expired face data not purged",
    message_zh="存在已超过保存期限但尚未删除的人脸模板。",
    message_en="Face templates past their retention period have not been deleted.",
    remedy_zh="检查定时清理任务是否运行，并保留删除记录。",
    remedy_en="Check the purge job runs and keeps its deletion log.",
)
def not_purged(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    if f.expired_templates_pending > 0:
        yield Hit("retention.days", str(f.expired_templates_pending))


@group.rule(
    "FGR-04-01", ("M-4.2", "M-4.3", "M-4.4", "M-9.2"), Severity.WARNING,
    title="1:N cannot keep strangers out and still find enrolled people",
    message_zh="按当前引擎的校准数据和库容量，1:N识别无法在将陌生人误识率控制在目标以内的同时保证可用的识别率："
               "识别对陌生人风险过高或对已录入者失效，必要性和最小影响不成立，保护措施不足。",
    message_en="With this engine's calibration and the gallery's size, 1:N identification cannot hold the "
               "false-positive identification rate (strangers named) at the target while still finding "
               "enrolled people: necessity and least impact are not shown, and the protection is not strict.",
    remedy_zh="改用1:1验证，缩小库容量，在本单位人员上重新校准（facegate calibrate）或更换更准确的引擎。",
    remedy_en="Use 1:1 verification, shrink the gallery, calibrate on your own people (facegate calibrate) "
              "or switch to a more accurate engine.",
)
def open_set_unusable(m: Manifest, f: RuntimeFacts) -> Iterator[Hit]:
    for purpose, plan in f.open_set:
        if plan.is_usable:
            continue
        if not plan.is_calibrated:
            detail = f"{purpose}: no calibration for this engine; threshold {plan.threshold}"
        else:
            detail = (f"{purpose}: gallery {plan.gallery_size}, threshold {plan.threshold}, expected FPIR "
                      f"{plan.expected_fpir:.2%} (target {plan.target_fpir:.2%}), expected miss "
                      f"{plan.expected_miss:.1%} (usable up to {plan.max_miss:.0%})")
        yield Hit("method.mode", detail)


RUNTIME_RULES = tuple(group.rules)


def evaluate_runtime(m: Manifest, facts: RuntimeFacts) -> list[Finding]:
    """Findings that need live data, in the same format as ``evaluate()``'s."""
    return list(sort_findings(f for r in RUNTIME_RULES for f in r.findings(m, facts)))
