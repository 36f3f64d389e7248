"""Checking and exporting the processing record (M-9.3, M-9.4, M-14.2)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TypedDict

from facegate.domain.audit import GENESIS, AuditEvent
from facegate.domain.chain import DEFAULT_POLICY, ChainReport, Checkpoint, verify_chain
from facegate.domain.chain_export import ExportFormatError, ExportHeader, export_lines
from facegate.domain.head import anchor_line, check_anchors, check_head, parse_anchors
from facegate.errors import ConfigurationError, Conflict, InvalidInput
from facegate.ports import UnitOfWork
from facegate.services.context import Auditor, ServiceContext


def _auditor(ctx: ServiceContext) -> Auditor:
    if ctx.auditor is None:
        raise ConfigurationError("auditor_unconfigured", "Record verification is not configured.")
    return ctx.auditor


def verify_records(ctx: ServiceContext, anchors: Sequence[Checkpoint] = ()) -> ChainReport:
    """Walk the whole chain and every signed checkpoint; report the first broken record (M-9.3).

    The head row is read first and the walk stops there, so appends made meanwhile
    by other nodes are neither required nor mistaken for insertions. Then the head
    row must match the records and the newest checkpoint, and every anchor (a signed
    head kept outside the database) must still be in the record.
    """
    auditor = _auditor(ctx)
    with ctx.store.transaction(readonly=True) as tx:
        head = tx.record.head_state()
        checkpoints = tx.record.checkpoints(to_seq=head.seq)
        report = verify_chain(tx.record.stored(to_seq=head.seq), auditor.hash, checkpoints=checkpoints,
                              verify_signature=auditor.verify_signature, policy=DEFAULT_POLICY)
        report = check_head(report, head, checkpoints)
        return check_anchors(report, anchors, checkpoints, auditor.verify_signature)


def anchor_head(ctx: ServiceContext) -> str:
    """Sign the head now and return it as one anchor line, to be kept outside the database (M-9.3)."""
    auditor = _auditor(ctx)
    with ctx.store.transaction() as tx:
        cp = tx.record.sign_head()
        if cp is None:
            head = tx.record.head_state()
            if head.seq == 0:
                raise Conflict("record_empty", "The processing record is empty; there is no head to anchor yet.",
                               "处理情况记录为空，尚无可锚定的记录头。", article_id="M-9.3")
            cp = tx.record.checkpoints(to_seq=head.seq)[-1]  # already signed at the head
    return anchor_line(cp, ctx.clock.now(), auditor.algorithm)


def read_anchors(text: str) -> list[Checkpoint]:
    """Anchors from the text of an anchor file; an unreadable line is bad input, never skipped."""
    try:
        return parse_anchors(text.splitlines())
    except ExportFormatError as exc:
        raise InvalidInput("anchor_invalid", f"The anchor file is not readable: {exc}",
                           "锚定文件无法读取。", article_id="M-9.3") from exc


def export_records(ctx: ServiceContext, from_seq: int = 1, to_seq: int | None = None,
                   *, actor: str = "cli") -> Iterator[str]:
    """JSON Lines an auditor can check offline with `python -m facegate.offline_verify`.

    The head is signed first so the exported tail is covered by a checkpoint; the
    export itself is recorded.
    """
    auditor = _auditor(ctx)
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        tx.record.sign_head()
        head_seq, _ = tx.record.head()
        last = min(to_seq or head_seq, head_seq)
        tx.record.append(AuditEvent(kind="export", at=now, actor=actor, allowed=True,
                                   detail={"from_seq": from_seq, "to_seq": last}))
    with ctx.store.transaction(readonly=True) as tx:
        anchor = _anchor(tx, from_seq)
        cps = [c for c in tx.record.checkpoints() if c.seq <= last]
        header = ExportHeader(auditor.algorithm, from_seq, last, anchor, now, auditor.public_keys())
        yield from export_lines(header, tx.record.events(from_seq, last), cps)


def _anchor(tx: UnitOfWork, from_seq: int) -> str:
    """The hash the first exported record continues from."""
    if from_seq <= 1:
        return GENESIS
    first = next(iter(tx.record.events(from_seq, from_seq)), None)
    return first.prev_hash if first else GENESIS


class ChainSummary(TypedDict):
    """The record's head and its last signed checkpoint (GET /v1/audit/summary)."""

    head_seq: int
    head_hash: str
    checkpoints: int
    last_checkpoint_seq: int
    last_checkpoint_at: datetime | None


def chain_summary(ctx: ServiceContext) -> ChainSummary:
    with ctx.store.transaction(readonly=True) as tx:
        seq, digest = tx.record.head()
        cps = tx.record.checkpoints()
    last: datetime | None = cps[-1].at if cps else None
    return {"head_seq": seq, "head_hash": digest, "checkpoints": len(cps),
            "last_checkpoint_seq": cps[-1].seq if cps else 0, "last_checkpoint_at": last}
