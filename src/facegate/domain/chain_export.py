"""The JSON Lines export of the processing record, for auditors and the offline verifier (M-9.3, M-14.2).

Line 1 is a header (hash algorithm, public keys, range, anchor); then one line
per record exactly as stored; then the signed checkpoints of the range. Event
fields are written as ``canonical()`` sees them, so rebuilding the
``AuditEvent`` from a line gives back the same hashed bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from facegate.domain.audit import AuditEvent, ChainedEvent
from facegate.domain.chain import DEFAULT_POLICY, Checkpoint, CheckpointPolicy

FORMAT = "facegate-chain/v1"
_EVENT_KEYS = ("kind", "at", "actor", "deployment_id", "subject_ref", "allowed", "reason_codes", "detail")


class ExportFormatError(ValueError):
    """A line that is not part of a readable export (the verifier exits 2 on it)."""


@dataclass(frozen=True)
class ExportHeader:
    algorithm: str  # "sha256" or "sm3"
    from_seq: int
    to_seq: int
    anchor_prev_hash: str  # hash of record from_seq - 1 (GENESIS when from_seq == 1)
    exported_at: datetime
    public_keys: Mapping[str, str] = field(default_factory=dict)  # key_id -> PEM; several after rotation
    signature_algorithm: str = "ed25519"
    # The signing policy the verifier replays to find removed checkpoints (M-9.3); None only for old exports.
    checkpoint_policy: CheckpointPolicy | None = DEFAULT_POLICY


def normalize_event(event: AuditEvent) -> AuditEvent:
    """Give ``detail`` the shape it has after a JSON round trip (tuples become lists, ...).

    The store should hash the normalised event, or a record read back from a JSON
    column would no longer match its own hash.
    """
    detail = json.loads(json.dumps(event.detail, sort_keys=True, ensure_ascii=False, default=str))
    return replace(event, detail=detail, reason_codes=tuple(str(c) for c in event.reason_codes))


def _dumps(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def header_line(h: ExportHeader) -> str:
    return _dumps({
        "type": "header",
        "format": FORMAT,
        "algorithm": h.algorithm,
        "signature_algorithm": h.signature_algorithm,
        "public_keys": dict(h.public_keys),
        "range": {"from_seq": h.from_seq, "to_seq": h.to_seq},
        "anchor": {"seq": h.from_seq - 1, "prev_hash": h.anchor_prev_hash},
        "exported_at": h.exported_at.isoformat(),
        "checkpoint_policy": ({"every_events": h.checkpoint_policy.every_events,
                               "every_seconds": h.checkpoint_policy.every_seconds}
                              if h.checkpoint_policy else None),
    })


def event_line(rec: ChainedEvent) -> str:
    e = rec.event
    body = {
        "kind": e.kind, "at": e.at.isoformat(), "actor": e.actor, "deployment_id": e.deployment_id,
        "subject_ref": e.subject_ref, "allowed": e.allowed, "reason_codes": list(e.reason_codes),
        "detail": e.detail,
    }
    return _dumps({"type": "event", "seq": rec.seq, "prev_hash": rec.prev_hash, "hash": rec.hash, "event": body})


def checkpoint_fields(cp: Checkpoint) -> dict[str, object]:
    body: dict[str, object] = {"seq": cp.seq, "hash": cp.hash, "at": cp.at.isoformat(),
                               "signature": cp.signature, "key_id": cp.key_id}
    if cp.prev_seq is not None:
        body.update(prev_seq=cp.prev_seq, prev_hash=cp.prev_hash)
    return body


def checkpoint_line(cp: Checkpoint) -> str:
    return _dumps({"type": "checkpoint", **checkpoint_fields(cp)})


def export_lines(
    header: ExportHeader, events: Iterable[ChainedEvent], checkpoints: Iterable[Checkpoint]
) -> Iterator[str]:
    """Stream the export, one line (with newline) at a time, in constant memory."""
    yield header_line(header) + "\n"
    for rec in events:
        yield event_line(rec) + "\n"
    # Checkpoints beyond the range would read as truncation; the anchor's checkpoint proves the start.
    for cp in sorted(checkpoints, key=lambda c: c.seq):
        if header.from_seq - 1 <= cp.seq <= header.to_seq:
            yield checkpoint_line(cp) + "\n"


# --- reading --------------------------------------------------------------------------------

def _int(obj: Mapping[str, object], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ExportFormatError(f"field {key!r} missing or not an integer")
    return value


def _str(obj: Mapping[str, object], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise ExportFormatError(f"field {key!r} missing or not a string")
    return value


def _dict(obj: Mapping[str, object], key: str) -> dict[str, object]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise ExportFormatError(f"field {key!r} missing or not an object")
    return value


def _time(value: object) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ExportFormatError(f"not an ISO time: {value!r}") from exc
    # Only the exact spelling that was hashed: "2026-03-01 08:00" must not pass for "2026-03-01T08:00".
    if at.isoformat() != value:
        raise ExportFormatError(f"time not in canonical form: {value!r}")
    return at


def parse_checkpoint(obj: Mapping[str, object]) -> Checkpoint:
    """A checkpoint (or a witnessed head, which has the same fields) from its JSON object."""
    linked = "prev_seq" in obj
    return Checkpoint(
        _int(obj, "seq"), _str(obj, "hash"), _time(_str(obj, "at")), _str(obj, "signature"), _str(obj, "key_id"),
        _int(obj, "prev_seq") if linked else None, _str(obj, "prev_hash") if linked else None,
    )


_DEFAULT_POLICY_FIELDS = {"every_events": DEFAULT_POLICY.every_events, "every_seconds": DEFAULT_POLICY.every_seconds}


def _policy(value: object) -> CheckpointPolicy | None:
    if value is None:  # an explicit null: an export that asks not to replay the policy (the verifier says so)
        return None
    if not isinstance(value, dict):
        raise ExportFormatError("checkpoint_policy is not an object")
    policy = CheckpointPolicy(_int(value, "every_events"), _int(value, "every_seconds"))
    if policy.every_events < 1 or policy.every_seconds < 1:
        raise ExportFormatError("checkpoint_policy must be positive")
    return policy


def parse_line(line: str) -> ExportHeader | ChainedEvent | Checkpoint:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise ExportFormatError("not JSON") from exc
    if not isinstance(obj, dict):
        raise ExportFormatError("not a JSON object")
    kind = obj.get("type")
    if kind == "event":
        ev: dict[str, Any] = _dict(obj, "event")  # JSON values, typed by AuditEvent's checks below
        if any(k not in ev for k in _EVENT_KEYS):
            raise ExportFormatError("event lacks a canonical field")
        codes = ev["reason_codes"]
        if not isinstance(codes, list):
            raise ExportFormatError("reason_codes is not a list")
        # Values go through as read: a tampered value then shows as a hash mismatch at its seq.
        event = AuditEvent(
            kind=ev["kind"], at=_time(ev["at"]), actor=ev["actor"], deployment_id=ev["deployment_id"],
            subject_ref=ev["subject_ref"], allowed=ev["allowed"], reason_codes=tuple(codes), detail=ev["detail"],
        )
        return ChainedEvent(_int(obj, "seq"), event, _str(obj, "prev_hash"), _str(obj, "hash"))
    if kind == "checkpoint":
        return parse_checkpoint(obj)
    if kind == "header":
        if obj.get("format") != FORMAT:
            raise ExportFormatError(f"unknown format {obj.get('format')!r}")
        rng, anchor, keys = _dict(obj, "range"), _dict(obj, "anchor"), _dict(obj, "public_keys")
        return ExportHeader(
            algorithm=_str(obj, "algorithm"),
            from_seq=_int(rng, "from_seq"),
            to_seq=_int(rng, "to_seq"),
            anchor_prev_hash=_str(anchor, "prev_hash"),
            exported_at=_time(_str(obj, "exported_at")),
            public_keys={str(k): str(v) for k, v in keys.items()},
            signature_algorithm=str(obj.get("signature_algorithm", "ed25519")),
            # Absent means the default: deleting the line must not switch the check off.
            checkpoint_policy=_policy(obj.get("checkpoint_policy", _DEFAULT_POLICY_FIELDS)),
        )
    raise ExportFormatError(f"unknown line type {kind!r}")
