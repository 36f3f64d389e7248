"""Notice sections whose truth depends on the legal basis, the channel or the recipient.

Kept apart from ``notice.py`` so that each sentence here can be checked against the
article it serves: the method as it really runs (a national identity channel compares
faces itself, M-11.1), the legal basis where a law and not consent is relied on (M-6.7,
no "withdraw consent" to offer), the overseas recipient of PIPL Art. 39, and the rights
of PIPL Arts. 44-50.
"""

from __future__ import annotations

from facegate.domain.model import Mode, StorageLocality
from facegate.governance.manifest import Manifest
from facegate.governance.vocab import FaceDataType, LegalBasisType, NationalChannel

_DATA_ZH = {FaceDataType.TEMPLATE: "人脸特征模板", FaceDataType.IMAGE: "人脸照片", FaceDataType.VIDEO: "视频画面"}
_DATA_EN = {FaceDataType.TEMPLATE: "a face template (numbers computed from your face)",
            FaceDataType.IMAGE: "face photos", FaceDataType.VIDEO: "video frames"}
_CHANNEL = {
    NationalChannel.NATIONAL_POPULATION_DATABASE: ("国家人口基础信息库", "the national population basic information database"),
    NationalChannel.NATIONAL_NETWORK_IDENTITY_AUTHENTICATION: (
        "国家网络身份认证公共服务", "the national network identity authentication public service"),
}


def is_statutory(m: Manifest) -> bool:
    return m.legal_basis.type is LegalBasisType.STATUTE


def method_text(m: Manifest) -> tuple[str, str]:
    """How faces are compared and where they are kept, as it really happens (Art. 5 item (二))."""
    one = m.method.mode is Mode.VERIFY
    zh = ["一对一比对：把现场采集的人脸与您本人登记的人脸比对，确认是不是您本人。" if one else
          "一对多比对：把现场采集的人脸与系统中一定范围内登记的人脸逐一比对，找出是谁。"]
    en = ["One-to-one check: your face is compared only with the face you registered, to confirm it is you."
          if one else
          "One-to-many search: a captured face is compared with many registered faces to find who it is."]
    channel = _CHANNEL.get(m.national_identity_channel)
    kept_zh = "、".join(_DATA_ZH[t] for t in m.face_data_types)
    kept_en = ", ".join(_DATA_EN[t] for t in m.face_data_types)
    on_device = m.storage.locality is StorageLocality.ON_DEVICE
    if channel:
        # The national service compares; saying "on our servers" or "only on the device" would be untrue.
        zh.append(f"核验身份时，现场采集的人脸会发送至{channel[0]}，由其与您的证件照片比对，我们接收比对结果。")
        en.append(f"To check your identity, the face captured here is sent to {channel[1]}, which compares it "
                  "with your ID photo; we receive the result.")
        zh.append(f"此外，我们自己保存{kept_zh}，存放在{'本台人脸识别设备内' if on_device else '我们的服务器上'}。")
        en.append(f"Besides the result, we ourselves keep {kept_en}, "
                  f"{'on this face recognition device' if on_device else 'on our servers'}.")
    else:
        zh.append("比对在现场设备上完成。" if m.method.locality is StorageLocality.ON_DEVICE
                  else "比对在我们的服务器上完成。")
        en.append("The comparison happens on the device in front of you." if m.method.locality
                  is StorageLocality.ON_DEVICE else "The comparison happens on our servers.")
        zh.append(f"我们保存{kept_zh}，" + ("只存放在人脸识别设备内。" if on_device else "存放在我们的服务器上。"))
        en.append(f"We keep {kept_en}, " + ("stored only inside the face recognition device." if on_device
                                            else "stored on our servers."))
    if m.storage.internet_transmission:
        dest = m.storage.destination or "—"
        zh.append(f"人脸信息会通过互联网传输至：{dest}。")
        en.append(f"Face information is sent over the Internet to: {dest}.")
    if m.storage.cross_border:
        zh.append("人脸信息会提供至境外，详见“向境外提供”。")
        en.append("Face information is provided outside mainland China; see \"Provision abroad\".")
    zh.append(f"技术提供方：{m.method.vendor}（{m.method.engine}）。")
    en.append(f"Technology provider: {m.method.vendor} ({m.method.engine}).")
    return "".join(zh), " ".join(en)


def legal_basis_section(m: Manifest) -> tuple[str, str, str, str, str] | None:
    """Where a law is the basis, the notice names it and says consent is not what it rests on (M-6.7)."""
    s = m.legal_basis.statute
    if not is_statutory(m) or s is None:
        return None
    return ("legal_basis", "处理依据",
            f"我们依据《{s.name.strip('《》')}》{s.article}处理您的人脸信息，不以您的同意为处理依据。",
            "Legal basis",
            f"We process your face information under {s.name} {s.article}; it does not rest on your consent.")


def cross_border_section(m: Manifest) -> tuple[str, str, str, str, str] | None:
    """PIPL Art. 39: recipient, contact, purpose, method, categories, how to use your rights against it."""
    if not m.storage.cross_border:
        return None
    r = m.storage.cross_border_recipient
    if r is None:
        return ("cross_border", "向境外提供", "境外接收方：（未写明）。", "Provision abroad",
                "Recipient outside mainland China: (not stated).")
    return ("cross_border", "向境外提供",
            f"境外接收方：{r.name}，联系方式：{r.contact}。处理目的：{r.purpose.zh}处理方式：{r.method.zh}"
            f"个人信息种类：{r.categories.zh}向境外接收方行使权利的方式和程序：{r.how_to_exercise_rights.zh}",
            "Provision abroad",
            f"Recipient outside mainland China: {r.name}, contact: {r.contact}. Purpose: {r.purpose.en} "
            f"Method: {r.method.en} Categories: {r.categories.en} How to use your rights against the "
            f"recipient: {r.how_to_exercise_rights.en}")


def rights_text(m: Manifest) -> tuple[str, str]:
    """PIPL Arts. 44-50 (and Art. 15 where consent is the basis), then the deployment's own channel."""
    n = m.notice
    withdraw_zh = "随时撤回同意；" if not is_statutory(m) else ""
    withdraw_en = "withdraw consent at any time; " if not is_statutory(m) else ""
    zh = (f"{n.how_to_exercise_rights.zh}您可以：{withdraw_zh}查阅、复制您的人脸信息；要求更正、补充；要求删除；"
          "要求我们解释说明处理规则；限制或者拒绝处理（法律、行政法规另有规定的除外）；"
          "符合国家网信部门规定条件的，请求转移至您指定的个人信息处理者。我们拒绝您的请求时会说明理由，"
          f"您可以依法向人民法院起诉，也可以向网信等部门投诉、举报。联系：{n.rights_contact}。")
    en = (f"{n.how_to_exercise_rights.en} You can: {withdraw_en}see and get a copy of your face information; "
          "have it corrected or completed; have it deleted; ask us to explain how we process it; restrict or "
          "refuse the processing (unless a law or administrative regulation says otherwise); and, where the "
          "cyberspace authority's conditions are met, have it transferred to another processor you name. If "
          "we refuse a request we tell you why, and you may go to court or complain to the cyberspace "
          f"authorities. Contact: {n.rights_contact}.")
    return zh, en


def retention_tail(m: Manifest) -> tuple[str, str]:
    """When we also delete: on withdrawal only where consent is the basis."""
    if is_statutory(m):
        return "处理目的实现或您注销后我们也会删除。", "we also delete it once the purpose is met or you close your account."
    return "您撤回同意或注销后我们也会删除。", "we also delete it when you withdraw consent or close your account."
