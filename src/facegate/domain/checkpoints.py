"""Signed checkpoints of the processing record: their bytes, the signing policy and its replay (M-9.3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from facegate.domain.audit import GENESIS, Linked

SignFn = Callable[[bytes], bytes]
# (signed bytes, signature, key_id) -> valid?  The adapter looks the public key up by key_id.
SignatureCheck = Callable[[bytes, bytes, str], bool]

CHECKPOINT_CONTEXT = b"facegate-checkpoint/v1\n"  # domain separation: a checkpoint signature signs nothing else
# v2 also signs the checkpoint before it, so the checkpoints form their own chain: one removed from the
# middle breaks the link of the next (M-9.3). v1 rows (written before) still verify, without that link.
CHECKPOINT_CONTEXT_V2 = b"facegate-checkpoint/v2\n"


@dataclass(frozen=True)
class CheckpointPolicy:
    """How often the store must sign: at the first record, then at least every N records or T seconds.

    Verification replays this rule, so a checkpoint that was due and is missing is found (M-9.3).
    A store may sign more often (a smaller policy); never less often.
    """

    every_events: int = 1000
    every_seconds: int = 300


DEFAULT_POLICY = CheckpointPolicy()


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "record ``seq`` has hash ``hash``"; signature is hex."""

    seq: int
    hash: str
    at: datetime
    signature: str
    key_id: str
    prev_seq: int | None = None  # the checkpoint signed before this one (None: a v1 checkpoint, unlinked)
    prev_hash: str | None = None


def checkpoint_bytes(seq: int, hash: str, at: datetime, key_id: str,
                     prev: tuple[int, str] | None = None) -> bytes:
    """The exact bytes a checkpoint signature covers (v2 when the previous checkpoint is named)."""
    body: dict[str, object] = {"seq": seq, "hash": hash, "at": at.isoformat(), "key_id": key_id}
    if prev is None:
        return CHECKPOINT_CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    body.update(prev_seq=prev[0], prev_hash=prev[1])
    return CHECKPOINT_CONTEXT_V2 + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def make_checkpoint(seq: int, hash: str, at: datetime, sign: SignFn, key_id: str,
                    prev: tuple[int, str] = (0, GENESIS)) -> Checkpoint:
    """Sign "record ``seq`` has hash ``hash``, and the checkpoint before this one is ``prev``"."""
    signature = sign(checkpoint_bytes(seq, hash, at, key_id, prev))
    return Checkpoint(seq, hash, at, signature.hex(), key_id, prev[0], prev[1])


def next_checkpoint(seq: int, hash: str, at: datetime, sign: SignFn, key_id: str, prev_seq: int,
                    stored_hash: Callable[[int], object | None]) -> Checkpoint:
    """Sign record ``seq``, linked to checkpoint ``prev_seq`` (0: none yet) whose stored hash ``stored_hash`` reads."""
    prev_hash = GENESIS
    if prev_seq:
        stored = stored_hash(prev_seq)
        # that row was removed: the next checkpoint says so instead of papering over it
        prev_hash = "missing" if stored is None else str(stored)
    return make_checkpoint(seq, hash, at, sign, key_id, (prev_seq, prev_hash))


def previous_of(cp: Checkpoint) -> tuple[int, str] | None:
    return None if cp.prev_seq is None or cp.prev_hash is None else (cp.prev_seq, cp.prev_hash)


def checkpoint_is_valid(cp: Checkpoint, verify_signature: SignatureCheck) -> bool:
    try:
        sig = bytes.fromhex(cp.signature)
    except ValueError:
        return False
    return verify_signature(checkpoint_bytes(cp.seq, cp.hash, cp.at, cp.key_id, previous_of(cp)), sig, cp.key_id)


def should_checkpoint(
    last_checkpoint_seq: int,
    last_checkpoint_at: datetime | None,
    seq: int,
    now: datetime,
    every_events: int = 1000,
    every_seconds: int = 300,
) -> bool:
    """Sign often enough that truncation loses at most a bounded tail (M-9.3)."""
    if seq <= last_checkpoint_seq:
        return False
    if last_checkpoint_at is None:  # never checkpointed: pin the chain as soon as it has a record
        return True
    return seq - last_checkpoint_seq >= every_events or (now - last_checkpoint_at).total_seconds() >= every_seconds


class Cadence:
    """Replays the signing policy: which records must carry a checkpoint."""

    def __init__(self, policy: CheckpointPolicy | None, cps: list[Checkpoint], start_seq: int) -> None:
        self._policy = policy
        self._at_seq = {cp.seq: cp for cp in cps}
        before = self._at_seq.get(start_seq - 1)
        # Unknown state (a range cut out of the middle, no checkpoint right before it): start at the next one.
        self._known = start_seq == 1 or before is not None
        self._last_seq = start_seq - 1
        self._last_at: datetime | None = before.at if before else None

    def missing_at(self, rec: Linked) -> str:
        if self._policy is None:
            return ""
        cp = self._at_seq.get(rec.seq)
        if cp is not None:
            self._known, self._last_seq, self._last_at = True, rec.seq, cp.at
            return ""
        p = self._policy
        if self._known and should_checkpoint(self._last_seq, self._last_at, rec.seq, rec.at,
                                             p.every_events, p.every_seconds):
            if self._last_at is None:
                return f"no signed checkpoint at seq {rec.seq}: the first record is always signed"
            return (f"no signed checkpoint at seq {rec.seq}, though one was due {p.every_events} records or "
                    f"{p.every_seconds} s after the checkpoint at seq {self._last_seq}: it was removed")
        return ""
