"""Rules for Art. 13: public places need necessity, capture area and signs; private spaces are banned.

Whether the devices are "installed in a public place" follows from three declared facts,
never from the operator's ``venue_type`` label (reading recorded in docs/rules.md):

- a place where the public cannot walk in (only residents, staff, students, members, or no
  physical place at all) is not a public place;
- where anyone can walk in, the devices are public-place devices when they point at an area
  people walk through, or capture whoever is in view: that is the capture of the public that
  Art. 13 para 1 and PIPL Art. 26 govern;
- where anyone can walk in but the device is a terminal at a service point that captures only
  the person who steps up and chooses face (camera off until then, M-10.3), it captures no one
  from the public at large; Arts. 4-10 govern that 1:1 check.
"""

from __future__ import annotations

from collections.abc import Iterator

from facegate.governance.manifest import Manifest
from facegate.governance.rules.base import Hit, RuleGroup, Severity, is_thin
from facegate.governance.vocab import CameraAim, PrivateSpace, PurposeCode, VenueType, WhoCanEnter, WhoIsCaptured

group = RuleGroup()

_FACTS = ("who_can_enter", "cameras_point_at", "who_is_captured")


def missing_place_facts(m: Manifest) -> tuple[str, ...]:
    """The Art. 13 facts the manifest leaves undeclared."""
    return tuple(f for f in _FACTS if getattr(m.scenario, f) is None)


def is_public_place(m: Manifest) -> bool:
    """Art. 13 para 1 applies: devices in a place anyone can enter that capture the public.

    Undeclared facts count against the processor: the label alone cannot take a
    deployment out of Art. 13 (FG-13-07 asks for the facts).
    """
    s = m.scenario
    if missing_place_facts(m):
        return s.venue_type is VenueType.PUBLIC_PLACE or s.who_can_enter is WhoCanEnter.ANYONE
    if s.who_can_enter is not WhoCanEnter.ANYONE:
        return False
    return s.cameras_point_at is CameraAim.PUBLIC_AREA or s.who_is_captured is WhoIsCaptured.EVERYONE_IN_VIEW


def _public(m: Manifest) -> bool:
    return is_public_place(m)


def _necessity_thin(m: Manifest) -> bool:
    n = m.public_place.public_safety_necessity if m.public_place else None
    return n is None or is_thin(n.zh) or is_thin(n.en)


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
    if _public(m) and _necessity_thin(m):
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
    if _public(m) and (m.public_place is None or is_thin(m.public_place.capture_area)):
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
    sign = m.public_place.signage if m.public_place else None
    if _public(m) and (sign is None or not sign.positions or is_thin(sign.text.zh) or is_thin(sign.text.en)):
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
    if m.public_place is not None and _public(m) and not _necessity_thin(m):
        ref = m.public_place.legal_reference
        if ref is None or not ref.is_complete:
            yield Hit("public_place.legal_reference")


@group.rule(
    "FG-13-06", ("M-13.2", "M-13.3", "P-26.2"), Severity.BLOCKING,
    title="Public-place device for a purpose other than public security",
    message_zh="在公共场所安装人脸识别设备，应当为维护公共安全所必需；以其他目的在公共场所采集人脸不被允许。",
    message_en="Face recognition devices may be installed in a public place only where public security "
               "requires them; capturing the public for any other purpose is not allowed.",
    remedy_zh="删除其他目的；或改为只采集主动选择刷脸者的服务终端（scenario.cameras_point_at: service_point，"
              "who_is_captured: person_who_chooses_face）。",
    remedy_en="Drop the other purposes; or use a service-point terminal that captures only the person who "
              "chooses face (scenario.cameras_point_at: service_point, who_is_captured: person_who_chooses_face).",
)
def other_purposes(m: Manifest) -> Iterator[Hit]:
    if _public(m):
        for i, p in enumerate(m.purposes):
            if p.code != PurposeCode.PUBLIC_SECURITY.value:
                yield Hit(f"purposes[{i}].code", p.code)


@group.rule(
    "FG-13-07", ("M-13.2",), Severity.BLOCKING,
    title="Whether the devices are in a public place is not declared",
    message_zh="未声明谁可以进入该场所、摄像头朝向何处、采集谁的人脸，无法判断是否适用第十三条（公共场所）。",
    message_en="The manifest does not say who can walk in, where the cameras point and whose faces are "
               "captured, so it cannot be judged whether Art. 13 (public places) applies.",
    remedy_zh="在 scenario 中声明 who_can_enter、cameras_point_at、who_is_captured。",
    remedy_en="Declare scenario.who_can_enter, scenario.cameras_point_at and scenario.who_is_captured.",
)
def place_facts_missing(m: Manifest) -> Iterator[Hit]:
    for name in missing_place_facts(m):
        yield Hit(f"scenario.{name}")


RULES = tuple(group.rules)
