"""Verifying the processing-record chain, signed checkpoints and the 3-year retention lock (M-9.3, M-9.4)."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from facegate.domain.audit import GENESIS, ChainedEvent, HashFn, link
from facegate.errors import Conflict

SignFn = Callable[[bytes], bytes]
# (signed bytes, signature, key_id) -> valid?  The adapter looks the public key up by key_id.
SignatureCheck = Callable[[bytes, bytes, str], bool]

RETENTION_YEARS = 3  # M-9.4: records kept, and undeletable, for at least three years
CHECKPOINT_CONTEXT = b"facegate-checkpoint/v1\n"  # domain separation: a checkpoint signature signs nothing else


class ChainProblem(str, enum.Enum):
    EDITED = "edited"  # content no longer matches its hash, or a link no longer matches
    DELETED = "deleted"  # a gap in the sequence numbers
    INSERTED = "inserted"  # a record whose seq was already seen
    REORDERED = "reordered"  # records out of order
    TRUNCATED = "truncated"  # a signed checkpoint names a record beyond the end
    REWRITTEN = "rewritten"  # self-consistent, but contradicts a signed checkpoint
    ANCHOR = "anchor"  # the first record does not continue from the trusted anchor
    BAD_CHECKPOINT = "bad_checkpoint"  # a checkpoint whose signature does not verify


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "record ``seq`` has hash ``hash``"; signature is hex."""

    seq: int
    hash: str
    at: datetime
    signature: str
    key_id: str


class Anchor(NamedTuple):
    """Where verification starts when older records were archived (M-9.4)."""

    start_seq: int
    start_prev_hash: str


@dataclass(frozen=True)
class ChainReport:
    """Result of a verification. ``first_broken_seq`` is the first record that can no longer be trusted."""

    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    checkpoints_checked: int = 0
    first_broken_seq: int | None = None
    problem: ChainProblem | None = None
    detail: str = ""


def checkpoint_bytes(seq: int, hash: str, at: datetime, key_id: str) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    body = {"seq": seq, "hash": hash, "at": at.isoformat(), "key_id": key_id}
    return CHECKPOINT_CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def make_checkpoint(seq: int, hash: str, at: datetime, sign: SignFn, key_id: str) -> Checkpoint:
    signature = sign(checkpoint_bytes(seq, hash, at, key_id))
    return Checkpoint(seq, hash, at, signature.hex(), key_id)


def checkpoint_is_valid(cp: Checkpoint, verify_signature: SignatureCheck) -> bool:
    try:
        sig = bytes.fromhex(cp.signature)
    except ValueError:
        return False
    return verify_signature(checkpoint_bytes(cp.seq, cp.hash, cp.at, cp.key_id), sig, cp.key_id)


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


def anchor_of(cp: Checkpoint) -> Anchor:
    """Resume verification after an archived prefix that ends at this checkpoint."""
    return Anchor(cp.seq + 1, cp.hash)


# --- retention lock (M-9.4) ---------------------------------------------------------------

def _add_years(at: datetime, years: int) -> datetime:
    try:
        return at.replace(year=at.year + years)
    except ValueError:  # 29 February: round up so the lock is never shorter than 3 years
        return at.replace(year=at.year + years, month=3, day=1)


def retention_lock_until(at: datetime, superseded_at: datetime | None = None) -> datetime:
    """A record (or PIA version) is undeletable until 3 years after the later of its date and supersession."""
    start = max(at, superseded_at) if superseded_at is not None else at
    return _add_years(start, RETENTION_YEARS)


def check_purge_cutoff(cutoff: datetime, now: datetime) -> None:
    """Refuse to archive or purge anything younger than three years (M-9.4)."""
    if retention_lock_until(cutoff) > now:
        raise Conflict(
            "retention_locked",
            "Processing records younger than three years may not be archived or deleted.",
            "处理情况记录保存未满三年，不得归档或删除。",
            article_id="M-9.4",
            detail={"cutoff": cutoff.isoformat(), "earliest_allowed": _add_years(now, -RETENTION_YEARS).isoformat()},
        )


def archive_anchor(checkpoints: Iterable[Checkpoint], cutoff: datetime, now: datetime) -> Checkpoint | None:
    """The latest checkpoint signed before ``cutoff``: records up to its seq may be archived.

    Archiving only up to a signed checkpoint keeps what remains verifiable from that anchor.
    """
    check_purge_cutoff(cutoff, now)
    eligible = [cp for cp in checkpoints if cp.at < cutoff]
    return max(eligible, key=lambda cp: cp.seq, default=None)


# --- verification ---------------------------------------------------------------------------

