"""Key-encryption key rotation: re-wrap every data key, batch by batch, without downtime (M-14.1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from facegate.domain.audit import AuditEvent
from facegate.services.context import ServiceContext

BATCH = 500


@dataclass(frozen=True)
class RewrapReport:
    kek_id: str
    rewrapped: int
    already_current: int


def rewrap_all(ctx: ServiceContext, *, actor: str = "cli",
               progress: Callable[[str, int, int | None], None] | None = None) -> RewrapReport:
    """Move every subject's data key under the current KEK; old ones stay readable meanwhile.

    ``progress(step, done, total)`` hears after each batch (the CLI shows it).
    """
    current = ctx.keys.current_kek_id
    with ctx.store.transaction(readonly=True) as tx:
        todo = [(sid, key) for sid, key in tx.subject_keys.all() if key.kek_id != current]
        done_already = len(tx.subject_keys.all()) - len(todo)
    for start in range(0, len(todo), BATCH):
        with ctx.store.transaction() as tx:
            for subject_id, key in todo[start:start + BATCH]:
                if tx.subject_keys.get(subject_id) == key:  # not deleted or rewrapped meanwhile
                    tx.subject_keys.put(subject_id, ctx.keys.rewrap(key))
        if progress is not None:
            progress("re-wrapping data keys", min(start + BATCH, len(todo)), len(todo))
    with ctx.store.transaction() as tx:
        tx.record.append(AuditEvent(kind="key_rotated", at=ctx.clock.now(), actor=actor, allowed=True,
                                   detail={"kek_id": current, "rewrapped": len(todo)}))
    return RewrapReport(current, len(todo), done_already)
