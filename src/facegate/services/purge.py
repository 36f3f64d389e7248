"""Retention: delete templates past their period and shred keys nobody needs (M-8.5)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from facegate.domain.audit import AuditEvent
from facegate.services.context import ServiceContext
from facegate.services.gallery_sync import CONSUMER_LEASE_S

log = logging.getLogger(__name__)


PURGE_LOCK = "facegate-purge"


@dataclass(frozen=True)
class PurgeReport:
    templates_deleted: int
    keys_destroyed: int
    receipt_code: str
    is_skipped: bool = False  # another node held the purge lock and is doing this pass


def purge_expired(ctx: ServiceContext, *, actor: str = "system",
                  progress: Callable[[str, int, int | None], None] | None = None) -> PurgeReport:
    """One pass: expired templates go, and a subject left with none loses its data key.

    ``progress(step, done, total)`` hears how far the deletion is (the CLI shows it).
    """
    now = ctx.clock.now()
    deleted: list[str] = []
    shredded = []
    with ctx.store.transaction() as tx:
        # Every node runs the schedule; the database lock lets one of them purge at a time.
        if not tx.try_exclusive(PURGE_LOCK):
            return PurgeReport(0, 0, "", is_skipped=True)
        expired = tx.templates.expired(now)
        for n, rec in enumerate(expired, 1):
            tx.templates.delete(rec.id)
            deleted.append(rec.id)
            if progress is not None and (n % 100 == 0 or n == len(expired)):
                progress("deleting expired templates", n, len(expired))
        for subject_id in sorted({r.subject_id for r in expired}):
            if tx.templates.count_for_subject(subject_id) == 0:
                key = tx.subject_keys.get(subject_id)
                if key is not None:
                    tx.subject_keys.delete(subject_id)
                    shredded.append(key)
        code = "FGP-" + secrets.token_hex(8).upper()
        if expired:
            for deployment_id in sorted({r.deployment_id for r in expired}):
                tx.record.append(AuditEvent(
                    kind="purge", at=now, actor=actor, deployment_id=deployment_id, allowed=True,
                    detail={"templates_deleted": sum(r.deployment_id == deployment_id for r in expired),
                            "receipt": ctx.keys.keyed_hash("purge|" + code)},
                ))
        # The gallery change log is pruned here too, where no node replays it (a single node without
        # Redis still writes it); replaying nodes prune it themselves (services/gallery_sync.py).
        tx.gallery_log.prune(now.timestamp() - CONSUMER_LEASE_S)
    for key in shredded:
        ctx.keys.forget(key)
    ctx.gallery.removed(deleted)
    return PurgeReport(len(deleted), len(shredded), code)


class PurgeSchedule:
    """A daemon thread that runs ``purge_expired`` every interval until stopped (M-8.5)."""

    def __init__(self, ctx: ServiceContext, interval_s: int) -> None:
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(ctx,), name="facegate-purge", daemon=True)

    def _loop(self, ctx: ServiceContext) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                purge_expired(ctx)
            except Exception:  # noqa: BLE001 - a failed pass must not stop later ones
                log.exception("purge pass failed")

    def start(self) -> PurgeSchedule:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
