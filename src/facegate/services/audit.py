"""Checking and exporting the processing record (M-9.3, M-9.4, M-14.2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from facegate.domain.audit import GENESIS, AuditEvent
from facegate.domain.chain import ChainReport, verify_chain
from facegate.domain.chain_export import ExportHeader, export_lines
from facegate.errors import ConfigurationError
from facegate.services.context import Auditor, ServiceContext


def _auditor(ctx: ServiceContext) -> Auditor:
    if ctx.auditor is None:
        raise ConfigurationError("auditor_unconfigured", "Record verification is not configured.")
    return ctx.auditor


def verify_records(ctx: ServiceContext) -> ChainReport:
    """Walk the whole chain and every signed checkpoint; report the first broken record."""
    auditor = _auditor(ctx)
    with ctx.store.transaction(readonly=True) as tx:
        checkpoints = tx.checkpoints()
        return verify_chain(tx.chain_events(), auditor.hash, checkpoints=checkpoints,
                            verify_signature=auditor.verify_signature)


def export_records(ctx: ServiceContext, from_seq: int = 1, to_seq: int | None = None,
                   *, actor: str = "cli") -> Iterator[str]:
    """JSON Lines an auditor can check offline with `python -m facegate.offline_verify`.

    The head is signed first so the exported tail is covered by a checkpoint; the
    export itself is recorded.
    """
    auditor = _auditor(ctx)
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        tx.sign_head()
        head_seq, _ = tx.chain_head()
        last = min(to_seq or head_seq, head_seq)
        tx.append_event(AuditEvent(kind="export", at=now, actor=actor, allowed=True,
                                   detail={"from_seq": from_seq, "to_seq": last}))
    with ctx.store.transaction(readonly=True) as tx:
        anchor = _anchor(tx, from_seq)
        cps = [c for c in tx.checkpoints() if c.seq <= last]
        header = ExportHeader(auditor.algorithm, from_seq, last, anchor, now, auditor.public_keys())
        yield from export_lines(header, tx.chain_events(from_seq, last), cps)


def _anchor(tx, from_seq: int) -> str:  # type: ignore[no-untyped-def]
    """The hash the first exported record continues from."""
    if from_seq <= 1:
        return GENESIS
    first = next(iter(tx.chain_events(from_seq, from_seq)), None)
    return first.prev_hash if first else GENESIS


def chain_summary(ctx: ServiceContext) -> dict[str, object]:
    with ctx.store.transaction(readonly=True) as tx:
        seq, digest = tx.chain_head()
        cps = tx.checkpoints()
    last: datetime | None = cps[-1].at if cps else None
    return {"head_seq": seq, "head_hash": digest, "checkpoints": len(cps),
            "last_checkpoint_seq": cps[-1].seq if cps else 0, "last_checkpoint_at": last}
