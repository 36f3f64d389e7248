"""Rules for Art. 8 (device storage, no Internet transmission, shortest retention) and export."""

from __future__ import annotations

from collections.abc import Iterator

from facegate.domain.model import StorageLocality
from facegate.governance.manifest import Manifest, StatuteRef
from facegate.governance.rules.base import Hit, RuleGroup, Severity, is_thin
from facegate.governance.vocab import (
    UNKNOWN_PURPOSE_MAX_DAYS,
    UNKNOWN_PURPOSE_MAX_DAYS_AFTER_EVENT,
    FaceDataType,
    purpose_info,
)

group = RuleGroup()

# Beyond ten years, "shortest time necessary" needs a statute behind it whatever the purpose (M-8.5).
LONG_RETENTION_DAYS = 3650
# "Far beyond" what the purpose needs: more than this many times its ceiling (M-8.5).
FAR_BEYOND_FACTOR = 2


def retention_ceiling(m: Manifest) -> tuple[int, str]:
    """(days, what they are measured against): the longest the declared purposes justify.

    A fixed period is judged against the purposes' fixed ceilings; an event-tied one
    ("until move-out plus N days") against their ceilings for the tail after the event.
    Several purposes: the most generous one, since the template serves all of them.
    """
    tied = m.retention.until is not None
    days = []
    for p in m.purposes:
        info = purpose_info(p.code)
        if info is None:
            days.append(UNKNOWN_PURPOSE_MAX_DAYS_AFTER_EVENT if tied else UNKNOWN_PURPOSE_MAX_DAYS)
        else:
            days.append(info.max_days_after_event if tied else info.max_days)
    return max(days), ("retention.until.days_after" if tied else "retention.days")


def retention_judged(m: Manifest) -> int:
    r = m.retention
    return r.until.days_after if r.until is not None else r.days


def _has_law(ref: StatuteRef | None) -> bool:
    return ref is not None and ref.is_complete


def _art8_exception(m: Manifest) -> bool:
    """Art. 8: a law/administrative regulation, or the person's separate consent."""
    return m.storage.separate_consent_obtained or _has_law(m.storage.legal_reference)


@group.rule(
    "FG-08-01", ("M-8.2", "M-8.4"), Severity.BLOCKING,
    title="Internet transmission without separate consent",
    message_zh="人脸信息通过互联网对外传输，但既未取得个人单独同意，也无法律、行政法规依据。",
    message_en="Face information is sent over the Internet without the person's separate consent "
               "and without a law or administrative regulation allowing it.",
    remedy_zh="改为设备端存储和比对；或取得明确提及对外传输的单独同意（storage.separate_consent_obtained），"
              "或在 storage.legal_reference 中写明法律依据。",
    remedy_en="Keep and compare faces on the device; or obtain separate consent that names the "
              "transmission (storage.separate_consent_obtained), or cite the law in storage.legal_reference.",
)
def transmission_without_consent(m: Manifest) -> Iterator[Hit]:
    if m.storage.internet_transmission and not _art8_exception(m):
        yield Hit("storage.internet_transmission", m.storage.destination)


@group.rule(
    "FG-08-02", ("M-8.2", "M-5.2"), Severity.WARNING,
    title="Transmission destination not stated",
    message_zh="声明了互联网传输，但未写明接收方（目的地），无法记录和告知对外传输。",
    message_en="Internet transmission is declared without a destination, so egress cannot be logged "
               "or explained in the notice.",
    remedy_zh="在 storage.destination 中写明接收方及其所在地。",
    remedy_en="Name the recipient and where it is in storage.destination.",
)
def destination_missing(m: Manifest) -> Iterator[Hit]:
    if m.storage.internet_transmission and not m.storage.destination:
        yield Hit("storage.destination")


