"""Retention tied to an event, "until move-out plus N days" (M-8.5, Art. 8 para 2).

A manifest may declare ``retention.until`` (the event and the days after it). When the event
happens for a person (a resident moves out, a membership ends), the processor says so here:
that person's templates in the deployment then expire N days after the event, never later
than the fixed outer limit they already had, and expired ones are purged with a record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from facegate.errors import InvalidInput
from facegate.services.common import load_deployment, load_subject, record
from facegate.services.context import ServiceContext


def event_days_after(manifest: dict[str, object]) -> int | None:
    """``retention.until.days_after`` of a stored manifest, or None when retention is a fixed period."""
    retention = manifest.get("retention") if isinstance(manifest, dict) else None
    until = retention.get("until") if isinstance(retention, dict) else None
    days = until.get("days_after") if isinstance(until, dict) else None
    return days if isinstance(days, int) else None


def relationship_ended(ctx: ServiceContext, deployment_id: str, subject_ref: str, on: date, *,
                       actor: str = "api") -> int:
    """The declared event happened for this person on ``on``; returns how many templates now expire sooner."""
    with ctx.store.transaction() as tx:
        d = load_deployment(tx, deployment_id)
        days = event_days_after(d.manifest)
        if days is None:
            raise InvalidInput("retention_not_event_tied",
                               "This deployment keeps face data for a fixed period, not until an event.",
                               "该部署按固定期限保存人脸信息，不按事件计算。", article_id="M-8.5")
        subject = load_subject(tx, d, subject_ref)
        latest = datetime.combine(on + timedelta(days=days), time(), UTC)
        moved = tx.templates.cap_expiry(d.id, latest=latest, subject_id=subject.id)
        record(ctx, tx, "retention_event", actor=actor, deployment=d, subject_ref=subject_ref, allowed=True,
               detail={"event_on": on.isoformat(), "days_after": days, "expires_by": latest.isoformat(),
                       "templates": moved})
    if latest <= ctx.clock.now():
        from facegate.services.purge import purge_expired
        purge_expired(ctx, actor=actor)
    return moved
