"""Words for the console's enums and codes in Chinese and English: no raw ``on_device`` or ``draft`` on a page.

``label(kind, value, lang)`` is handed to every console template; an unknown value
is shown as itself (so a new code is visible, not hidden) in a ``<code>`` by the template.
"""

from __future__ import annotations

from facegate.governance.vocab import PURPOSES

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "photo": {
        "no_face": ("未检测到人脸", "no face found"),
        "multiple_faces": ("多张人脸", "several faces"),
        "face_too_small": ("人脸过小", "face too small"),
        "image_undecodable": ("无法识别的图像", "unreadable image"),
        "image_too_large": ("图像过大", "image too large"),
        "image_too_many_pixels": ("像素过多", "too many pixels"),
        "image_truncated": ("图像不完整", "truncated image"),
        "face_blurred": ("人脸模糊", "blurred face"),
        "face_turned": ("人脸偏转", "face turned away"),
        "face_too_dark": ("人脸过暗", "face too dark"),
        "face_too_bright": ("人脸过亮", "face too bright"),
    },
    "status": {
        "draft": ("草稿", "draft"), "approved": ("已批准", "approved"), "superseded": ("已取代", "superseded"),
        "open": ("待处理", "open"), "submitted": ("已提交", "submitted"), "accepted": ("已受理", "accepted"),
        "rejected": ("被退回", "rejected"), "active": ("运行中", "active"), "inactive": ("已停用", "inactive"),
        "blocked": ("已阻断", "blocked"),
    },
    "severity": {"blocking": ("阻断", "blocking"), "warning": ("警告", "warning"), "advice": ("建议", "advice")},
    "locality": {"on_device": ("设备端存储", "on the device"), "central": ("集中存储", "central store")},
    "mode": {"1:1": ("1:1验证", "1:1 verification"), "1:N": ("1:N辨识", "1:N identification")},
    "filing": {
        "initial_filing": ("首次备案", "initial filing"), "change_filing": ("变更备案", "change filing"),
        "cancellation_filing": ("注销备案", "cancellation filing"),
    },
    "actor": {"self": ("本人", "the person"), "guardian": ("监护人", "a guardian"), "staff": ("工作人员", "staff")},
    "role": {"admin": ("管理员", "admin"), "operator": ("操作员", "operator"), "auditor": ("审计员", "auditor"),
             "device": ("设备", "device")},
}


def label(kind: str, value: object, lang: str) -> str:
    """The word for ``value`` of ``kind`` in ``lang`` (zh|en); the value itself when there is none."""
    raw = str(getattr(value, "value", value))
    if kind == "purpose":
        info = PURPOSES.get(raw)
        return (info.zh if lang == "zh" else info.en) if info else raw
    pair = LABELS.get(kind, {}).get(raw)
    if pair is None:
        return raw
    return pair[0] if lang == "zh" else pair[1]
