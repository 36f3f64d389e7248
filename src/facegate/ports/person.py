"""The person side's port (``uow.person``): rights requests, complaints, receipts and one-time form tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from facegate.domain.model import Consent


@dataclass(frozen=True)
class ReceiptConsent:
    """The consent a receipt code names, with its subject's reference and processor."""

    consent: Consent
    subject_ref: str
    processor_id: str


@dataclass(frozen=True)
class PersonRequest:
    """A withdrawal, deletion or complaint, answered within working days (PIPL Art. 50)."""

    id: str
    kind: str  # withdrawal | deletion | complaint
    status: str  # open | completed | answered | refused (services.requests)
    processor_id: str
    deployment_id: str | None
    purpose: str | None
    created_at: datetime
    due_on: date
    completed_at: datetime | None = None
    receipt_hash: str | None = None
    outcome_hash: str | None = None
    subject_pseudonym: str | None = None
    subject_ref: str | None = None
    detail: dict[str, object] = field(default_factory=dict)


class PersonRequestRepository(Protocol):
    """Storage for the person-facing services inside the caller's unit of work."""

    def consent_by_receipt(self, receipt_hash: str) -> ReceiptConsent | None: ...

    def add_request(self, request: PersonRequest) -> None: ...
    def get_request(self, request_id: str) -> PersonRequest | None: ...
    def update_request(self, request: PersonRequest) -> None: ...
    def list_requests(self, status: str | None = None, deployment_id: str | None = None) -> list[PersonRequest]:
        """By due date, then creation."""
        ...

    def requests_by_hash(self, receipt_hash: str) -> list[PersonRequest]:
        """Requests made with, or answered under, this receipt; newest first."""
        ...

    def add_form_token(self, token_hash: str, kind: str, scope: str, created_at: datetime,
                       expires_at: datetime) -> None: ...

    def spend_form_token(self, token_hash: str, kind: str, scope: str, now: datetime) -> str:
        """Mark the token used; return "ok", "unknown", "used" or "expired"."""
        ...
