"""What a person agreed to, as data, and which changes need their fresh consent.

PIPL Art. 14 para 2 asks for fresh consent when the purpose, the method or the
categories of personal information change; the Measures add where the face is
kept and whether it travels over the Internet (Art. 8) and PIPL Arts. 23 and 39
add who receives it and whether it leaves China; NDSR Art. 22 forbids keeping
it beyond the consented period. Our reading (see docs/rules.md): a change that
*extends* what is done with the face is material and voids consent to the old
terms (M-6.4); a change that only *narrows* it (a purpose dropped, a shorter
retention, comparison moved onto the device) is told to the person (Art. 5
para 2, M-5.4) but does not need a new consent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from facegate.domain.reasons import Reason

# Less to more intrusive: moving right is an extension.
_MODE_ORDER = ("1:1", "1:N")
_PLACE_ORDER = ("on_device", "central")


@dataclass(frozen=True)
class ConsentTerms:
    """The material terms of one notice version (sorted tuples, so equal terms compare equal)."""

    purposes: tuple[str, ...] = ()
    mode: str = "1:1"
    comparison_at: str = "on_device"   # on_device | central
    storage_at: str = "on_device"      # on_device | central
    data_types: tuple[str, ...] = ("template",)
    internet_transmission: bool = False
    cross_border: bool = False
    recipients: tuple[str, ...] = ()   # processors, vendors, receiving parties and destinations
    retention_days: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ConsentTerms | None:
        if not data:
            return None
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("purposes", "data_types", "recipients"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


@dataclass(frozen=True)
class TermChange:
    """One material change: the field, and the requirement that makes it need fresh consent."""

    field: str
    article_id: str
    label_en: str
    label_zh: str


_CHANGES = {
    "purposes": ("M-6.4", "a new purpose", "新增处理目的"),
    "mode": ("M-6.4", "the comparison method (1:1 to 1:N)", "比对方式（一对一改为一对多）"),
    "comparison_at": ("M-6.4", "where faces are compared", "比对地点"),
    "data_types": ("M-6.4", "more kinds of face information kept", "新增保存的人脸信息种类"),
    "storage_at": ("M-8.2", "face information now stored off the device", "人脸信息改为存储于设备之外"),
    "internet_transmission": ("M-8.2", "transmission over the Internet", "通过互联网对外传输"),
    "cross_border": ("P-39.1", "provision outside mainland China", "向境外提供"),
    "recipients": ("M-6.4", "a new recipient or processor", "新增接收方或受托处理者"),
    "retention_days": ("N-22.1", "a longer retention period", "延长保存期限"),
}


def _later(order: tuple[str, ...], old: str, new: str) -> bool:
    rank = {v: i for i, v in enumerate(order)}
    return rank.get(new, len(order)) > rank.get(old, len(order))


def material_changes(old: ConsentTerms, new: ConsentTerms) -> tuple[TermChange, ...]:
    """The changes from ``old`` to ``new`` that extend processing, in a fixed order."""
    hits = [
        bool(set(new.purposes) - set(old.purposes)),
        _later(_MODE_ORDER, old.mode, new.mode),
        _later(_PLACE_ORDER, old.comparison_at, new.comparison_at),
        bool(set(new.data_types) - set(old.data_types)),
        _later(_PLACE_ORDER, old.storage_at, new.storage_at),
        new.internet_transmission and not old.internet_transmission,
        new.cross_border and not old.cross_border,
        bool(set(new.recipients) - set(old.recipients)),
        new.retention_days > old.retention_days,
    ]
    return tuple(TermChange(name, *_CHANGES[name]) for name, hit in zip(_CHANGES, hits, strict=True) if hit)


def stale_reason(change: TermChange) -> Reason:
    """The refusal for a consent given before ``change``: one stable code, the article of the change."""
    return Reason(
        "consent_stale", change.article_id,
        f"The notice changed since this person agreed ({change.label_en}); fresh consent is needed first.",
        f"个人同意后告知内容已变更（{change.label_zh}），须重新取得同意。",
    )


def notice_stale_reason(change: TermChange) -> Reason:
    """On a statutory basis there is no consent to renew, but the person must be told first (M-5.4)."""
    return Reason(
        "notice_stale", "M-5.4",
        f"The notice changed since this person was told ({change.label_en}); give them the new notice first.",
        f"向个人告知后告知内容已变更（{change.label_zh}），须先将变更部分告知个人。",
    )
