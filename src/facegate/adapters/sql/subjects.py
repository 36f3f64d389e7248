"""SqlSubjects and SqlTemplates: the people and their sealed templates on one connection.

Adding or removing templates notes a gallery change (``GalleryNote``), which the
unit of work writes to the gallery change log just before it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.engine import postgresql_insert
from facegate.adapters.sql.hot_reads import HotRead
from facegate.domain.model import Subject, TemplateRecord
from facegate.ports.keys import WrappedKey
from facegate.ports.subjects import SealedTemplate

GalleryNote = Callable[[str, list[str]], None]  # ("added" | "removed", template ids)


def _subject(row: Any) -> Subject:
    return Subject(row.id, row.processor_id, row.external_ref, row.minor_until, row.created_at)


def template_from_row(row: Any) -> TemplateRecord:
    return TemplateRecord(
        id=row.id, subject_id=row.subject_id, deployment_id=row.deployment_id, purpose=row.purpose,
        engine=row.engine, created_at=row.created_at, expires_at=row.expires_at, key_id=row.key_id,
        engine_version=row.engine_version,
    )


_SEALED_COLUMNS = (
    t.templates, t.subject_keys.c.kek_id, t.subject_keys.c.algorithm, t.subject_keys.c.blob,
    t.subjects.c.external_ref,
)


def _sealed(row: Any) -> SealedTemplate:
    return SealedTemplate(
        template_from_row(row), row.sealed, WrappedKey(row.kek_id, row.algorithm, row.blob), row.external_ref
    )


def _sealed_query() -> Select[Any]:
    return (
        select(*_SEALED_COLUMNS)
        .join(t.subject_keys, t.subject_keys.c.subject_id == t.templates.c.subject_id)
        .join(t.subjects, t.subjects.c.id == t.templates.c.subject_id)
    )


# The gate's reads on every verify, compiled once and run on the driver (issue 14).
_SUBJECT_BY_REF = HotRead(select(t.subjects).where(t.subjects.c.processor_id == bindparam("processor"),
                                                   t.subjects.c.external_ref == bindparam("ref")))
_HELD = HotRead(_sealed_query().where(t.templates.c.subject_id == bindparam("subject"),
                                      t.templates.c.deployment_id == bindparam("deployment"),
                                      t.templates.c.purpose == bindparam("purpose"))
                .order_by(t.templates.c.created_at))


class SqlSubjects:
    """The SubjectRepository port inside the caller's transaction."""

    def __init__(self, conn: Connection, note: GalleryNote) -> None:
        self.conn = conn
        self._note = note

    def get(self, processor_id: str, external_ref: str) -> Subject | None:
        row = _SUBJECT_BY_REF.first(self.conn, {"processor": processor_id, "ref": external_ref})
        return _subject(row) if row else None

    def get_by_id(self, subject_id: str) -> Subject | None:
        row = self.conn.execute(select(t.subjects).where(t.subjects.c.id == subject_id)).first()
        return _subject(row) if row else None

    def add(self, s: Subject) -> Subject:
        values = {"id": s.id, "processor_id": s.processor_id, "external_ref": s.external_ref,
                  "minor_until": s.minor_until, "created_at": s.created_at}
        dialect_insert = postgresql_insert() if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(dialect_insert(t.subjects).values(**values).on_conflict_do_nothing())
        stored = self.get(s.processor_id, s.external_ref)
        assert stored is not None
        return stored

    def update(self, s: Subject) -> None:
        self.conn.execute(update(t.subjects).where(t.subjects.c.id == s.id).values(minor_until=s.minor_until))

    def lock(self, subject_id: str) -> None:
        """Serialise concurrent enrolls of one person (its data key is made once)."""
        self.conn.execute(select(t.subjects.c.id).where(t.subjects.c.id == subject_id).with_for_update())

    def delete(self, subject_id: str) -> None:
        self._note("removed", [r.id for r in self.conn.execute(
            select(t.templates.c.id).where(t.templates.c.subject_id == subject_id))])
        for table in (t.templates, t.consents, t.subject_keys):
            self.conn.execute(delete(table).where(table.c.subject_id == subject_id))
        self.conn.execute(delete(t.subjects).where(t.subjects.c.id == subject_id))


