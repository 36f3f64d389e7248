"""Rules for Arts. 10-12: non-face alternatives, national identity channels, no coercion."""

from __future__ import annotations

from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity
from facegate.governance.rules.places import is_public_place
from facegate.governance.vocab import Convenience, NationalChannel, PurposeCode, purpose_info

group = RuleGroup()


def _national_rule(m: Manifest) -> bool:
    ref = m.national_rule_requires_face
    return ref is not None and ref.is_complete


def _surveillance_only(m: Manifest) -> bool:
    """Public-security screening in a public place verifies no one's identity on request:
    Art. 13 governs it (FG-13-xx), Art. 10's choice of method does not apply."""
    return is_public_place(m) and all(p.code == PurposeCode.PUBLIC_SECURITY.value for p in m.purposes)


@group.rule(
    "FG-10-01", ("M-10.1", "G-5.2", "M-5.5"), Severity.BLOCKING,
    title="Face recognition is the only way",
    message_zh="未提供任何非人脸识别方式，人脸识别成为唯一验证方式。",
    message_en="No non-face alternative is offered: face recognition is the only way through.",
    remedy_zh="至少配置一种合理、便捷的替代方式（如刷卡、人工核验证件、密码、二维码）。",
    remedy_en="Configure at least one reasonable, convenient alternative (card, staff ID check, PIN, QR code).",
)
def face_only(m: Manifest) -> Iterator[Hit]:
    if not m.alternatives and m.national_rule_requires_face is None and not _surveillance_only(m):
        yield Hit("alternatives")


@group.rule(
    "FG-10-02", ("M-10.1",), Severity.BLOCKING,
    title="Face-only exception without a national provision",
    message_zh="以国家规定为由只用人脸识别，但未写明该规定的名称和条款。",
    message_en="Face-only is justified by a national provision, but its name and article are not given.",
    remedy_zh="写明国家关于应用人脸识别技术验证个人身份的具体规定，或提供替代方式。",
    remedy_en="Cite the national provision on FRT identity verification, or offer an alternative.",
)
def exception_uncited(m: Manifest) -> Iterator[Hit]:
    if not m.alternatives and m.national_rule_requires_face is not None and not _national_rule(m):
        yield Hit("national_rule_requires_face")


@group.rule(
    "FG-10-03", ("M-10.1",), Severity.WARNING,
    title="Face-only under a national provision",
    message_zh="依据国家规定只用人脸识别；一般性法律不足以构成例外，须是专门规定以人脸识别验证身份的条款。",
    message_en="Face-only under a national provision: a general statute is not enough; it must "
               "specifically address verifying identity with face recognition.",
    remedy_zh="请法律顾问确认所引条款，并在影响评估中记录。",
    remedy_en="Have counsel confirm the provision and record it in the impact assessment.",
)
def face_only_by_rule(m: Manifest) -> Iterator[Hit]:
    if not m.alternatives and _national_rule(m):
        ref = m.national_rule_requires_face
        assert ref is not None
        yield Hit("national_rule_requires_face", f"{ref.name} {ref.article}")


@group.rule(
    "FG-10-04", ("M-10.2",), Severity.WARNING,
    title="Alternative less convenient than the face path",
    message_zh="替代方式比刷脸更不便利，可能不符合“合理、便捷”的要求。",
    message_en="The alternative is less convenient than the face path; it may not be "
               "\"reasonable and convenient\".",
    remedy_zh="让替代方式在同一地点、无额外费用和等待即可完成同一业务。",
    remedy_en="Let the alternative complete the same business at the same point, with no extra fee or wait.",
)
def alternative_inconvenient(m: Manifest) -> Iterator[Hit]:
    for i, a in enumerate(m.alternatives):
        if a.convenience is Convenience.LESS:
            yield Hit(f"alternatives[{i}].convenience", a.code)


@group.rule(
    "FG-10-05", ("M-10.2", "M-10.3"), Severity.WARNING,
    title="Alternative not offered at the decision point",
    message_zh="替代方式不在选择刷脸的同一地点或界面提供。",
    message_en="The alternative is not offered at the same point or screen where face is offered.",
    remedy_zh="在摄像头启动前、同一界面上同时提供替代方式。",
    remedy_en="Offer the alternative on the same screen, before the camera starts.",
)
def alternative_elsewhere(m: Manifest) -> Iterator[Hit]:
    for i, a in enumerate(m.alternatives):
        if not a.is_offered_at_same_point:
            yield Hit(f"alternatives[{i}].is_offered_at_same_point", a.code)


