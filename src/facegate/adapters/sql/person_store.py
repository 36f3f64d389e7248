"""SqlPersonRequests: the person side's repository (``uow.person``) on one connection, in typed records."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from facegate.adapters.sql import tables as t
from facegate.adapters.sql import tables_person as tp
from facegate.adapters.sql.consents import consent_from_row
from facegate.ports.person import PersonRequest, ReceiptConsent

_COLUMNS = tuple(c.name for c in tp.person_requests.columns)


def _request(row: Any) -> PersonRequest:
    values = {name: getattr(row, name) for name in _COLUMNS}
    values["detail"] = dict(row.detail or {})
    return PersonRequest(**values)


def _values(request: PersonRequest) -> dict[str, Any]:
    values = asdict(request)
    return {k: values[k] for k in _COLUMNS}


class SqlPersonRequests:
    """The PersonRequestRepository port inside the caller's transaction, so person rows commit with the rest."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def consent_by_receipt(self, receipt_hash: str) -> ReceiptConsent | None:
        q = (select(t.consents, t.subjects.c.external_ref, t.subjects.c.processor_id)
             .join(t.subjects, t.subjects.c.id == t.consents.c.subject_id)
             .where(t.consents.c.receipt_hash == receipt_hash))
        row = self.conn.execute(q).first()
        return ReceiptConsent(consent_from_row(row), row.external_ref, row.processor_id) if row else None

    def add_request(self, request: PersonRequest) -> None:
        self.conn.execute(insert(tp.person_requests).values(**_values(request)))

    def get_request(self, request_id: str) -> PersonRequest | None:
        row = self.conn.execute(select(tp.person_requests).where(tp.person_requests.c.id == request_id)).first()
        return _request(row) if row else None

    def update_request(self, request: PersonRequest) -> None:
        c = tp.person_requests.c
        values = _values(request)
        self.conn.execute(update(tp.person_requests).where(c.id == request.id).values(
            **{k: v for k, v in values.items() if k != "id"}))

    def list_requests(self, status: str | None = None, deployment_id: str | None = None) -> list[PersonRequest]:
        q = select(tp.person_requests)
        if status:
            q = q.where(tp.person_requests.c.status == status)
        if deployment_id:
            q = q.where(tp.person_requests.c.deployment_id == deployment_id)
        q = q.order_by(tp.person_requests.c.due_on, tp.person_requests.c.created_at)
        return [_request(r) for r in self.conn.execute(q)]

    def requests_by_hash(self, receipt_hash: str) -> list[PersonRequest]:
        c = tp.person_requests.c
        q = (select(tp.person_requests).where(or_(c.receipt_hash == receipt_hash, c.outcome_hash == receipt_hash))
             .order_by(c.created_at.desc()))
        return [_request(r) for r in self.conn.execute(q)]

    def add_form_token(self, token_hash: str, kind: str, scope: str, created_at: datetime,
                       expires_at: datetime) -> None:
        # Housekeeping on the way: spent or stale tokens are of no further use.
        self.conn.execute(delete(tp.form_tokens).where(tp.form_tokens.c.expires_at < created_at))
        self.conn.execute(insert(tp.form_tokens).values(
            token_hash=token_hash, kind=kind, scope=scope, created_at=created_at, expires_at=expires_at))

    def spend_form_token(self, token_hash: str, kind: str, scope: str, now: datetime) -> str:
        c = tp.form_tokens.c
        row = self.conn.execute(select(tp.form_tokens).where(c.token_hash == token_hash)).first()
        if row is None or row.kind != kind or row.scope != scope:
            return "unknown"
        if row.used_at is not None:
            return "used"
        if row.expires_at <= now:
            return "expired"
        # The used_at IS NULL condition makes two concurrent submissions spend it once.
        done = self.conn.execute(update(tp.form_tokens).where(c.token_hash == token_hash, c.used_at.is_(None))
                                 .values(used_at=now)).rowcount
        return "ok" if done == 1 else "used"
