"""The Art. 5 notice built from a manifest, in Chinese and English, with a content hash.

Section keys map to Art. 5 para 1: ``processor`` (一); ``purposes``, ``method``,
``retention`` (二); ``necessity``, ``rights_impact`` (三); ``rights`` (四);
``extra`` (五). ``alternatives`` is the Art. 10 choice and ``minors`` the
separate under-14 rules of Art. 7 para 2 (M-7.3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from facegate.domain.model import english_name
from facegate.governance.canonical import content_hash
from facegate.governance.manifest import Manifest, purpose_label
from facegate.governance.notice_parts import (
    cross_border_section,
    legal_basis_section,
    method_text,
    retention_tail,
    rights_text,
)
from facegate.governance.vocab import FaceDataType


@dataclass(frozen=True)
class NoticeSection:
    key: str
    heading: str
    body: str


@dataclass(frozen=True)
class NoticeText:
    language: str
    title: str
    sections: tuple[NoticeSection, ...]

    def section(self, key: str) -> NoticeSection | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass(frozen=True)
class Notice:
    zh: NoticeText
    en: NoticeText
    version: str  # sha256 of the canonical content of both languages

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.zh.sections)


def _retention(m: Manifest) -> tuple[str, str]:
    d = m.retention.days
    tail_zh, tail_en = retention_tail(m)
    zh = f"人脸信息最多保存{d}天，到期自动删除；{tail_zh}"
    en = f"We keep face information for at most {d} days and then delete it automatically; {tail_en}"
    if (until := m.retention.until) is not None:  # M-8.5: tied to an event, with the outer limit
        zh = f"人脸信息保存至{until.event.zh}后{until.days_after}天，最多不超过{d}天，到期自动删除；{tail_zh}"
        en = (f"We keep face information until {until.event.en} plus {until.days_after} days, and never "
              f"more than {d} days, then delete it automatically; {tail_en}")
    if m.retention.image_days is not None and FaceDataType.IMAGE in m.face_data_types:
        zh += f"人脸照片最多保存{m.retention.image_days}天。"
        en += f" Face photos are kept for at most {m.retention.image_days} days."
    return zh, en


_STOPS = "。.！!？?；;"


def _bare(text: str) -> str:
    """Text without its closing stop, so joining sentences never prints "Ltd.." or "…spot.)." (issue 16)."""
    return text.rstrip().rstrip(_STOPS)


def _sections(m: Manifest) -> list[tuple[str, str, str, str, str]]:
    """(key, heading_zh, body_zh, heading_en, body_en) in display order."""
    p = m.processor
    n = m.notice
    out = [
        ("processor", "谁在处理您的人脸信息", f"{_bare(p.name.zh)}。联系方式：{_bare(p.contact)}。",
         "Who processes your face information",
         f"{_bare(english_name(p.name.zh, p.name.en))}. Contact: {_bare(p.contact)}."),
        ("purposes", "为什么使用人脸识别",
         "；".join(_bare(purpose_label(x)[0]) for x in m.purposes) + "。",
         "What we use face recognition for",
         "; ".join(_bare(purpose_label(x)[1]) for x in m.purposes) + "."),
        ("method", "怎样处理", *_pair_split(method_text(m), "How it works")),
        ("retention", "保存多久", *_pair_split(_retention(m), "How long we keep it")),
        ("necessity", "为什么必须使用人脸识别", "".join(x.necessity.zh for x in m.purposes),
         "Why face recognition is needed", " ".join(x.necessity.en for x in m.purposes)),
        ("rights_impact", "对您权益的影响", n.effect_on_rights.zh,
         "How this affects you", n.effect_on_rights.en),
        ("rights", "您的权利和行使方式", *_pair_split(rights_text(m), "Your rights and how to use them")),
    ]
    basis, abroad = legal_basis_section(m), cross_border_section(m)
    if basis is not None:
        out.insert(1, basis)  # right after who processes: on what basis (M-6.7)
    if abroad is not None:
        out.append(abroad)
    if m.alternatives:
        zh = "；".join(f"{_bare(a.name.zh)}（{_bare(a.how_offered.zh)}）" for a in m.alternatives)
        en = "; ".join(f"{_bare(a.name.en)} ({_bare(a.how_offered.en)})" for a in m.alternatives)
        out.append(("alternatives", "不想刷脸怎么办",
                    f"您可以不使用人脸识别，改用：{zh}。不同意刷脸不影响您办理业务。",
                    "If you do not want to use your face",
                    f"You do not have to use face recognition. Instead you can use: {en}. "
                    "Saying no does not stop you from getting the service."))
    if m.minors.under_14_allowed:
        out.append(("minors", "不满十四周岁未成年人人脸信息处理规则", *_pair_split(_minors(m), "")))
    if n.extra is not None:
        out.append(("extra", "其他事项", n.extra.zh, "Other information", n.extra.en))
    return out


def _pair_split(pair: tuple[str, str], heading_en: str) -> tuple[str, str, str]:
    # Returns (body_zh, heading_en, body_en); the minors section supplies its own heading.
    return pair[0], heading_en or "Rules for children under 14", pair[1]


def _minors(m: Manifest) -> tuple[str, str]:
    rules = m.minors.special_rules
    zh = ["处理不满十四周岁未成年人的人脸信息，须取得其父母或者其他监护人的同意。"]
    en = ["For children under 14 we need the consent of a parent or other guardian."]
    labels = (("storage", "存储", "Storage"), ("use", "使用", "Use"),
              ("transfer", "转移", "Transfer"), ("disclosure", "披露", "Disclosure"))
    for attr, lzh, len_ in labels:
        text = getattr(rules, attr) if rules else None
        zh.append(f"{lzh}：{text.zh if text else '（未制定）'}")
        en.append(f"{len_}: {text.en if text else '(not yet written)'}")
    return "".join(s if s.endswith("。") else s + "。" for s in zh), " ".join(
        s if s.endswith(".") else s + "." for s in en)


def build_notice(m: Manifest) -> Notice:
    """Build the notice for a manifest (M-5.1..M-5.7, M-7.3)."""
    rows = _sections(m)
    zh = NoticeText("zh", f"人脸识别告知书：{m.name.zh}",
                    tuple(NoticeSection(k, hz, bz) for k, hz, bz, _, _ in rows))
    en = NoticeText("en", f"Face recognition notice: {m.name.en}",
                    tuple(NoticeSection(k, he, be) for k, _, _, he, be in rows))
    version = content_hash({"zh": asdict(zh), "en": asdict(en)})
    return Notice(zh, en, version)


def notice_changes(old: Notice, new: Notice) -> list[str]:
    """Keys of sections added, removed or reworded: the changed parts to tell people (M-5.4)."""
    changed: list[str] = []
    keys = list(dict.fromkeys([*old.keys, *new.keys]))
    for key in keys:
        before = (old.zh.section(key), old.en.section(key))
        after = (new.zh.section(key), new.en.section(key))
        if before != after:
            changed.append(key)
    if old.zh.title != new.zh.title or old.en.title != new.en.title:
        changed.insert(0, "title")
    return changed
