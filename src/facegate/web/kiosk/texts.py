"""Every sentence the kiosk and self-service pages show, in Chinese and English.

Copy rules (M-12.1): never say face recognition is required when an alternative
exists, never claim a legal duty to use it, and give the alternative the same
weight and the same wording style as the face option.
"""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("zh", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "lang_name": ("中文", "English"),
    "other_lang": ("English", "中文"),
    "skip": ("跳到主要内容", "Skip to main content"),
    "large_text": ("大字模式", "Large text"),
    "high_contrast": ("高对比度", "High contrast"),
    "read_aloud": ("朗读告知书", "Read the notice aloud"),
    "stop_reading": ("停止朗读", "Stop reading"),
    "notice_lead": ("使用人脸识别前，请先了解以下内容。", "Before any face recognition, please read this."),
    "full_text": ("查看告知书全文", "Show the full notice"),
    "notice_version": ("告知书版本", "Notice version"),
    "choose": ("请选择办理方式", "Choose how you want to continue"),
    "choose_hint": ("两种方式办理结果相同；不同意刷脸不影响您办理业务。",
                    "Both ways give the same result. Saying no to face recognition does not affect your service."),
    "face_option": ("使用人脸识别", "Use face recognition"),
    "alt_option": ("不使用人脸识别：", "Without face recognition: "),
    "purpose": ("用途", "Purpose"),
    "your_ref": ("您的编号（订单号、会员号等）", "Your reference (booking or member number)"),
    "ref_hint": ("首次登记可留空，系统将为您生成新编号。已登记的编号须凭确认码使用。",
                 "New here? Leave it empty and we will give you a new reference. A reference that is already "
                 "registered needs a confirmation code."),
    "claim_code": ("确认码（工作人员、预订短信或下方刷脸核验提供）",
                   "Confirmation code (from staff, your booking, or the face check below)"),
    "issued_ref": ("您的新编号", "Your new reference"),
    "issued_ref_keep": ("请记下此编号：以后在此核验身份时需要填写。", "Note this reference: you need it to verify here later."),
    "claim_ready": ("核验通过。确认码已填入上方同意表单。", "Verified. The confirmation code is filled into the consent form above."),
    "dob": ("出生日期", "Date of birth"),
    "dob_hint": ("用于确认是否未满十四周岁；我们不保存出生日期。",
                 "Used only to check whether you are under 14; we do not keep it."),
    "face_consent": ("我已阅读上述告知书，单独同意为上述用途处理我的人脸信息。",
                     "I have read the notice above and separately consent to my face information being processed "
                     "for this purpose."),
    "consent_hint": ("此项仅针对人脸信息，不勾选也可以选择其他方式办理。",
                     "This covers face information only. You may leave it unticked and use the other way instead."),
    "separate_internet_transmission": (
        "我单独同意将我的人脸信息存储于人脸识别设备之外或通过互联网传输，详见告知书“怎样处理”。",
        "I separately consent to my face information being stored off the device or sent over the Internet, "
        "as the notice explains under \"How it works\"."),
    "separate_cross_border": (
        "我单独同意将我的人脸信息提供至境外接收方，详见告知书“向境外提供”。",
        "I separately consent to my face information being provided to the recipient outside mainland China "
        "named in the notice."),
    "notice_read": ("我已阅读上述告知书。本场所依据法律规定处理人脸信息，不以同意为依据。",
                    "I have read the notice above. Face information is processed here under a law, not on consent."),
    "notice_changed": ("告知内容已变更，请阅读以下变更部分。", "The notice has changed; please read the changed parts."),
    "agree": ("提交同意", "Submit consent"),
    "refuse": ("我不同意，改用其他方式", "I do not agree - use the other way"),
    "guardian_title": ("监护人同意（未满十四周岁）", "Guardian's consent (under 14)"),
    "guardian_lead": ("未满十四周岁的未成年人，须由父母或者其他监护人同意。",
                      "For a child under 14, a parent or other guardian must consent."),
    "guardian_ref": ("监护人身份证件号或编号", "Guardian's ID or reference"),
    "relationship": ("与孩子的关系", "Relationship to the child"),
    "parent": ("父母", "Parent"),
    "other_guardian": ("其他监护人", "Other guardian"),
    "guardian_consent": ("我是该未成年人的监护人，已阅读告知书及未成年人处理规则，单独同意处理其人脸信息。",
                         "I am this child's guardian, have read the notice and the rules for children, and "
                         "separately consent to the child's face information being processed."),
    "minors_blocked": ("本场所不为未满十四周岁的未成年人办理人脸识别，请使用其他方式。",
                       "Face recognition is not offered here for children under 14. Please use the other way."),
    "receipt_title": ("已记录您的同意", "Your consent is recorded"),
    "notice_receipt_keep": ("请保存此回执码：凭它可查询所保存的信息、申请删除或投诉。它只显示这一次。",
                            "Keep this code: with it you can see what is held, ask for deletion or complain. "
                            "It is shown only once."),
    "notice_receipt_title": ("已记录向您告知", "It is recorded that you were given the notice"),
    "receipt_code": ("回执码", "Receipt code"),
    "receipt_keep": ("请保存此回执码：凭它可查询、撤回同意、删除信息或投诉。它只显示这一次。",
                     "Keep this code: with it you can see what is held, withdraw, ask for deletion or complain. "
                     "It is shown only once."),
    "capture_title": ("采集人脸", "Capture your face"),
    "verify_title": ("已登记？核验身份", "Already registered? Verify"),
    "camera_start": ("打开摄像头", "Turn on the camera"),
    "camera_note": ("摄像头只在您点击后打开；照片只在内存中比对，不会保存。",
                    "The camera turns on only when you press the button. The photo is compared in memory and "
                    "never stored."),
    "take_photo": ("拍照并提交", "Take photo and send"),
    "upload": ("或上传照片", "Or upload a photo"),
    "send_photo": ("提交照片", "Send photo"),
    "enrolled": ("登记完成。", "Registration complete."),
    "match": ("核验通过：是您本人。", "Verified: it is you."),
    "no_match": ("未通过核验，请重试或使用其他方式。", "Not verified. Try again or use the other way."),
    "alt_title": ("不使用人脸识别办理", "Continue without face recognition"),
    "alt_done_btn": ("工作人员已完成核验", "Staff have completed the check"),
    "alt_done": ("已通过其他方式完成办理，未处理任何人脸信息。",
                 "Done without face recognition. No face information was processed."),
    "face_after_all": ("仍想使用人脸识别", "Use face recognition after all"),
    "finish": ("完成，下一位", "Finish - next person"),
    "self_service": ("个人信息自助服务", "Self-service for your information"),
    "self_lead": ("输入回执码，查看我们保存的关于您的信息，撤回同意、删除或投诉。",
                  "Enter your receipt code to see what we hold about you, withdraw consent, ask for deletion "
                  "or complain."),
    "look_up": ("查询", "Look up"),
    "held_title": ("我们保存的关于您的信息", "What we hold about you"),
    "deployment": ("场所", "Place"),
    "status": ("状态", "Status"),
    "st_active": ("同意有效", "Consent in force"),
    "st_stale": ("用途、方式或数据类型已变更，再次使用人脸识别前需要重新同意",
                 "Purpose, method or data changed: new consent is needed before face recognition is used again"),
    "st_withdrawn": ("已撤回同意", "Consent withdrawn"),
    "st_deleted": ("信息已删除", "Information deleted"),
    "given_at": ("同意时间", "Consent given"),
    "withdrawn_at": ("撤回/删除时间", "Withdrawn / deleted"),
    "actor": ("同意人", "Consent given by"),
    "actor_self": ("本人", "yourself"),
    "actor_guardian": ("监护人", "a guardian"),
    "templates": ("人脸特征模板数量", "Face templates held"),
    "expires": ("最晚删除时间", "Deleted at the latest on"),
    "no_image": ("我们不保存您的照片；模板本身不会显示或导出。",
                 "We keep no photo of you; the template itself is never shown or exported."),
    "changed": ("自您同意以来，告知书以下部分有变化：", "Since you consented, these parts of the notice changed:"),
    "requests": ("您的申请记录", "Your requests"),
    "due": ("答复期限", "Reply due by"),
    "withdraw": ("撤回同意（立即删除人脸模板）", "Withdraw consent (face templates deleted at once)"),
    "delete": ("删除我的全部信息", "Delete all my information"),
    "complaint": ("投诉", "Complaint"),
    "complaint_text": ("投诉内容", "What is your complaint?"),
    "contact": ("联系方式（选填）", "How to reach you (optional)"),
    "send": ("提交", "Send"),
    "withdrawn_title": ("已撤回同意", "Consent withdrawn"),
    "deleted_title": ("已删除", "Deleted"),
    "deletion_receipt": ("删除回执码", "Deletion receipt code"),
    "templates_deleted": ("已删除的人脸模板", "Face templates deleted"),
    "complaint_title": ("投诉已受理", "Complaint received"),
    "complaint_due": ("我们将在以下日期前答复（个人信息保护法第五十条；默认15个工作日）：",
                      "We will reply by (PIPL Art. 50; 15 working days by default):"),
    "back": ("返回", "Back"),
    "error": ("未能完成", "Could not complete"),
    "try_alt": ("您也可以不使用人脸识别：", "You can also continue without face recognition:"),
    "kinds_withdrawal": ("撤回同意", "withdrawal"),
    "kinds_deletion": ("删除", "deletion"),
    "kinds_complaint": ("投诉", "complaint"),
    "done": ("已完成", "done"),
    "open": ("处理中", "open"),
    "answered": ("已答复", "answered"),
    "refused": ("已拒绝", "refused"),
    "answer": ("答复", "Answer"),
    "refusal_reason": ("拒绝理由", "Reason for refusal"),
    "answered_late": ("（晚于答复期限）", "(after the due date)"),
    # The step-by-step kiosk, its idle reset and the receipt slip (issue 16 items 1-3).
    "steps": ("办理步骤", "Steps"),
    "step_notice": ("告知", "Notice"),
    "step_choice": ("选择", "Choice"),
    "step_consent": ("同意", "Consent"),
    "step_capture": ("采集", "Capture"),
    "step_done": ("完成", "Done"),
    "next": ("已阅读，下一步", "I have read it - next"),
    "idle_left": ("无操作{s}秒后自动清除", "Clears in {s} s without a touch"),
    "idle_title": ("还在吗？屏幕即将为下一位清除。", "Still there? The screen will clear for the next person."),
    "idle_stay": ("继续办理", "Continue"),
    "receipt_qr": ("用手机扫码，可在自助服务页面使用此回执码。", "Scan with your phone to use this code in self-service."),
    "print_receipt": ("打印回执", "Print the receipt"),
    "skip_capture": ("暂不采集，完成", "Not now - finish"),
    "onward": ("已保存回执，下一步", "I have my receipt - next"),
    "done_lead": ("已完成。请带走您的回执。", "All done. Please keep your receipt."),
    "done_empty": ("本次办理已结束。", "This visit is finished."),
    "camera_only": ("此处只能使用现场摄像头，不能上传照片。", "Only the live camera can be used here, not an uploaded photo."),
    "public_lead": ("这是本场所人脸识别的公开告知书，无需登录即可查看。",
                    "This is the public notice for face recognition at this place; anyone may read it."),
    "home": ("首页", "Home"),
}


def translator(lang: str) -> Callable[[str], str]:
    i = 1 if lang == "en" else 0

    def t(key: str) -> str:
        pair = TEXTS.get(key)
        return pair[i] if pair else key

    return t


def pick_lang(value: str | None) -> str:
    return value if value in LANGS else "zh"  # Chinese first: the notice's language of record
