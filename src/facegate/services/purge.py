"""Retention: delete templates past their period and shred keys nobody needs (M-8.5)."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass

from facegate.domain.audit import AuditEvent
from facegate.services.context import ServiceContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    templates_deleted: int
    keys_destroyed: int
    receipt_code: str


def purge_expired(ctx: ServiceContext, *, actor: str = "system") -> PurgeReport:
    """One pass: expired templates go, and a subject left with none loses its data key."""
    now = ctx.clock.now()
    deleted: list[str] = []
    shredded = []
    with ctx.store.transaction() as tx:
        expired = tx.expired_templates(now)
        for rec in expired:
            tx.delete_template(rec.id)
            deleted.append(rec.id)
        for subject_id in sorted({r.subject_id for r in expired}):
            if tx.count_templates(subject_id) == 0:
                key = tx.get_subject_key(subject_id)
                if key is not None:
                    tx.delete_subject_key(subject_id)
                    shredded.append(key)
        code = "FGP-" + secrets.token_hex(8).upper()
        if expired:
            for deployment_id in sorted({r.deployment_id for r in expired}):
                tx.append_event(AuditEvent(
                    kind="purge", at=now, actor=actor, deployment_id=deployment_id, allowed=True,
                    detail={"templates_deleted": sum(r.deployment_id == deployment_id for r in expired),
                            "receipt": ctx.keys.keyed_hash("purge|" + code)},
                ))
    for key in shredded:
        ctx.keys.forget(key)
    ctx.gallery.removed(deleted)
    return PurgeReport(len(deleted), len(shredded), code)


def start_purge_schedule(ctx: ServiceContext, interval_s: int) -> threading.Thread | None:
    """Run ``purge_expired`` every ``interval_s`` seconds in a daemon thread (M-8.5)."""
    if interval_s <= 0:
        return None

    def loop() -> None:
        while True:
            time.sleep(interval_s)
            try:
                purge_expired(ctx)
            except Exception:  # noqa: BLE001 - a failed pass must not stop later ones
                log.exception("purge pass failed")

    thread = threading.Thread(target=loop, name="facegate-purge", daemon=True)
    thread.start()
    return thread