@group.rule(
    "FG-08-03", ("M-8.1", "M-8.4"), Severity.BLOCKING,
    title="Central storage without an Art. 8 exception",
    message_zh="人脸信息存储在设备之外（服务器），但未取得单独同意，也无法律依据；《办法》默认要求存储于人脸识别设备内。",
    message_en="Face information is stored off the device (on servers) without separate consent or a "
               "statute; by default the Measures want it kept inside the face recognition device.",
    remedy_zh="改为设备端存储，或取得单独同意，或写明法律依据。",
    remedy_en="Store on the device, or obtain separate consent, or cite the statute.",
)
def central_without_exception(m: Manifest) -> Iterator[Hit]:
    if m.storage.locality is StorageLocality.CENTRAL and not _art8_exception(m):
        yield Hit("storage.locality")


@group.rule(
    "FG-08-04", ("M-8.1", "M-11.2"), Severity.ADVICE,
    title="Central storage: prefer the device",
    message_zh="人脸信息集中存储。虽有单独同意或法律依据，仍建议优先在设备端存储和比对。",
    message_en="Face information is stored centrally. An exception is recorded, but keeping and "
               "comparing faces on the device remains the safer default.",
    remedy_zh="评估能否改为设备端模板或用户持有的模板。",
    remedy_en="Consider on-device templates or templates held by the user.",
)
def central_with_exception(m: Manifest) -> Iterator[Hit]:
    if m.storage.locality is StorageLocality.CENTRAL and _art8_exception(m):
        yield Hit("storage.locality")


@group.rule(
    "FG-08-05", ("M-8.4", "M-19.2"), Severity.WARNING,
    title="Central comparison but on-device storage declared",
    message_zh="比对在服务器上进行，人脸信息必然离开设备，但存储声明为设备端且未声明传输。",
    message_en="Faces are compared on servers, so face information leaves the device, yet storage is "
               "declared on-device with no transmission.",
    remedy_zh="如实声明 storage.locality 和 storage.internet_transmission，或改为设备端比对。",
    remedy_en="Declare storage.locality and storage.internet_transmission truthfully, or compare on the device.",
)
def locality_mismatch(m: Manifest) -> Iterator[Hit]:
    if (m.method.locality is StorageLocality.CENTRAL and m.storage.locality is StorageLocality.ON_DEVICE
            and not m.storage.internet_transmission):
        yield Hit("method.locality")


@group.rule(
    "FG-08-06", ("M-8.5", "M-4.2"), Severity.WARNING,
    title="Retention longer than the purpose needs",
    message_zh="保存期限超过该处理目的所需的上限（见规则数据中的理由），且未说明理由；不符合“最短必要时间”。",
    message_en="Retention is longer than the ceiling for the purpose (see the reasoning in the rule data) "
               "and no reason is given; that is not shown to be the shortest time necessary.",
    remedy_zh="缩短保存期限，或在 retention.basis 中具体说明为何需要更长时间，并写入影响评估。",
    remedy_en="Shorten it, or explain concretely in retention.basis why longer is needed, and put it in "
              "the impact assessment.",
)
def retention_over_typical(m: Manifest) -> Iterator[Hit]:
    ceiling, path = retention_ceiling(m)
    days = retention_judged(m)
    if ceiling < days <= FAR_BEYOND_FACTOR * ceiling and is_thin(m.retention.basis) \
            and not _has_law(m.retention.legal_reference):
        yield Hit(path, f"{days} > {ceiling}")


@group.rule(
    "FG-08-07", ("M-8.5", "M-5.2"), Severity.BLOCKING,
    title="Retention far beyond what the purpose needs",
    message_zh=f"保存期限超过该处理目的上限的{FAR_BEYOND_FACTOR}倍（或超过{LONG_RETENTION_DAYS}天），"
               "且无法律、行政法规依据；人脸信息保存期限不得超过实现处理目的所必需的最短时间。",
    message_en=f"Retention is more than {FAR_BEYOND_FACTOR} times the ceiling for the purpose (or over "
               f"{LONG_RETENTION_DAYS} days) with no law or administrative regulation requiring it; face "
               "information may be kept only for the shortest time the purpose needs.",
    remedy_zh="缩短保存期限；或按事件声明（retention.until，如“迁出后30天”）；或在 retention.legal_reference "
              "中写明要求该期限的法律名称和条款。",
    remedy_en="Shorten it; or tie it to an event (retention.until, e.g. 'move-out plus 30 days'); or cite "
              "the law and article requiring the period in retention.legal_reference.",
)
def retention_very_long(m: Manifest) -> Iterator[Hit]:
    if _has_law(m.retention.legal_reference):
        return
    ceiling, path = retention_ceiling(m)
    days = retention_judged(m)
    if days > FAR_BEYOND_FACTOR * ceiling:
        yield Hit(path, f"{days} > {FAR_BEYOND_FACTOR} x {ceiling}")
    elif m.retention.days > LONG_RETENTION_DAYS:
        yield Hit("retention.days", str(m.retention.days))


