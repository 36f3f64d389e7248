"""SqlConsents: the consents repository on one connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from facegate.adapters.sql import tables as t
from facegate.adapters.sql.hot_reads import HotRead
from facegate.domain.age import AgeBasis
from facegate.domain.model import Consent, ConsentActor, RecordKind, SeparateConsent
from facegate.domain.terms import ConsentTerms


def consent_from_row(row: Any) -> Consent:
    return Consent(
        id=row.id, subject_id=row.subject_id, deployment_id=row.deployment_id, purpose=row.purpose,
        notice_version=row.notice_version, scope_hash=row.scope_hash, channel=row.channel,
        actor=ConsentActor(row.actor), given_at=row.given_at, withdrawn_at=row.withdrawn_at,
        guardian_ref=row.guardian_ref, guardian_relationship=row.guardian_relationship,
        kind=RecordKind(row.kind or "consent"), terms=ConsentTerms.from_dict(row.terms),
        separate=tuple(SeparateConsent(s) for s in row.separate_consents or ()),
        age_basis=AgeBasis(row.age_basis) if row.age_basis else None, age_attested_by=row.age_attested_by,
    )


_FOR_SUBJECT_HERE = HotRead(select(t.consents).where(t.consents.c.subject_id == bindparam("subject"),
                                                      t.consents.c.deployment_id == bindparam("deployment"))
                             .order_by(t.consents.c.given_at))


class SqlConsents:
    """The ConsentRepository port inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, c: Consent, receipt_hash: str | None = None) -> None:
        self.conn.execute(insert(t.consents).values(
            id=c.id, subject_id=c.subject_id, deployment_id=c.deployment_id, purpose=c.purpose,
            notice_version=c.notice_version, scope_hash=c.scope_hash, channel=c.channel,
            actor=c.actor.value, given_at=c.given_at, withdrawn_at=c.withdrawn_at,
            guardian_ref=c.guardian_ref, guardian_relationship=c.guardian_relationship,
            receipt_hash=receipt_hash, kind=c.kind.value, terms=c.terms.to_dict() if c.terms else None,
            separate_consents=[s.value for s in c.separate],
            age_basis=c.age_basis.value if c.age_basis else None, age_attested_by=c.age_attested_by,
        ))

    def for_subject(self, subject_id: str, deployment_id: str | None = None) -> list[Consent]:
        if deployment_id:  # the gate's question on every face operation: a constant statement (issue 14)
            return [consent_from_row(r) for r in _FOR_SUBJECT_HERE.rows(
                self.conn, {"subject": subject_id, "deployment": deployment_id})]
        q = select(t.consents).where(t.consents.c.subject_id == subject_id)
        if deployment_id:
            q = q.where(t.consents.c.deployment_id == deployment_id)
        return [consent_from_row(r) for r in self.conn.execute(q.order_by(t.consents.c.given_at))]

    def withdraw(self, subject_id: str, deployment_id: str, purpose: str | None, at: datetime) -> int:
        q = update(t.consents).where(
            t.consents.c.subject_id == subject_id, t.consents.c.deployment_id == deployment_id,
            t.consents.c.withdrawn_at.is_(None),
        )
        if purpose:
            q = q.where(t.consents.c.purpose == purpose)
        return int(self.conn.execute(q.values(withdrawn_at=at)).rowcount)

    def delete(self, subject_id: str, deployment_id: str, purpose: str | None = None) -> int:
        q = delete(t.consents).where(t.consents.c.subject_id == subject_id, t.consents.c.deployment_id == deployment_id)
        if purpose:
            q = q.where(t.consents.c.purpose == purpose)
        return int(self.conn.execute(q).rowcount)
