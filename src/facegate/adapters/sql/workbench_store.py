"""SqlWorkbenchStore: the workbench's rows on an open SqlTx, as plain dicts.

It speaks dicts (column name -> value) because adapters may not import the
services; ``services.workbench.deps.TypedWorkbench`` turns them into records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

import facegate.adapters.sql.tables_workbench as tw  # registers the wb_* tables on the shared metadata
from facegate.adapters.sql import tables as t
from facegate.adapters.sql.store import SqlTx
from facegate.domain.audit import AuditEvent, ChainedEvent

try:  # the person side's tables (rights requests, complaints); absent in trees without them
    from facegate.adapters.sql import tables_person as tp
except ImportError:  # pragma: no cover
    tp = None  # type: ignore[assignment]

Row = dict[str, Any]

# Read by the gate's assessment check on every face operation: constant statements (issue 14).
_ASSESSMENTS_OF = (select(tw.assessments).where(tw.assessments.c.deployment_id == bindparam("id"))
                   .order_by(tw.assessments.c.deployment_id, tw.assessments.c.version))
_INCIDENTS_OF = (select(tw.incidents).where(tw.incidents.c.processor_id == bindparam("id"))
                 .order_by(tw.incidents.c.occurred_at))


def _row(row: Any) -> Row:
    return dict(row._mapping)


class SqlWorkbenchStore:
    """Works inside the caller's transaction, so workbench rows commit with the rest."""

    def __init__(self, tx: SqlTx) -> None:
        self.conn = tx.conn

    # assessments ------------------------------------------------------------------------
    def add_assessment(self, rec: Row) -> None:
        self.conn.execute(insert(tw.assessments).values(**rec))

    def update_assessment(self, rec: Row) -> None:
        values = {k: v for k, v in rec.items() if k not in ("deployment_id", "version")}
        self.conn.execute(update(tw.assessments).where(
            tw.assessments.c.deployment_id == rec["deployment_id"], tw.assessments.c.version == rec["version"],
        ).values(**values))

    def list_assessments(self, deployment_id: str | None = None) -> list[Row]:
        if deployment_id is not None:
            return [_row(r) for r in self.conn.execute(_ASSESSMENTS_OF, {"id": deployment_id})]
        q = select(tw.assessments)
        if deployment_id is not None:
            q = q.where(tw.assessments.c.deployment_id == deployment_id)
        q = q.order_by(tw.assessments.c.deployment_id, tw.assessments.c.version)
        return [_row(r) for r in self.conn.execute(q)]

    def get_assessment(self, deployment_id: str, version: int) -> Row | None:
        row = self.conn.execute(select(tw.assessments).where(
            tw.assessments.c.deployment_id == deployment_id, tw.assessments.c.version == version)).first()
        return _row(row) if row else None

    # daily counts -----------------------------------------------------------------------
    def put_people_count(self, processor_id: str, day: date, count: int, at: datetime) -> int:
        """Keep the day's highest count: the duty arises when 100,000 is first reached (M-15.2)."""
        c = tw.people_counts.c
        # Concurrent enrolments write the same (processor, day) row: insert-if-absent, then raise it.
        # A plain insert after a read raced on PostgreSQL (UniqueViolation, a 500 in the kill -9 burst).
        dialect_insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(dialect_insert(tw.people_counts).values(
            processor_id=processor_id, day=day, count=count, taken_at=at).on_conflict_do_nothing())
        row = self.conn.execute(select(c.count).where(c.processor_id == processor_id, c.day == day)).one()
        if count > row.count:
            self.conn.execute(update(tw.people_counts).where(c.processor_id == processor_id, c.day == day)
                              .values(count=count, taken_at=at))
        return max(count, int(row.count))

    def people_counts(self, processor_id: str) -> list[tuple[date, int]]:
        c = tw.people_counts.c
        rows = self.conn.execute(select(c.day, c.count).where(c.processor_id == processor_id).order_by(c.day))
        return [(r.day, int(r.count)) for r in rows]

    # filings ----------------------------------------------------------------------------
    def add_filing(self, rec: Row) -> None:
        self.conn.execute(insert(tw.filing_records).values(**rec))

    def update_filing(self, rec: Row) -> None:
        values = {k: v for k, v in rec.items() if k != "id"}
        self.conn.execute(update(tw.filing_records).where(tw.filing_records.c.id == rec["id"]).values(**values))

    def list_filings(self, processor_id: str | None = None) -> list[Row]:
        q = select(tw.filing_records)
        if processor_id is not None:
            q = q.where(tw.filing_records.c.processor_id == processor_id)
        q = q.order_by(tw.filing_records.c.event_on, tw.filing_records.c.created_at)
        return [_row(r) for r in self.conn.execute(q)]

    # incidents --------------------------------------------------------------------------
    def add_incident(self, inc: Row) -> None:
        self.conn.execute(insert(tw.incidents).values(**inc))

    def list_incidents(self, processor_id: str | None = None) -> list[Row]:
        if processor_id is not None:
            return [_row(r) for r in self.conn.execute(_INCIDENTS_OF, {"id": processor_id})]
        q = select(tw.incidents)
        if processor_id is not None:
            q = q.where(tw.incidents.c.processor_id == processor_id)
        rows = self.conn.execute(q.order_by(tw.incidents.c.occurred_at))
        return [_row(r) for r in rows]

    # reads of the processing record and the shared tables --------------------------------
    def event_counts(self, deployment_id: str | None = None) -> dict[str, dict[tuple[str, bool | None], int]]:
        e = t.audit_events.c
        q = select(e.deployment_id, e.kind, e.allowed, func.count()).where(e.deployment_id.is_not(None))
        if deployment_id is not None:
            q = q.where(e.deployment_id == deployment_id)
        out: dict[str, dict[tuple[str, bool | None], int]] = {}
        for dep, kind, allowed, n in self.conn.execute(q.group_by(e.deployment_id, e.kind, e.allowed)):
            out.setdefault(dep, {})[(kind, allowed)] = int(n)
        return out

    def face_refusals(self, since: datetime | None = None,
                      deployment_id: str | None = None) -> list[tuple[str, date, str, tuple[str, ...], str | None]]:
        """Refused enrol/verify/identify events: (deployment, day, kind, reason codes, stage), to tell photo
        problems from the gate's refusals (issue 16 item 7)."""
        e = t.audit_events.c
        q = select(e.deployment_id, e.at, e.kind, e.reason_codes, e.detail).where(
            e.deployment_id.is_not(None), e.allowed.is_(False), e.kind.in_(("enroll", "verify", "identify")))
        if since is not None:
            q = q.where(e.at >= since)
        if deployment_id is not None:
            q = q.where(e.deployment_id == deployment_id)
        return [(r.deployment_id, r.at.date(), r.kind, tuple(r.reason_codes or ()), (r.detail or {}).get("stage"))
                for r in self.conn.execute(q)]

    def daily_events(self, since: datetime, deployment_id: str | None = None) -> list[tuple[date, str, bool | None, int]]:
        e = t.audit_events.c
        q = select(e.at, e.kind, e.allowed).where(e.at >= since)
        if deployment_id is not None:
            q = q.where(e.deployment_id == deployment_id)
        counts: dict[tuple[date, str, bool | None], int] = {}
        for at, kind, allowed in self.conn.execute(q):
            key = (at.date(), kind, allowed)
            counts[key] = counts.get(key, 0) + 1
        return [(d, k, a, n) for (d, k, a), n in sorted(counts.items(), key=lambda x: (x[0][0], x[0][1]))]

    def event_kinds(self) -> list[str]:
        e = t.audit_events.c
        return [str(k) for (k,) in self.conn.execute(select(e.kind).distinct().order_by(e.kind))]

    def events_page(self, *, kind: str | None = None, deployment_id: str | None = None, allowed: bool | None = None,
                    since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                    limit: int = 50) -> tuple[list[Row], int]:
        """The processing record, newest first, filtered; (rows, total). No subject pseudonym, no detail blobs."""
        e = t.audit_events.c
        where = [c for c in (e.kind == kind if kind else None, e.deployment_id == deployment_id if deployment_id else None,
                             e.allowed.is_(allowed) if allowed is not None else None,
                             e.at >= since if since else None, e.at < until if until else None) if c is not None]
        total = int(self.conn.execute(select(func.count()).select_from(t.audit_events).where(*where)).scalar_one())
        rows = self.conn.execute(select(e.seq, e.at, e.kind, e.actor, e.deployment_id, e.allowed, e.reason_codes)
                                 .where(*where).order_by(e.seq.desc()).offset(offset).limit(limit))
        return [_row(r) for r in rows], total

    def security_events(self, limit: int = 50) -> list[dict[str, Any]]:
        """Detections (M-14.5): the security_events table when present, else the record's security_event rows."""
        table = getattr(t, "security_events", None)
        if table is not None:
            c = table.c
            rows = self.conn.execute(select(table).order_by(c.at.desc(), c.id.desc()).limit(limit))
            return [{"seq": r.id, "at": r.at, "kind": r.kind, "severity": r.severity, "actor": r.key_id,
                     "client": r.client, "deployment_id": (r.detail or {}).get("deployment_id")} for r in rows]
        e = t.audit_events.c
        rows = self.conn.execute(select(e.seq, e.at, e.actor, e.deployment_id, e.detail)
                                 .where(e.kind == "security_event").order_by(e.seq.desc()).limit(limit))
        return [{"seq": r.seq, "at": r.at, "kind": (r.detail or {}).get("kind", ""),
                 "severity": (r.detail or {}).get("severity", ""), "actor": r.actor, "client": None,
                 "deployment_id": r.deployment_id} for r in rows]

    def chain(self) -> Iterator[ChainedEvent]:
        rows = self.conn.execute(select(t.audit_events).order_by(t.audit_events.c.seq)
                                 .execution_options(yield_per=2000))
        for r in rows:
            event = AuditEvent(kind=r.kind, at=r.at, actor=r.actor, deployment_id=r.deployment_id,
                               subject_ref=r.subject_ref, allowed=r.allowed, reason_codes=tuple(r.reason_codes),
                               detail=dict(r.detail))
            yield ChainedEvent(r.seq, event, r.prev_hash, r.hash)

    def checkpoint_count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.checkpoints)).scalar_one())

    def person_requests(self) -> list[dict[str, Any]]:
        if tp is None:  # pragma: no cover
            return []
        r = tp.person_requests.c
        rows = self.conn.execute(select(r.id, r.kind, r.status, r.processor_id, r.deployment_id, r.purpose,
                                        r.created_at, r.due_on, r.completed_at, r.detail).order_by(r.due_on))
        return [{**dict(row._mapping), "detail": dict(row.detail or {})} for row in rows]

    def subjects_with_templates(self, deployment_id: str) -> list[str]:
        c = t.templates.c
        q = select(c.subject_id).where(c.deployment_id == deployment_id).distinct()
        return [r.subject_id for r in self.conn.execute(q)]


def workbench_store(tx: SqlTx) -> SqlWorkbenchStore:
    """The raw store for one transaction; wrap it in ``TypedWorkbench`` for the services."""
    return SqlWorkbenchStore(tx)
