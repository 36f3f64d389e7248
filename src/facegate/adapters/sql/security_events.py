"""SqlSecurityEvents: intrusion-defence events (M-14.5) on one connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from facegate.adapters.sql import tables as t
from facegate.domain.intrusion import SecurityEvent


def _event(r: Any) -> SecurityEvent:
    return SecurityEvent(r.kind, r.severity, r.key_id, r.client, r.subject_ref, r.at, dict(r.detail))


class SqlSecurityEvents:
    """The SecurityEventRepository port inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, ev: SecurityEvent) -> None:
        self.conn.execute(insert(t.security_events).values(
            kind=ev.kind, severity=ev.severity, key_id=ev.key_id, client=ev.client, subject_ref=ev.subject_ref,
            at=ev.at, detail=ev.detail))

    def recent(self, limit: int = 200) -> list[SecurityEvent]:
        rows = self.conn.execute(select(t.security_events).order_by(t.security_events.c.id.desc()).limit(limit))
        return [_event(r) for r in rows]

    def lock_events(self, since: datetime, subject_key: str | None = None,
                    kinds: tuple[str, ...] = ("subject_locked", "subject_lock_lifted")) -> list[SecurityEvent]:
        c = t.security_events.c
        q = select(t.security_events).where(c.kind.in_(kinds), c.at >= since)
        if subject_key is not None:
            q = q.where(c.subject_ref == subject_key)
        return [_event(r) for r in self.conn.execute(q.order_by(c.id))]