@group.rule(
    "FG-08-08", ("M-8.5", "M-5.2"), Severity.BLOCKING,
    title="Retention periods inconsistent",
    message_zh="人脸照片的保存期限长于人脸信息的总保存期限，告知的期限与配置不一致。",
    message_en="Face photos are kept longer than the overall retention period; the notice and the "
               "configuration cannot both be true.",
    remedy_zh="使 retention.image_days 不超过 retention.days。",
    remedy_en="Make retention.image_days no longer than retention.days.",
)
def retention_inconsistent(m: Manifest) -> Iterator[Hit]:
    if m.retention.image_days is not None and m.retention.image_days > m.retention.days:
        yield Hit("retention.image_days", f"{m.retention.image_days} > {m.retention.days}")


@group.rule(
    "FG-08-09", ("G-7.1", "M-8.5", "M-19.1"), Severity.WARNING,
    title="Face images or video kept",
    message_zh="保存人脸照片或视频：原始图像应在比对完成后立即删除，保存须取得单独的书面授权。",
    message_en="Face images or video are kept: raw images should be deleted right after matching, "
               "and keeping them needs separate written authorisation.",
    remedy_zh="只保存特征模板；确需保存图像时设置 written_consent_required 并写明 retention.image_days。",
    remedy_en="Keep templates only; if images must be kept, set written_consent_required and "
              "retention.image_days.",
)
def images_kept(m: Manifest) -> Iterator[Hit]:
    raw = {FaceDataType.IMAGE, FaceDataType.VIDEO} & set(m.face_data_types)
    if raw and not (m.written_consent_required and m.retention.image_days is not None):
        yield Hit("face_data_types", ",".join(sorted(t.value for t in raw)))


@group.rule(
    "FG-08-10", ("P-38.1", "P-39.1", "M-8.2"), Severity.BLOCKING,
    title="Cross-border transfer without a PIPL Art. 38 mechanism",
    message_zh="人脸信息提供至境外，但未声明安全评估、认证或标准合同等出境条件。",
    message_en="Face information goes abroad without a security assessment, certification or "
               "standard contract (PIPL Art. 38).",
    remedy_zh="在 storage.export_mechanism 中声明出境条件，并取得单独的出境同意；或不出境。",
    remedy_en="Declare storage.export_mechanism and obtain separate export consent, or keep data in China.",
)
def export_without_mechanism(m: Manifest) -> Iterator[Hit]:
    if m.storage.cross_border and m.storage.export_mechanism is None:
        yield Hit("storage.cross_border")


@group.rule(
    "FG-08-11", ("P-39.1", "M-5.2"), Severity.BLOCKING,
    title="Cross-border provision without the PIPL Art. 39 details",
    message_zh="人脸信息提供至境外，但告知未写明境外接收方的名称、联系方式、处理目的、处理方式、个人信息种类，"
               "以及向境外接收方行使权利的方式和程序。",
    message_en="Face information goes abroad but the notice does not give the overseas recipient's name, "
               "contact, purpose, method, categories of information, and how to exercise rights against it.",
    remedy_zh="在 storage.cross_border_recipient 中写明上述各项（中英文）。",
    remedy_en="Fill in storage.cross_border_recipient (zh and en).",
)
def export_recipient_unstated(m: Manifest) -> Iterator[Hit]:
    if m.storage.cross_border and m.storage.cross_border_recipient is None:
        yield Hit("storage.cross_border_recipient")


RULES = tuple(group.rules)
