"""The catalog of gate reason codes, each citing the requirement it enforces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """Why the gate refused (or, for ``ok``, allowed) an operation."""

    code: str
    article_id: str
    message_en: str
    message_zh: str


def _r(code: str, article_id: str, en: str, zh: str) -> Reason:
    return Reason(code, article_id, en, zh)


DEPLOYMENT_INACTIVE = _r(
    "deployment_inactive", "M-4.4",
    "This deployment is not active; face recognition may not run here.",
    "该部署未启用，不得在此进行人脸识别。",
)
DEPLOYMENT_BLOCKED = _r(
    "deployment_blocked", "M-4.4",
    "This deployment has blocking compliance findings and may not run.",
    "该部署存在阻断性合规问题，不得运行。",
)
PURPOSE_UNDECLARED = _r(
    "purpose_undeclared", "M-4.1",
    "The purpose is not one this deployment declared.",
    "该处理目的不在本部署已声明的目的之内。",
)
MODE_NOT_ALLOWED = _r(
    "mode_not_allowed", "M-4.3",
    "This deployment is configured for 1:1 verification only; 1:N identification is not allowed.",
    "本部署仅配置为1:1验证，不允许1:N辨识。",
)
CONSENT_MISSING = _r(
    "consent_missing", "M-6.1",
    "No separate consent to face processing is recorded for this person and purpose.",
    "未记录该个人针对此目的的人脸信息处理单独同意。",
)
CONSENT_WITHDRAWN = _r(
    "consent_withdrawn", "M-6.3",
    "The person has withdrawn consent to face processing.",
    "该个人已撤回人脸信息处理同意。",
)
CONSENT_STALE = _r(
    "consent_stale", "M-6.4",
    "Consent was given to an earlier notice whose purpose, method or data types changed; new consent is needed.",
    "同意针对的告知已变更处理目的、方式或人脸信息种类，需重新取得同意。",
)
GUARDIAN_CONSENT_MISSING = _r(
    "guardian_consent_missing", "M-7.2",
    "The person is under 14; consent from a parent or guardian is required.",
    "该个人不满十四周岁，须取得其父母或其他监护人的同意。",
)
MINORS_NOT_ALLOWED = _r(
    "minors_not_allowed", "M-7.3",
    "This deployment does not process the face information of minors under 14.",
    "本部署不处理不满十四周岁未成年人的人脸信息。",
)
AGE_NOT_ESTABLISHED = _r(
    "age_not_established", "M-7.1",
    "This deployment may meet children under 14, and no age was established for this person: "
    "give a date of birth or a recorded attestation that they are 14 or over.",
    "本部署可能涉及不满十四周岁的未成年人，但未确认该个人的年龄：须提供出生日期或经记录的年满十四周岁声明。",
)
TRANSMISSION_CONSENT_MISSING = _r(
    "transmission_consent_missing", "M-8.2",
    "Face information here is stored off the device or sent over the Internet; the person's separate "
    "consent to that is not recorded.",
    "本部署的人脸信息存储于设备之外或通过互联网对外传输，但未记录该个人对此的单独同意。",
)
CROSS_BORDER_CONSENT_MISSING = _r(
    "cross_border_consent_missing", "P-39.1",
    "Face information here is provided outside mainland China; the person's separate consent to that is "
    "not recorded (PIPL Art. 39).",
    "本部署向境外提供人脸信息，但未记录该个人对此的单独同意（个人信息保护法第三十九条）。",
)
NOTICE_NOT_RECORDED = _r(
    "notice_not_recorded", "M-5.1",
    "No record shows this person was given the current notice; on a statutory basis the notice is still "
    "due before processing.",
    "没有记录表明已向该个人告知当前告知书；依据法律规定处理的，处理前仍须告知。",
)
NOTICE_STALE = _r(  # the generic form; domain.terms names the change that made the record stale
    "notice_stale", "M-5.4",
    "The notice changed since this person was told; give them the new notice first.",
    "向个人告知后告知内容已变更，须先将变更部分告知个人。",
)
STATUTE_UNCITED = _r(
    "statute_uncited", "M-6.7",
    "The deployment claims a statutory basis without a reviewed citation of the law and article.",
    "部署声称依据法律规定处理，但未提供经审核的法律名称及条款。",
)
TEMPLATE_EXPIRED = _r(
    "template_expired", "M-8.5",
    "The stored face template has passed its retention period.",
    "存储的人脸模板已超过保存期限。",
)
NOT_ENROLLED = _r(
    "not_enrolled", "M-10.1",
    "No face template is held for this person here; use the alternative.",
    "此处未保存该个人的人脸模板，请使用其他方式。",
)
SUBJECT_LOCKED = _r(
    "subject_locked", "M-14.5",
    "Face verification for this person is locked after repeated failures; the alternatives remain open.",
    "因多次验证失败，该个人的人脸验证已被暂时锁定，其他验证方式仍可使用。",
)
ASSESSMENT_OUTDATED = _r(
    "assessment_outdated", "M-9.5",
    "The purposes or method changed, or a major security incident happened, and the grace period for "
    "a new impact assessment is over; face processing is refused until it is redone.",
    "处理目的、方式发生变化或发生重大安全事件，重新评估的宽限期已过；重新进行个人信息保护影响评估前不再处理人脸信息。",
)
# Presentation-attack defence: Art. 14 lists its measures with "等" (among others); a check that a
# live person is in front of the camera is read here as part of intrusion prevention (M-14.5).
LIVENESS_REQUIRED = _r(
    "liveness_required", "M-14.5",
    "This deployment needs a passed liveness check (head movements on camera) before face verification.",
    "本部署在人脸验证前须通过活体检测（按提示转头、点头）。",
)
LIVENESS_CHALLENGE_UNKNOWN = _r(
    "liveness_challenge_unknown", "M-14.5",
    "The liveness challenge is unknown here; start the check again.",
    "活体检测挑战无效，请重新开始检测。",
)
LIVENESS_CHALLENGE_USED = _r(
    "liveness_challenge_used", "M-14.5",
    "This liveness challenge was already used; each one counts once.",
    "该活体检测挑战已被使用，每个挑战只能使用一次。",
)
LIVENESS_EXPIRED = _r(
    "liveness_expired", "M-14.5",
    "The frames arrived after the liveness challenge expired; start the check again.",
    "图像在活体检测挑战过期后才送达，请重新开始检测。",
)
LIVENESS_FRAMES_INVALID = _r(
    "liveness_frames_invalid", "M-14.5",
    "The liveness frames are missing, too many, or do not cover every step.",
    "活体检测图像缺失、过多或未覆盖每个步骤。",
)
LIVENESS_OUT_OF_ORDER = _r(
    "liveness_out_of_order", "M-14.5",
    "The frames are not in the order they were asked for.",
    "图像顺序与要求的动作顺序不符。",
)
LIVENESS_REPLAYED = _r(
    "liveness_replayed", "M-14.5",
    "These frames were already sent once; a recording cannot be used again.",
    "这些图像此前已提交过，不能重复使用录制的画面。",
)
LIVENESS_NO_MOTION = _r(
    "liveness_no_motion", "M-14.5",
    "Nothing moved between the frames, as with a still photo; a live person is needed.",
    "各帧之间没有任何变化（如静态照片），须由真人完成检测。",
)
LIVENESS_FACE_LOST = _r(
    "liveness_face_lost", "M-14.5",
    "A face was not seen in every step; keep your face in view and try again.",
    "并非每个步骤都检测到人脸，请保持面部在画面内后重试。",
)
LIVENESS_PERSON_CHANGED = _r(
    "liveness_person_changed", "M-14.5",
    "The frames do not all show the same person.",
    "各帧图像并非同一人。",
)
LIVENESS_MOVEMENT_MISMATCH = _r(
    "liveness_movement_mismatch", "M-14.5",
    "The head did not move as asked.",
    "头部动作与提示不符。",
)
LIVENESS_SPOOF_SUSPECTED = _r(
    "liveness_spoof_suspected", "M-14.5",
    "The anti-spoofing model judged the frames to be a photo, screen or mask.",
    "防伪模型判断图像来自照片、屏幕或面具。",
)
OK = _r("ok", "M-4.1", "Allowed.", "允许。")
OK_STATUTE = _r(
    "ok_statutory_basis", "M-6.7",
    "Allowed on the statutory basis the deployment cites; consent is not the legal basis here.",
    "依据部署所引用的法律、行政法规处理，不以个人同意为处理依据。",
)