class SqlTemplates:
    """The TemplateRepository port inside the caller's transaction."""

    def __init__(self, conn: Connection, note: GalleryNote) -> None:
        self.conn = conn
        self._note = note

    def add(self, r: TemplateRecord, sealed: bytes) -> None:
        self.conn.execute(insert(t.templates).values(
            id=r.id, subject_id=r.subject_id, deployment_id=r.deployment_id, purpose=r.purpose,
            engine=r.engine, engine_version=r.engine_version, created_at=r.created_at, expires_at=r.expires_at,
            key_id=r.key_id, sealed=sealed,
        ))
        self._note("added", [r.id])

    def get(self, template_id: str) -> TemplateRecord | None:
        row = self.conn.execute(select(t.templates).where(t.templates.c.id == template_id)).first()
        return template_from_row(row) if row else None

    def get_sealed(self, template_id: str) -> SealedTemplate | None:
        row = self.conn.execute(_sealed_query().where(t.templates.c.id == template_id)).first()
        return _sealed(row) if row else None

    def for_subject(self, subject_id: str, deployment_id: str | None = None,
                    purpose: str | None = None) -> list[SealedTemplate]:
        if deployment_id and purpose:  # the gate's question on every verify
            rows = _HELD.rows(self.conn, {"subject": subject_id, "deployment": deployment_id, "purpose": purpose})
            return [_sealed(r) for r in rows]
        q = _sealed_query().where(t.templates.c.subject_id == subject_id)
        if deployment_id:
            q = q.where(t.templates.c.deployment_id == deployment_id)
        if purpose:
            q = q.where(t.templates.c.purpose == purpose)
        return [_sealed(r) for r in self.conn.execute(q.order_by(t.templates.c.created_at))]

    def gallery(self, deployment_id: str, purpose: str) -> Iterator[SealedTemplate]:
        q = _sealed_query().where(t.templates.c.deployment_id == deployment_id, t.templates.c.purpose == purpose)
        for row in self.conn.execute(q.execution_options(yield_per=2000)):
            yield _sealed(row)

    def delete(self, template_id: str) -> None:
        if self.conn.execute(delete(t.templates).where(t.templates.c.id == template_id)).rowcount:
            self._note("removed", [template_id])

    def delete_for_subject(self, subject_id: str, deployment_id: str | None = None,
                           purpose: str | None = None) -> list[str]:
        cond = [t.templates.c.subject_id == subject_id]
        if deployment_id:
            cond.append(t.templates.c.deployment_id == deployment_id)
        if purpose:
            cond.append(t.templates.c.purpose == purpose)
        ids = [r.id for r in self.conn.execute(select(t.templates.c.id).where(*cond))]
        if ids:
            self.conn.execute(delete(t.templates).where(t.templates.c.id.in_(ids)))
            self._note("removed", ids)
        return ids

    def count_for_subject(self, subject_id: str) -> int:
        q = select(func.count()).select_from(t.templates).where(t.templates.c.subject_id == subject_id)
        return int(self.conn.execute(q).scalar_one())

    def subjects_in(self, deployment_id: str) -> list[str]:
        c = t.templates.c
        return [r.subject_id for r in self.conn.execute(select(c.subject_id).where(c.deployment_id == deployment_id)
                                                        .distinct())]

    def count_gallery(self, deployment_id: str, purpose: str) -> int:
        q = select(func.count()).select_from(t.templates).where(
            t.templates.c.deployment_id == deployment_id, t.templates.c.purpose == purpose)
        return int(self.conn.execute(q).scalar_one())

    def count_by_engine(self, deployment_id: str | None = None) -> list[tuple[str, str, str, str, int]]:
        """(deployment, purpose, engine, engine version, templates): an engine switch's progress."""
        c = t.templates.c
        q = select(c.deployment_id, c.purpose, c.engine, c.engine_version, func.count()).group_by(
            c.deployment_id, c.purpose, c.engine, c.engine_version).order_by(
            c.deployment_id, c.purpose, c.engine, c.engine_version)
        if deployment_id is not None:
            q = q.where(c.deployment_id == deployment_id)
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in self.conn.execute(q)]

    def count_people(self, processor_id: str) -> int:
        q = (
            select(func.count(func.distinct(t.templates.c.subject_id)))
            .join(t.subjects, t.subjects.c.id == t.templates.c.subject_id)
            .where(t.subjects.c.processor_id == processor_id)
        )
        return int(self.conn.execute(q).scalar_one())

    def cap_expiry(self, deployment_id: str, *, max_days: int | None = None,
                   latest: datetime | None = None, subject_id: str | None = None) -> int:
        """Bring expiry forward to ``created_at + max_days`` and/or ``latest``; never later (M-8.5)."""
        q = select(t.templates.c.id, t.templates.c.created_at, t.templates.c.expires_at).where(
            t.templates.c.deployment_id == deployment_id)
        if subject_id is not None:
            q = q.where(t.templates.c.subject_id == subject_id)
        changed = 0
        for row in self.conn.execute(q).all():
            limits = [row.expires_at]
            if max_days is not None:
                limits.append(row.created_at + timedelta(days=max_days))
            if latest is not None:
                limits.append(latest)
            new = min(limits)
            if new < row.expires_at:
                self.conn.execute(update(t.templates).where(t.templates.c.id == row.id).values(expires_at=new))
                changed += 1
        return changed

    def expired(self, now: datetime) -> list[TemplateRecord]:
        rows = self.conn.execute(select(t.templates).where(t.templates.c.expires_at <= now))
        return [template_from_row(r) for r in rows]
