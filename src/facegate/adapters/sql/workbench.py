"""SqlWorkbench: the workbench repository (``uow.workbench``) on one connection, in typed records."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

import facegate.adapters.sql.tables_workbench as tw  # registers the wb_* tables on the shared metadata
from facegate.adapters.sql import tables as t
from facegate.adapters.sql.engine import postgresql_insert
from facegate.adapters.sql.hot_reads import HotRead
from facegate.ports.workbench import (
    AssessmentRecord,
    FaceRefusal,
    FilingRecord,
    Incident,
    RecordRow,
    SecurityDetection,
)


# Read by the gate's assessment check on every face operation: constant statements (issue 14).
_ASSESSMENTS_OF = HotRead(select(tw.assessments).where(tw.assessments.c.deployment_id == bindparam("id"))
                          .order_by(tw.assessments.c.deployment_id, tw.assessments.c.version))
_INCIDENTS_OF = HotRead(select(tw.incidents).where(tw.incidents.c.processor_id == bindparam("id"))
                        .order_by(tw.incidents.c.occurred_at))


def _pick(row: Any, cls: type) -> dict[str, Any]:
    values = row._mapping
    return {f.name: values[f.name] for f in fields(cls) if f.name in values}


def _assessment(row: Any) -> AssessmentRecord:
    return AssessmentRecord(**_pick(row, AssessmentRecord))


def _filing(row: Any) -> FilingRecord:
    values = _pick(row, FilingRecord)
    values["history"] = tuple(values.get("history") or ())
    return FilingRecord(**values)


def _filing_values(rec: FilingRecord) -> dict[str, Any]:
    values = asdict(rec)
    values["history"] = list(rec.history)
    return values


class SqlWorkbench:
    """The WorkbenchRepository port inside the caller's transaction, so workbench rows commit with the rest."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # assessments ------------------------------------------------------------------------
    def add_assessment(self, rec: AssessmentRecord) -> None:
        self.conn.execute(insert(tw.assessments).values(**asdict(rec)))

    def update_assessment(self, rec: AssessmentRecord) -> None:
        values = {k: v for k, v in asdict(rec).items() if k not in ("deployment_id", "version")}
        self.conn.execute(update(tw.assessments).where(
            tw.assessments.c.deployment_id == rec.deployment_id, tw.assessments.c.version == rec.version,
        ).values(**values))

    def list_assessments(self, deployment_id: str | None = None) -> list[AssessmentRecord]:
        if deployment_id is not None:
            return [_assessment(r) for r in _ASSESSMENTS_OF.rows(self.conn, {"id": deployment_id})]
        q = select(tw.assessments)
        if deployment_id is not None:
            q = q.where(tw.assessments.c.deployment_id == deployment_id)
        q = q.order_by(tw.assessments.c.deployment_id, tw.assessments.c.version)
        return [_assessment(r) for r in self.conn.execute(q)]

    def get_assessment(self, deployment_id: str, version: int) -> AssessmentRecord | None:
        row = self.conn.execute(select(tw.assessments).where(
            tw.assessments.c.deployment_id == deployment_id, tw.assessments.c.version == version)).first()
        return _assessment(row) if row else None

    # daily counts -----------------------------------------------------------------------
    def put_people_count(self, processor_id: str, day: date, count: int, at: datetime) -> int:
        """Keep the day's highest count: the duty arises when 100,000 is first reached (M-15.2)."""
        c = tw.people_counts.c
        # Concurrent enrolments write the same (processor, day) row: insert-if-absent, then raise it.
        # A plain insert after a read raced on PostgreSQL (UniqueViolation, a 500 in the kill -9 burst).
        dialect_insert = postgresql_insert() if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(dialect_insert(tw.people_counts).values(
            processor_id=processor_id, day=day, count=count, taken_at=at).on_conflict_do_nothing())
        stored = int(self.conn.execute(select(c.count).where(c.processor_id == processor_id, c.day == day))
                     .scalar_one())
        if count > stored:
            self.conn.execute(update(tw.people_counts).where(c.processor_id == processor_id, c.day == day)
                              .values(count=count, taken_at=at))
        return max(count, stored)

    def people_counts(self, processor_id: str) -> list[tuple[date, int]]:
        c = tw.people_counts.c
        rows = self.conn.execute(select(c.day, c.count).where(c.processor_id == processor_id).order_by(c.day))
        return [(day, int(n)) for day, n in rows]  # not r.count: Row.count is tuple.count

    # filings ----------------------------------------------------------------------------
    def add_filing(self, rec: FilingRecord) -> None:
        self.conn.execute(insert(tw.filing_records).values(**_filing_values(rec)))

    def update_filing(self, rec: FilingRecord) -> None:
        values = {k: v for k, v in _filing_values(rec).items() if k != "id"}
        self.conn.execute(update(tw.filing_records).where(tw.filing_records.c.id == rec.id).values(**values))

    def list_filings(self, processor_id: str | None = None) -> list[FilingRecord]:
        q = select(tw.filing_records)
        if processor_id is not None:
            q = q.where(tw.filing_records.c.processor_id == processor_id)
        q = q.order_by(tw.filing_records.c.event_on, tw.filing_records.c.created_at)
        return [_filing(r) for r in self.conn.execute(q)]

    # incidents --------------------------------------------------------------------------
    def add_incident(self, inc: Incident) -> None:
        self.conn.execute(insert(tw.incidents).values(**asdict(inc)))

    def list_incidents(self, processor_id: str | None = None) -> list[Incident]:
        if processor_id is not None:
            return [Incident(**_pick(r, Incident)) for r in _INCIDENTS_OF.rows(self.conn, {"id": processor_id})]
        q = select(tw.incidents)
        if processor_id is not None:
            q = q.where(tw.incidents.c.processor_id == processor_id)
        rows = self.conn.execute(q.order_by(tw.incidents.c.occurred_at))
        return [Incident(**_pick(r, Incident)) for r in rows]

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

    def face_refusals(self, since: datetime | None = None, deployment_id: str | None = None) -> list[FaceRefusal]:
        e = t.audit_events.c
        q = select(e.deployment_id, e.at, e.kind, e.reason_codes, e.detail).where(
            e.deployment_id.is_not(None), e.allowed.is_(False), e.kind.in_(("enroll", "verify", "identify")))
        if since is not None:
            q = q.where(e.at >= since)
        if deployment_id is not None:
            q = q.where(e.deployment_id == deployment_id)
        return [FaceRefusal(r.deployment_id, r.at.date(), r.kind, tuple(r.reason_codes or ()),
                            (r.detail or {}).get("stage")) for r in self.conn.execute(q)]

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
                    limit: int = 50) -> tuple[list[RecordRow], int]:
        e = t.audit_events.c
        where = [c for c in (e.kind == kind if kind else None, e.deployment_id == deployment_id if deployment_id else None,
                             e.allowed.is_(allowed) if allowed is not None else None,
                             e.at >= since if since else None, e.at < until if until else None) if c is not None]
        total = int(self.conn.execute(select(func.count()).select_from(t.audit_events).where(*where)).scalar_one())
        rows = self.conn.execute(select(e.seq, e.at, e.kind, e.actor, e.deployment_id, e.allowed, e.reason_codes)
                                 .where(*where).order_by(e.seq.desc()).offset(offset).limit(limit))
        return [RecordRow(r.seq, r.at, r.kind, r.actor, r.deployment_id, r.allowed, tuple(r.reason_codes or ()))
                for r in rows], total

    def security_detections(self, limit: int = 50) -> list[SecurityDetection]:
        c = t.security_events.c
        rows = self.conn.execute(select(t.security_events).order_by(c.at.desc(), c.id.desc()).limit(limit))
        return [SecurityDetection(r.id, r.at, r.kind, r.severity, r.key_id, r.client,
                                  (r.detail or {}).get("deployment_id")) for r in rows]
