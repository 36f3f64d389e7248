"""Processing-record events and the hash that links each to the one before (M-9.3, M-14.2).

Events hold pseudonymous references only (keyed hashes of subject ids), never
face data. The link is ``H(prev_hash || canonical_json(event))`` with SHA-256
by default and SM3 selectable; the hash function is passed in so this module
stays free of crypto libraries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring
from typing import Protocol

GENESIS = "0" * 64

HashFn = Callable[[bytes], bytes]


@dataclass(frozen=True)
class AuditEvent:
    """One processing event as the service sees it, before it is chained."""

    kind: str  # enroll, verify, identify, delete, consent_given, consent_withdrawn, ...
    at: datetime
    actor: str = "system"  # api key id or "cli" / "system"
    deployment_id: str | None = None
    subject_ref: str | None = None  # keyed hash, never the integrator's id itself
    allowed: bool | None = None
    reason_codes: tuple[str, ...] = ()
    detail: dict[str, object] = field(default_factory=dict)


class Linked(Protocol):
    """What verifying the chain reads of each record: a ``ChainedEvent``, or a store's row checked as stored."""

    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def at(self) -> datetime: ...

    def is_consistent(self, hash_fn: HashFn) -> bool:
        """Its ``hash`` is the link of its ``prev_hash`` and content; False, never an error, for a bad field."""
        ...


@dataclass(frozen=True)
class ChainedEvent:
    """An event as stored: numbered and linked."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str

    @property
    def at(self) -> datetime:
        return self.event.at

    def is_consistent(self, hash_fn: HashFn) -> bool:
        try:
            return link(self.prev_hash, self.seq, self.event, hash_fn) == self.hash
        except (ValueError, TypeError, AttributeError):  # unparseable hex, or a field of the wrong type
            return False


# One encoder for every record: json.dumps with options builds a new encoder per call, which was a
# third of the time of verifying a million records. Same options, so the same bytes.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(value: object) -> str:
    """A field as it appears inside ``canonical``: the store writes ``reason_codes`` and ``detail`` in this
    form too, so verification can hash the stored text without decoding and re-encoding it."""
    return _ENCODER.encode(value)


def canonical(seq: int, event: AuditEvent) -> bytes:
    """The exact bytes that are hashed: stable key order, UTC ISO time, no spaces."""
    body = {
        "seq": seq,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "deployment_id": event.deployment_id,
        "subject_ref": event.subject_ref,
        "allowed": event.allowed,
        "reason_codes": list(event.reason_codes),
        "detail": event.detail,
    }
    return _ENCODER.encode(body).encode()


_LITERAL = {True: "true", False: "false", None: "null"}


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)  # what _ENCODER does with a str


def stored_body(seq: int, kind: str, at: str, actor: str, deployment_id: str | None, subject_ref: str | None,
                allowed: bool | None, reason_codes_json: str, detail_json: str) -> bytes:
    """``canonical`` assembled from a stored row without decoding its JSON: ``at`` is the ISO time, the two
    JSON texts are spliced in as they are.

    It equals ``canonical(seq, event)`` exactly when those texts are ``canonical_json`` of the event's
    fields (the form the store writes), so a hash that matches it vouches for the stored text itself.
    Keys in sorted order, as ``_ENCODER`` writes them. A field of the wrong type raises TypeError or KeyError.
    """
    return (f'{{"actor":{encode_basestring(actor)},"allowed":{_LITERAL[allowed]},"at":{encode_basestring(at)},'
            f'"deployment_id":{_text(deployment_id)},"detail":{detail_json},"kind":{encode_basestring(kind)},'
            f'"reason_codes":{reason_codes_json},"seq":{int(seq)},"subject_ref":{_text(subject_ref)}}}').encode()


def link(prev_hash: str, seq: int, event: AuditEvent, hash_fn: HashFn) -> str:
    return hash_fn(bytes.fromhex(prev_hash) + canonical(seq, event)).hex()


def _field(value: object) -> str:
    """One field as ``_ENCODER`` writes it inside the body (the common types without a new iterencode)."""
    if isinstance(value, str):
        return encode_basestring(value)
    return _LITERAL[value] if value is None or value is True or value is False else _ENCODER.encode(value)


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """An event as it will be stored, with its canonical JSON encoded once (issue 14: the record encoded
    each event three times). Normalisation, the NUL guard, the hash and the stored JSON text all use it.

    ``head + str(seq) + tail`` is ``canonical(seq, event)`` byte for byte; the seq is not known until the
    event is linked. ``event`` is normalised as ``chain_export.normalize_event`` does (what reading the row
    back gives), and the two texts are ``canonical_json`` of its reason codes and detail.
    """

    event: AuditEvent
    reason_codes_json: str
    detail_json: str
    head: bytes
    tail: bytes

    @classmethod
    def of(cls, event: AuditEvent) -> EncodedEvent:
        detail_json = _ENCODER.encode(event.detail)
        detail = json.loads(detail_json)  # the JSON round trip a stored row goes through
        # Equal means the same text (and saves a second encoding); differs with tuples, keys that are not
        # strings (their sorted order can change), values written through default=str.
        if detail != event.detail:
            detail_json = _ENCODER.encode(detail)
        codes = tuple(str(c) for c in event.reason_codes)
        codes_json = _ENCODER.encode(codes)  # a tuple is written as a list
        normal = AuditEvent(event.kind, event.at, event.actor, event.deployment_id, event.subject_ref,
                            event.allowed, codes, detail)
        # Keys in sorted order, as _ENCODER writes them; "seq" sits between reason_codes and subject_ref.
        head = (f'{{"actor":{_field(event.actor)},"allowed":{_field(event.allowed)},'
                f'"at":{_field(event.at.isoformat())},"deployment_id":{_field(event.deployment_id)},'
                f'"detail":{detail_json},"kind":{_field(event.kind)},"reason_codes":{codes_json},"seq":')
        tail = f',"subject_ref":{_field(event.subject_ref)}}}'
        return cls(normal, codes_json, detail_json, head.encode(), tail.encode())

    def has_nul(self) -> bool:
        """A NUL, or the text "\\u0000", in any string of the event (refs.text_problem on each of them).

        JSON writes NUL as \\u0000 and a backslash as \\\\, so either shows as \\u0000 in the encoding
        and nothing else does."""
        return b"\\u0000" in self.head or b"\\u0000" in self.tail

    def link(self, prev_hash: str, seq: int, hash_fn: HashFn) -> str:
        """``link(prev_hash, seq, self.event, hash_fn)`` without encoding the event again."""
        return hash_fn(b"".join((bytes.fromhex(prev_hash), self.head, b"%d" % seq, self.tail))).hex()