class _Peekable:
    def __init__(self, items: Iterable[ChainedEvent]) -> None:
        self._it: Iterator[ChainedEvent] = iter(items)
        self._next: ChainedEvent | None = None

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> ChainedEvent:
        if self._next is not None:
            item, self._next = self._next, None
            return item
        return next(self._it)

    def peek(self) -> ChainedEvent | None:
        if self._next is None:
            self._next = next(self._it, None)
        return self._next


def _self_consistent(rec: ChainedEvent, hash_fn: HashFn) -> bool:
    try:
        return link(rec.prev_hash, rec.seq, rec.event, hash_fn) == rec.hash
    except (ValueError, TypeError, AttributeError):  # unparseable hex, or a field of the wrong type
        return False


def verify_chain(
    events: Iterable[ChainedEvent],
    hash_fn: HashFn,
    *,
    start_prev_hash: str = GENESIS,
    start_seq: int = 1,
    checkpoints: Iterable[Checkpoint] = (),
    verify_signature: SignatureCheck | None = None,
) -> ChainReport:
    """Walk the chain once, in constant memory, and report the first break (M-9.3, M-14.2).

    ``events`` must come in stored order (by seq). Checkpoints are few (one per
    thousand records), so they are held in memory; their signatures are checked
    first, because a forged checkpoint would make every later verdict worthless.
    """
    cps = sorted(checkpoints, key=lambda c: c.seq)
    if cps and verify_signature is None:
        raise ValueError("checkpoints given without a signature check")
    check: SignatureCheck = verify_signature or (lambda data, sig, key_id: False)
    prev, expected, checked = start_prev_hash, start_seq, 0
    last_trusted_cp = start_seq - 1

    def report(seq: int | None = None, problem: ChainProblem | None = None, detail: str = "") -> ChainReport:
        return ChainReport(problem is None, checked, expected - 1, prev, len(cps), seq, problem, detail)

    for cp in cps:
        if not checkpoint_is_valid(cp, check):
            return report(cp.seq, ChainProblem.BAD_CHECKPOINT, f"checkpoint at seq {cp.seq} has an invalid signature")
        if cp.seq == start_seq - 1 and cp.hash != start_prev_hash:
            return report(start_seq, ChainProblem.ANCHOR, f"anchor hash differs from the checkpoint at seq {cp.seq}")
    pending = [cp for cp in cps if cp.seq >= start_seq]
    pi = 0

    records = _Peekable(events)
    for rec in records:
        if not _self_consistent(rec, hash_fn):
            return report(expected, ChainProblem.EDITED, f"the record stored as seq {expected} does not match its hash")
        if rec.seq > expected:
            nxt = records.peek()
            if nxt is not None and nxt.seq < rec.seq:
                return report(expected, ChainProblem.REORDERED, f"seq {rec.seq} found where {expected} belongs")
            return report(expected, ChainProblem.DELETED, f"seq {expected} is missing (next stored is {rec.seq})")
        if rec.seq < expected:
            return report(rec.seq, ChainProblem.INSERTED, f"a second record claims seq {rec.seq}")
        if rec.prev_hash != prev:
            nxt = records.peek()
            if nxt is not None and nxt.seq == rec.seq:
                return report(rec.seq, ChainProblem.INSERTED, f"two records claim seq {rec.seq}")
            if rec.prev_hash.lower() == prev:  # same bytes, different spelling: this record's own field was edited
                return report(expected, ChainProblem.EDITED, f"seq {expected} has an altered prev_hash")
            if expected == start_seq:
                return report(expected, ChainProblem.ANCHOR, "first record does not continue from the anchor")
            # Either seq expected-1 was edited and re-hashed, or this link was forged. The earlier record is
            # the first untrusted one, unless a signed checkpoint vouches for it.
            blamed = expected if last_trusted_cp == expected - 1 else expected - 1
            return report(blamed, ChainProblem.EDITED, f"seq {expected} does not link to seq {expected - 1}")
        while pi < len(pending) and pending[pi].seq == rec.seq:
            if pending[pi].hash != rec.hash:
                return report(
                    last_trusted_cp + 1, ChainProblem.REWRITTEN,
                    f"records {last_trusted_cp + 1}..{rec.seq} contradict the signed checkpoint at seq {rec.seq}",
                )
            last_trusted_cp = rec.seq
            pi += 1
        prev, expected, checked = rec.hash, expected + 1, checked + 1

    if pi < len(pending):
        cp = pending[-1]
        return report(expected, ChainProblem.TRUNCATED, f"ends at seq {expected - 1}; a checkpoint names seq {cp.seq}")
    return report()
