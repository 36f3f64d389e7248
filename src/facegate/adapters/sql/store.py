"""SqlStore: the Store port on SQLAlchemy Core, one transaction per unit of work."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.calibrations import CalibrationsMixin
from facegate.adapters.sql.gallery_log import GalleryLogMixin
from facegate.adapters.sql.records import RecordsMixin, Signer
from facegate.domain.audit import AuditEvent, ChainedEvent, HashFn, link
from facegate.domain.chain import DEFAULT_POLICY, should_checkpoint
from facegate.domain.chain_export import normalize_event
from facegate.domain.age import AgeBasis
from facegate.domain.model import (
    Alternative,
    Consent,
    ConsentActor,
    Deployment,
    DeploymentStatus,
    Mode,
    Processor,
    RecordKind,
    SeparateConsent,
    StorageLocality,
    Subject,
    TemplateRecord,
)
from facegate.domain.terms import ConsentTerms
from facegate.ports import SealedTemplate, WrappedKey


def _deployment(row: Any) -> Deployment:
    return Deployment(
        id=row.id, processor_id=row.processor_id, name=row.name, name_zh=row.name_zh,
        purposes=tuple(row.purposes), mode=Mode(row.mode),
        alternatives=tuple(Alternative(**a) for a in row.alternatives),
        storage_locality=StorageLocality(row.storage_locality), retention_days=row.retention_days,
        status=DeploymentStatus(row.status), version=row.version, notice_version=row.notice_version,
        scope_hash=row.scope_hash, minors_allowed=row.minors_allowed,
        written_consent_required=row.written_consent_required, manifest=dict(row.manifest),
        consent_required=row.consent_required, legal_basis_ref=row.legal_basis_ref,
        **_gate_terms(row.gate_terms),
    )


def _gate_terms(data: dict[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    return {"terms": ConsentTerms.from_dict(data.get("terms")), "may_meet_minors": bool(data.get("may_meet_minors")),
            "separate_consents_needed": tuple(SeparateConsent(s) for s in data.get("separate", ())),
            "is_notice_exempt": bool(data.get("notice_exempt"))}


def _consent(row: Any) -> Consent:
    return Consent(
        id=row.id, subject_id=row.subject_id, deployment_id=row.deployment_id, purpose=row.purpose,
        notice_version=row.notice_version, scope_hash=row.scope_hash, channel=row.channel,
        actor=ConsentActor(row.actor), given_at=row.given_at, withdrawn_at=row.withdrawn_at,
        guardian_ref=row.guardian_ref, guardian_relationship=row.guardian_relationship,
        kind=RecordKind(row.kind or "consent"), terms=ConsentTerms.from_dict(row.terms),
        separate=tuple(SeparateConsent(s) for s in row.separate_consents or ()),
        age_basis=AgeBasis(row.age_basis) if row.age_basis else None, age_attested_by=row.age_attested_by,
    )


def _template(row: Any) -> TemplateRecord:
    return TemplateRecord(
        id=row.id, subject_id=row.subject_id, deployment_id=row.deployment_id, purpose=row.purpose,
        engine=row.engine, created_at=row.created_at, expires_at=row.expires_at, key_id=row.key_id,
    )


_SEALED_COLUMNS = (
    t.templates, t.subject_keys.c.kek_id, t.subject_keys.c.algorithm, t.subject_keys.c.blob,
    t.subjects.c.external_ref,
)


def _sealed(row: Any) -> SealedTemplate:
    return SealedTemplate(
        _template(row), row.sealed, WrappedKey(row.kek_id, row.algorithm, row.blob), row.external_ref
    )


_HEAD_FOR_UPDATE = select(t.audit_head).where(t.audit_head.c.id == 1).with_for_update()
_INSERT_EVENT = insert(t.audit_events)
_UPDATE_HEAD = update(t.audit_head).where(t.audit_head.c.id == 1)


class SqlTx(RecordsMixin, CalibrationsMixin, GalleryLogMixin):
    """The Tx port over one open connection inside a transaction."""

    def __init__(self, conn: Connection, hash_fn: HashFn, signer: Signer | None = None,
                 every_events: int = DEFAULT_POLICY.every_events,
                 every_seconds: int = DEFAULT_POLICY.every_seconds) -> None:
        self.conn = conn
        self._hash_fn = hash_fn
        self._signer = signer
        self._every_events = every_events
        self._every_seconds = every_seconds
        self._gallery: dict[str, list[str]] | None = None  # this transaction's gallery changes, for the log

    # processors and deployments ------------------------------------------------------
    def get_processor(self, processor_id: str) -> Processor | None:
        row = self.conn.execute(select(t.processors).where(t.processors.c.id == processor_id)).first()
        return Processor(row.id, row.name, row.contact, row.uscc) if row else None

    def put_processor(self, processor: Processor) -> None:
        values = {"name": processor.name, "contact": processor.contact, "uscc": processor.uscc}
        if self.get_processor(processor.id):
            self.conn.execute(update(t.processors).where(t.processors.c.id == processor.id).values(**values))
        else:
            self.conn.execute(insert(t.processors).values(id=processor.id, **values))

    def get_deployment(self, deployment_id: str) -> Deployment | None:
        row = self.conn.execute(select(t.deployments).where(t.deployments.c.id == deployment_id)).first()
        return _deployment(row) if row else None

    def put_deployment(self, d: Deployment) -> None:
        values = {
            "processor_id": d.processor_id, "version": d.version, "name": d.name, "name_zh": d.name_zh,
            "purposes": list(d.purposes), "mode": d.mode.value,
            "alternatives": [a.__dict__ for a in d.alternatives],
            "storage_locality": d.storage_locality.value, "retention_days": d.retention_days,
            "status": d.status.value, "notice_version": d.notice_version, "scope_hash": d.scope_hash,
            "minors_allowed": d.minors_allowed, "written_consent_required": d.written_consent_required,
            "manifest": d.manifest, "consent_required": d.consent_required,
            "legal_basis_ref": d.legal_basis_ref,
            "gate_terms": {"terms": d.terms.to_dict() if d.terms else None, "may_meet_minors": d.may_meet_minors,
                           "separate": [s.value for s in d.separate_consents_needed],
                           "notice_exempt": d.is_notice_exempt},
        }
        if self.get_deployment(d.id):
            self.conn.execute(update(t.deployments).where(t.deployments.c.id == d.id).values(**values))
        else:
            self.conn.execute(insert(t.deployments).values(id=d.id, **values))

    def list_deployments(self) -> list[Deployment]:
        rows = self.conn.execute(select(t.deployments).order_by(t.deployments.c.id))
        return [_deployment(r) for r in rows]

    def add_deployment_version(
        self, d: Deployment, findings: list[dict[str, object]], applied_at: datetime, applied_by: str
    ) -> None:
        self.conn.execute(insert(t.deployment_versions).values(
            deployment_id=d.id, version=d.version, status=d.status.value, manifest=d.manifest,
            findings=findings, applied_at=applied_at, applied_by=applied_by,
        ))

    def list_deployment_versions(self, deployment_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(t.deployment_versions).where(t.deployment_versions.c.deployment_id == deployment_id)
            .order_by(t.deployment_versions.c.version)
        )
        return [dict(r._mapping) for r in rows]

    # subjects and keys -----------------------------------------------------------------
    def get_subject(self, processor_id: str, external_ref: str) -> Subject | None:
        row = self.conn.execute(select(t.subjects).where(
            t.subjects.c.processor_id == processor_id, t.subjects.c.external_ref == external_ref
        )).first()
        return Subject(row.id, row.processor_id, row.external_ref, row.minor_until, row.created_at) if row else None

    def add_subject(self, s: Subject) -> Subject:
        """Insert the person unless a concurrent request already did; return the stored row."""
        values = {"id": s.id, "processor_id": s.processor_id, "external_ref": s.external_ref,
                  "minor_until": s.minor_until, "created_at": s.created_at}
        dialect_insert = pg_insert if self.conn.dialect.name == "postgresql" else sqlite_insert
        self.conn.execute(dialect_insert(t.subjects).values(**values).on_conflict_do_nothing())
        stored = self.get_subject(s.processor_id, s.external_ref)
        assert stored is not None
        return stored

    def lock_subject(self, subject_id: str) -> None:
        """Serialise concurrent enrolls of one person (its data key is made once)."""
        self.conn.execute(select(t.subjects.c.id).where(t.subjects.c.id == subject_id).with_for_update())

    def try_exclusive(self, name: str) -> bool:
        """Take a named lock for this transaction, or answer False at once if another node holds it."""
        if self.conn.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            return bool(self.conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar_one())
        return True  # SQLite: every write transaction began IMMEDIATE, so it already holds the only write lock

    def get_subject_by_id(self, subject_id: str) -> Subject | None:
        row = self.conn.execute(select(t.subjects).where(t.subjects.c.id == subject_id)).first()
        return Subject(row.id, row.processor_id, row.external_ref, row.minor_until, row.created_at) if row else None

    def update_subject(self, s: Subject) -> None:
        self.conn.execute(update(t.subjects).where(t.subjects.c.id == s.id).values(minor_until=s.minor_until))

    def delete_subject(self, subject_id: str) -> None:
        self._gallery_note("removed", [r.id for r in self.conn.execute(
            select(t.templates.c.id).where(t.templates.c.subject_id == subject_id))])
        for table in (t.templates, t.consents, t.subject_keys):
            self.conn.execute(delete(table).where(table.c.subject_id == subject_id))
        self.conn.execute(delete(t.subjects).where(t.subjects.c.id == subject_id))

    def get_subject_key(self, subject_id: str) -> WrappedKey | None:
        row = self.conn.execute(select(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id)).first()
        return WrappedKey(row.kek_id, row.algorithm, row.blob) if row else None

    def put_subject_key(self, subject_id: str, key: WrappedKey) -> None:
        values = {"kek_id": key.kek_id, "algorithm": key.algorithm, "blob": key.blob}
        if self.get_subject_key(subject_id):
            self.conn.execute(update(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id).values(**values))
        else:
            self.conn.execute(insert(t.subject_keys).values(subject_id=subject_id, **values))

    def delete_subject_key(self, subject_id: str) -> None:
        self.conn.execute(delete(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id))

    def all_subject_keys(self) -> list[tuple[str, WrappedKey]]:
        rows = self.conn.execute(select(t.subject_keys))
        return [(r.subject_id, WrappedKey(r.kek_id, r.algorithm, r.blob)) for r in rows]

    # consents --------------------------------------------------------------------------
    def add_consent(self, c: Consent, receipt_hash: str | None = None) -> None:
        self.conn.execute(insert(t.consents).values(
            id=c.id, subject_id=c.subject_id, deployment_id=c.deployment_id, purpose=c.purpose,
            notice_version=c.notice_version, scope_hash=c.scope_hash, channel=c.channel,
            actor=c.actor.value, given_at=c.given_at, withdrawn_at=c.withdrawn_at,
            guardian_ref=c.guardian_ref, guardian_relationship=c.guardian_relationship,
            receipt_hash=receipt_hash, kind=c.kind.value, terms=c.terms.to_dict() if c.terms else None,
            separate_consents=[s.value for s in c.separate],
            age_basis=c.age_basis.value if c.age_basis else None, age_attested_by=c.age_attested_by,
        ))

    def list_consents(self, subject_id: str, deployment_id: str | None = None) -> list[Consent]:
        q = select(t.consents).where(t.consents.c.subject_id == subject_id)
        if deployment_id:
            q = q.where(t.consents.c.deployment_id == deployment_id)
        return [_consent(r) for r in self.conn.execute(q.order_by(t.consents.c.given_at))]

    def withdraw_consents(self, subject_id: str, deployment_id: str, purpose: str | None, at: datetime) -> int:
        q = update(t.consents).where(
            t.consents.c.subject_id == subject_id, t.consents.c.deployment_id == deployment_id,
            t.consents.c.withdrawn_at.is_(None),
        )
        if purpose:
            q = q.where(t.consents.c.purpose == purpose)
        return self.conn.execute(q.values(withdrawn_at=at)).rowcount

    def delete_consents(self, subject_id: str, deployment_id: str, purpose: str | None = None) -> int:
        q = delete(t.consents).where(t.consents.c.subject_id == subject_id, t.consents.c.deployment_id == deployment_id)
        if purpose:
            q = q.where(t.consents.c.purpose == purpose)
        return self.conn.execute(q).rowcount

    # templates -------------------------------------------------------------------------
    def add_template(self, r: TemplateRecord, sealed: bytes) -> None:
        self.conn.execute(insert(t.templates).values(
            id=r.id, subject_id=r.subject_id, deployment_id=r.deployment_id, purpose=r.purpose,
            engine=r.engine, created_at=r.created_at, expires_at=r.expires_at, key_id=r.key_id, sealed=sealed,
        ))
        self._gallery_note("added", [r.id])

    def _sealed_query(self):  # type: ignore[no-untyped-def]
        return (
            select(*_SEALED_COLUMNS)
            .join(t.subject_keys, t.subject_keys.c.subject_id == t.templates.c.subject_id)
            .join(t.subjects, t.subjects.c.id == t.templates.c.subject_id)
        )

    def list_templates(
        self, subject_id: str, deployment_id: str | None = None, purpose: str | None = None
    ) -> list[SealedTemplate]:
        q = self._sealed_query().where(t.templates.c.subject_id == subject_id)
        if deployment_id:
            q = q.where(t.templates.c.deployment_id == deployment_id)
        if purpose:
            q = q.where(t.templates.c.purpose == purpose)
        return [_sealed(r) for r in self.conn.execute(q.order_by(t.templates.c.created_at))]

    def get_sealed_template(self, template_id: str) -> SealedTemplate | None:
        row = self.conn.execute(self._sealed_query().where(t.templates.c.id == template_id)).first()
        return _sealed(row) if row else None

    def gallery(self, deployment_id: str, purpose: str) -> Iterator[SealedTemplate]:
        q = self._sealed_query().where(
            t.templates.c.deployment_id == deployment_id, t.templates.c.purpose == purpose
        )
        for row in self.conn.execute(q.execution_options(yield_per=2000)):
            yield _sealed(row)

    def delete_templates(
        self, subject_id: str, deployment_id: str | None = None, purpose: str | None = None
    ) -> list[str]:
        cond = [t.templates.c.subject_id == subject_id]
        if deployment_id:
            cond.append(t.templates.c.deployment_id == deployment_id)
        if purpose:
            cond.append(t.templates.c.purpose == purpose)
        ids = [r.id for r in self.conn.execute(select(t.templates.c.id).where(*cond))]
        if ids:
            self.conn.execute(delete(t.templates).where(t.templates.c.id.in_(ids)))
            self._gallery_note("removed", ids)
        return ids

    def get_template(self, template_id: str) -> TemplateRecord | None:
        row = self.conn.execute(select(t.templates).where(t.templates.c.id == template_id)).first()
        return _template(row) if row else None

    def delete_template(self, template_id: str) -> None:
        if self.conn.execute(delete(t.templates).where(t.templates.c.id == template_id)).rowcount:
            self._gallery_note("removed", [template_id])

    def count_templates(self, subject_id: str) -> int:
        q = select(func.count()).select_from(t.templates).where(t.templates.c.subject_id == subject_id)
        return int(self.conn.execute(q).scalar_one())

    def cap_template_expiry(self, deployment_id: str, *, max_days: int | None = None,
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

    def count_gallery(self, deployment_id: str, purpose: str) -> int:
        """Templates a 1:N search of this deployment and purpose compares against."""
        q = select(func.count()).select_from(t.templates).where(
            t.templates.c.deployment_id == deployment_id, t.templates.c.purpose == purpose)
        return int(self.conn.execute(q).scalar_one())

    def expired_templates(self, now: datetime) -> list[TemplateRecord]:
        rows = self.conn.execute(select(t.templates).where(t.templates.c.expires_at <= now))
        return [_template(r) for r in rows]

    def count_stored_people(self, processor_id: str) -> int:
        """Distinct people with face data held, across all deployments (M-15.1)."""
        q = (
            select(func.count(func.distinct(t.templates.c.subject_id)))
            .join(t.subjects, t.subjects.c.id == t.templates.c.subject_id)
            .where(t.subjects.c.processor_id == processor_id)
        )
        return int(self.conn.execute(q).scalar_one())

    # processing record -----------------------------------------------------------------
    def append_event(self, event: AuditEvent) -> ChainedEvent:
        # The migration seeds the head row, so every writer takes the same row lock.
        head = self.conn.execute(_HEAD_FOR_UPDATE).one()
        seq = head.seq + 1
        prev_hash = head.hash
        event = normalize_event(event)  # hash exactly what reading the row back gives
        digest = link(prev_hash, seq, event, self._hash_fn)
        # Constant statements with parameters: SQLAlchemy compiles each once (appends are hot).
        self.conn.execute(_INSERT_EVENT, {
            "seq": seq, "kind": event.kind, "at": event.at, "actor": event.actor,
            "deployment_id": event.deployment_id, "subject_ref": event.subject_ref, "allowed": event.allowed,
            "reason_codes": list(event.reason_codes), "detail": event.detail, "prev_hash": prev_hash, "hash": digest,
        })
        head_values: dict[str, Any] = {"seq": seq, "hash": digest, "checkpoint_seq": head.checkpoint_seq,
                                       "checkpoint_at": head.checkpoint_at}
        if self._signer is not None and should_checkpoint(
            head.checkpoint_seq, head.checkpoint_at, seq, event.at, self._every_events, self._every_seconds
        ):
            # Only here (once per thousand records or five minutes) does an append cost more statements.
            self._add_checkpoint(seq, digest, event.at, head.checkpoint_seq)
            head_values.update(checkpoint_seq=seq, checkpoint_at=event.at)
        self.conn.execute(_UPDATE_HEAD, head_values)
        return ChainedEvent(seq, event, prev_hash, digest)


class SqlStore:
    """The Store port: hands out one SqlTx per transaction."""

    def __init__(self, engine: Engine, hash_fn: HashFn, read_engine: Engine | None = None,
                 signer: Signer | None = None,
                 checkpoint_every: tuple[int, int] = (DEFAULT_POLICY.every_events, DEFAULT_POLICY.every_seconds)
                 ) -> None:
        # Verification replays DEFAULT_POLICY: signing less often would read as removed checkpoints (M-9.3).
        if checkpoint_every[0] > DEFAULT_POLICY.every_events or checkpoint_every[1] > DEFAULT_POLICY.every_seconds:
            raise ValueError("checkpoints may be signed more often than the default policy, never less often")
        self.engine = engine
        self.read_engine = read_engine or engine
        self.hash_fn = hash_fn
        self.signer = signer
        self.checkpoint_every = checkpoint_every

    def __repr__(self) -> str:
        return f"SqlStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[SqlTx]:
        with (self.read_engine if readonly else self.engine).begin() as conn:
            tx = SqlTx(conn, self.hash_fn, self.signer, *self.checkpoint_every)
            yield tx
            tx.flush_gallery_changes()  # skipped when the body raised: the rollback takes the changes too

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