@group.rule(
    "FG-11-01", ("M-11.1", "M-11.2"), Severity.ADVICE,
    title="National identity channel not used",
    message_zh="验证身份时鼓励优先使用国家人口基础信息库、国家网络身份认证公共服务等渠道，以减少人脸信息收集、存储。",
    message_en="For identity checks, the national population database or the national network identity "
               "authentication service is encouraged, to collect and store fewer faces.",
    remedy_zh="评估接入国家网络身份认证公共服务，只保留核验结果。",
    remedy_en="Consider the national network identity authentication service and keep only the result.",
)
def no_national_channel(m: Manifest) -> Iterator[Hit]:
    if m.national_identity_channel is NationalChannel.NONE and any(
            (info := purpose_info(p.code)) is not None and info.is_identity_check for p in m.purposes):
        yield Hit("national_identity_channel")


_COERCION = "不得以办理业务、提升服务质量等为由误导、欺诈、胁迫个人接受人脸识别"
_COERCION_EN = "no one may mislead, deceive or coerce people into face verification"


@group.rule(
    "FG-12-01", ("M-12.1", "M-12.2", "N-22.1"), Severity.BLOCKING,
    title="Discount or rewards only for face users",
    message_zh=f"只对刷脸者给予折扣或奖励，构成诱导；{_COERCION}。",
    message_en=f"Discounts or rewards only for people who use their face are an inducement; {_COERCION_EN}.",
    remedy_zh="让替代方式享受相同优惠，或取消该优惠。",
    remedy_en="Give the same benefit to the alternative, or drop it.",
)
def face_only_discount(m: Manifest) -> Iterator[Hit]:
    if m.incentives.face_only_discount:
        yield Hit("incentives.face_only_discount")
    if m.incentives.face_only_rewards:
        yield Hit("incentives.face_only_rewards")


@group.rule(
    "FG-12-02", ("M-12.1", "M-10.2"), Severity.BLOCKING,
    title="Fast lane only for face users",
    message_zh=f"只有刷脸者可走快速通道，拒绝者须排长队，构成变相强制；{_COERCION}。",
    message_en=f"A fast lane only for face users makes refusal costly; {_COERCION_EN}.",
    remedy_zh="快速通道同样向替代方式开放。",
    remedy_en="Open the fast lane to the alternative as well.",
)
def face_only_fast_lane(m: Manifest) -> Iterator[Hit]:
    if m.incentives.face_only_fast_lane:
        yield Hit("incentives.face_only_fast_lane")


@group.rule(
    "FG-12-03", ("M-10.2", "M-12.1"), Severity.BLOCKING,
    title="Surcharge or worse service for refusing face",
    message_zh="拒绝刷脸须额外付费或降低服务，违反“不同意不得影响业务”的要求。",
    message_en="Refusing face recognition costs extra or degrades the service.",
    remedy_zh="取消针对拒绝者的收费或限制。",
    remedy_en="Remove the surcharge or restriction for people who refuse.",
)
def refusal_surcharge(m: Manifest) -> Iterator[Hit]:
    if m.incentives.refusal_surcharge:
        yield Hit("incentives.refusal_surcharge")


@group.rule(
    "FG-12-04", ("M-12.1",), Severity.BLOCKING,
    title="Face claimed to be mandatory",
    message_zh="对外宣称必须刷脸，但并无国家规定要求，构成误导。",
    message_en="People are told face recognition is mandatory when no national provision requires it: "
               "this misleads them.",
    remedy_zh="修改界面和标识文字，明确告知可选择替代方式。",
    remedy_en="Change the screens and signs to say the alternative is available.",
)
def claims_mandatory(m: Manifest) -> Iterator[Hit]:
    if m.incentives.claims_face_mandatory and not _national_rule(m):
        yield Hit("incentives.claims_face_mandatory")


RULES = tuple(group.rules)
