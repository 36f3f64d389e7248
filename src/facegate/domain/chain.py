"""Verifying the processing-record chain, signed checkpoints and the 3-year retention lock (M-9.3, M-9.4)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from facegate.domain.audit import GENESIS, HashFn, Linked
from facegate.domain.checkpoints import (  # re-exported: callers import them from here
    CHECKPOINT_CONTEXT,
    CHECKPOINT_CONTEXT_V2,
    DEFAULT_POLICY,
    Checkpoint,
    CheckpointPolicy,
    SignatureCheck,
    SignFn,
    Cadence,
    previous_of,
    checkpoint_bytes,
    checkpoint_is_valid,
    make_checkpoint,
    next_checkpoint,
    should_checkpoint,
)
from facegate.errors import Conflict

__all__ = [
    "CHECKPOINT_CONTEXT", "CHECKPOINT_CONTEXT_V2", "DEFAULT_POLICY", "Checkpoint", "CheckpointPolicy",
    "SignFn", "SignatureCheck", "checkpoint_bytes", "checkpoint_is_valid", "make_checkpoint", "next_checkpoint",
    "should_checkpoint",
    "Anchor", "ChainProblem", "ChainReport", "anchor_of", "archive_anchor", "check_purge_cutoff",
    "retention_lock_until", "verify_chain",
]


RETENTION_YEARS = 3  # M-9.4: records kept, and undeletable, for at least three years
class ChainProblem(str, enum.Enum):
    EDITED = "edited"  # content no longer matches its hash, or a link no longer matches
    DELETED = "deleted"  # a gap in the sequence numbers
    INSERTED = "inserted"  # a record whose seq was already seen
    REORDERED = "reordered"  # records out of order
    TRUNCATED = "truncated"  # a signed checkpoint names a record beyond the end
    REWRITTEN = "rewritten"  # self-consistent, but contradicts a signed checkpoint
    ANCHOR = "anchor"  # the first record does not continue from the trusted anchor
    BAD_CHECKPOINT = "bad_checkpoint"  # a checkpoint whose signature does not verify
    CHECKPOINT_MISSING = "checkpoint_missing"  # a checkpoint that was due, or that the next one names, is gone
    ROLLED_BACK = "rolled_back"  # the record or its checkpoints end before a head witnessed outside the database


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
    def __init__(self, items: Iterable[Linked]) -> None:
        self._it: Iterator[Linked] = iter(items)
        self._next: Linked | None = None

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> Linked:
        if self._next is not None:
            item, self._next = self._next, None
            return item
        return next(self._it)

    def peek(self) -> Linked | None:
        if self._next is None:
            self._next = next(self._it, None)
        return self._next


def verify_chain(
    events: Iterable[Linked],
    hash_fn: HashFn,
    *,
    start_prev_hash: str = GENESIS,
    start_seq: int = 1,
    checkpoints: Iterable[Checkpoint] = (),
    verify_signature: SignatureCheck | None = None,
    policy: CheckpointPolicy | None = None,
) -> ChainReport:
    """Walk the chain once, in constant memory, and report the first break (M-9.3, M-14.2).

    ``events`` must come in stored order (by seq). Checkpoints are few (one per
    thousand records), so they are held in memory; their signatures are checked
    first, because a forged checkpoint would make every later verdict worthless.

    With a ``policy`` the checkpoints themselves are checked as a sequence: each
    must name the one before it, and every record at which the policy made the
    store sign must carry a checkpoint (the first record always does). Removing
    checkpoints to hide a rewrite is then found, unless the rewrite lies in the
    last unsigned stretch, which only an anchor outside the database protects.
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
    if policy is not None:
        broken = _broken_link(cps, start_seq)
        if broken is not None:
            return report(*broken)
    pending = [cp for cp in cps if cp.seq >= start_seq]
    pi = 0
    due = Cadence(policy, cps, start_seq)

    records = _Peekable(events)
    for rec in records:
        if not rec.is_consistent(hash_fn):
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
        missing = due.missing_at(rec)
        if missing:
            return report(rec.seq, ChainProblem.CHECKPOINT_MISSING, missing)
        prev, expected, checked = rec.hash, expected + 1, checked + 1

    if pi < len(pending):
        cp = pending[-1]
        return report(expected, ChainProblem.TRUNCATED, f"ends at seq {expected - 1}; a checkpoint names seq {cp.seq}")
    return report()


def _broken_link(cps: list[Checkpoint], start_seq: int) -> tuple[int, ChainProblem, str] | None:
    """The first checkpoint that does not name the one stored before it (v1 checkpoints name none)."""
    for i, cp in enumerate(cps):
        named = previous_of(cp)
        if named is None:
            continue
        if i > 0:
            before: tuple[int, str] | None = (cps[i - 1].seq, cps[i - 1].hash)
        else:  # from genesis the first checkpoint follows none; after an archived prefix it is not known
            before = (0, GENESIS) if start_seq == 1 else None
        if before is not None and named != before:
            return (before[0] + 1, ChainProblem.CHECKPOINT_MISSING,
                    f"the checkpoint at seq {cp.seq} was signed after one at seq {named[0]}, "
                    f"but the checkpoint stored before it is at seq {before[0]}: checkpoints were removed")
    return None

