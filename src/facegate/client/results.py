"""Typed results of the REST API, as frozen dataclasses built from its JSON answers."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


@dataclass(frozen=True)
class Reason:
    code: str
    article_id: str
    message_en: str
    message_zh: str


@dataclass(frozen=True)
class Alternative:
    code: str
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    alternatives: tuple[Alternative, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Decision:
        return cls(bool(body.get("allowed")),
                   tuple(Reason(r["code"], r.get("article_id", ""), r.get("message_en", ""), r.get("message_zh", ""))
                         for r in body.get("reasons", [])),
                   tuple(Alternative(a["code"], a.get("name_en", ""), a.get("name_zh", ""))
                         for a in body.get("alternatives", [])))


@dataclass(frozen=True)
class Deployment:
    id: str
    name: str
    name_zh: str
    status: str
    mode: str
    purposes: tuple[str, ...]
    notice_version: str
    alternatives: tuple[Alternative, ...] = ()

    @classmethod
    def from_json(cls, b: dict[str, Any]) -> Deployment:
        return cls(b["id"], b["name"], b["name_zh"], b["status"], b["mode"], tuple(b["purposes"]),
                   b["notice_version"], tuple(Alternative(a["code"], a.get("name_en", ""), a.get("name_zh", ""))
                                              for a in b.get("alternatives", [])))


@dataclass(frozen=True)
class ConsentReceipt:
    consent_id: str
    receipt_code: str  # give it to the person: self-service and withdrawal use it
    deployment_id: str
    purpose: str
    notice_version: str
    actor: str


@dataclass(frozen=True)
class Enrolled:
    decision: Decision
    template_id: str
    expires_at: str


@dataclass(frozen=True)
class Verified:
    decision: Decision
    is_match: bool
    distance: float
    threshold: float


@dataclass(frozen=True)
class Candidate:
    subject_ref: str
    distance: float


@dataclass(frozen=True)
class Identified:
    decision: Decision
    candidates: tuple[Candidate, ...]
    threshold: float | None = None
    outcome: str | None = None  # identified | no_match | ambiguous
    open_set: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Withdrawn:
    withdrawn: int
    templates_deleted: int
    receipt_code: str


@dataclass(frozen=True)
class Deleted:
    receipt_code: str
    templates_deleted: int
    key_destroyed: bool
    scope: str = "deployment"


def enrolled(b: dict[str, Any]) -> Enrolled:
    return Enrolled(Decision.from_json(b), b["template_id"], str(b["expires_at"]))


def verified(b: dict[str, Any]) -> Verified:
    return Verified(Decision.from_json(b), bool(b["is_match"]), float(b["distance"]), float(b["threshold"]))


def identified(b: dict[str, Any]) -> Identified:
    return Identified(Decision.from_json(b), tuple(Candidate(c["subject_ref"], float(c["distance"]))
                                                   for c in b.get("candidates", [])),
                      b.get("threshold"), b.get("outcome"), b.get("open_set"))


def pick(cls: type[T], b: dict[str, Any]) -> T:
    """Build a flat result, ignoring fields a newer server adds."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in b.items() if k in names})
