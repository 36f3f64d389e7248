"""Rules for Art. 13: public places need necessity, capture area and signs; private spaces are banned."""

from __future__ import annotations

from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity
from facegate.governance.vocab import PrivateSpace, PurposeCode, VenueType

group = RuleGroup()


def _public(m: Manifest) -> bool:
    return m.scenario.venue_type is VenueType.PUBLIC_PLACE


@group.rule(
    "FG-13-01", ("M-13.4", "M-3.2"), Severity.BLOCKING,
    title="Device inside a private space",
    message_zh="任何组织和个人不得在宾馆客房、公共浴室、公共更衣室、公共卫生间等私密空间内部安装人脸识别设备。此项无例外。",
    message_en="No one may install face recognition devices inside private spaces such as hotel guest "
               "rooms, public bathrooms, changing rooms or toilets. There is no exception.",
    remedy_zh="撤除该设备；此部署不可启用。",
    remedy_en="Remove the device; this deployment cannot be activated.",
)
def private_space(m: Manifest) -> Iterator[Hit]:
    if m.scenario.private_space is not PrivateSpace.NONE:
        yield Hit("scenario.private_space", m.scenario.private_space.value)


@group.rule(
    "FG-13-02", ("M-13.2", "P-26.1"), Severity.BLOCKING,
    title="Public place without public-security necessity",
    message_zh="在公共场所安装人脸识别设备，须为维护公共安全所必需，但未说明必要性。",
    message_en="Face recognition in a public place must be necessary for public security; no such "
               "necessity is stated.",
    remedy_zh="在 public_place.public_safety_necessity 中说明维护公共安全的必要性，否则不得在公共场所部署。",
    remedy_en="State the public-security necessity under public_place.public_safety_necessity, "
              "or do not deploy in a public place.",
)
def no_necessity(m: Manifest) -> Iterator[Hit]:
    if _public(m) and (m.public_place is None or m.public_place.public_safety_necessity is None):
        yield Hit("public_place.public_safety_necessity")


@group.rule(
    "FG-13-03", ("M-13.2",), Severity.BLOCKING,
    title="Public place without a defined capture area",
    message_zh="未依法合理确定人脸信息采集区域。",
    message_en="No capture area has been defined for the public-place devices.",
    remedy_zh="在 public_place.capture_area 中写明采集范围（视场、安装高度角度、覆盖区域）。",
    remedy_en="Describe the capture area (field of view, mounting, covered zone) in public_place.capture_area.",
)
def no_capture_area(m: Manifest) -> Iterator[Hit]:
    if _public(m) and (m.public_place is None or not m.public_place.capture_area):
        yield Hit("public_place.capture_area")


@group.rule(
    "FG-13-04", ("M-13.2", "P-26.1"), Severity.BLOCKING,
    title="Public place without prominent signs",
    message_zh="公共场所的人脸识别设备未设置显著提示标识。",
    message_en="There are no prominent signs for the face recognition devices in this public place.",
    remedy_zh="在 public_place.signage 中写明标识文字（中英文）和张贴位置。",
    remedy_en="Give the sign text (zh and en) and where the signs are posted under public_place.signage.",
)
def no_signage(m: Manifest) -> Iterator[Hit]:
    if _public(m) and (m.public_place is None or m.public_place.signage is None
                       or not m.public_place.signage.positions):
        yield Hit("public_place.signage")


@group.rule(
    "FG-13-05", ("M-13.2",), Severity.WARNING,
    title="Public-place necessity without a legal reference",
    message_zh="公共场所部署未引用法律依据（如公共安全相关法律、行政法规条款）。",
    message_en="The public-place deployment cites no legal reference for its public-security role.",
    remedy_zh="在 public_place.legal_reference 中写明法律名称和条款。",
    remedy_en="Give the law and article under public_place.legal_reference.",
)
def no_legal_reference(m: Manifest) -> Iterator[Hit]:
    if _public(m) and m.public_place is not None and m.public_place.public_safety_necessity is not None:
        ref = m.public_place.legal_reference
        if ref is None or not ref.is_complete:
            yield Hit("public_place.legal_reference")


@group.rule(
    "FG-13-06", ("M-13.3", "P-26.2"), Severity.WARNING,
    title="Public-place data used beyond public security",
    message_zh="公共场所采集的人脸信息只能用于维护公共安全；用于其他目的须取得个人单独同意。",
    message_en="Faces captured in a public place may be used only for public security; any other "
               "purpose needs the person's separate consent.",
    remedy_zh="删除其他目的，或确保对这些目的逐人取得单独同意。",
    remedy_en="Drop the other purposes, or obtain separate consent for them person by person.",
)
def other_purposes(m: Manifest) -> Iterator[Hit]:
    if _public(m):
        for i, p in enumerate(m.purposes):
            if p.code is not PurposeCode.PUBLIC_SECURITY:
                yield Hit(f"purposes[{i}].code", p.code.value)


RULES = tuple(group.rules)
