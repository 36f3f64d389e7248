"""The consents aggregate's port (``uow.consents``): consents, guardians' consents and statutory records."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from facegate.domain.model import Consent


class ConsentRepository(Protocol):
    """Consent rows are kept after withdrawal (``withdrawn_at``) and deleted only with the person's data."""

    def add(self, consent: Consent, receipt_hash: str | None = None) -> None: ...

    def for_subject(self, subject_id: str, deployment_id: str | None = None) -> list[Consent]:
        """Oldest first."""
        ...

    def withdraw(self, subject_id: str, deployment_id: str, purpose: str | None, at: datetime) -> int:
        """Mark the live ones withdrawn; returns how many."""
        ...

    def delete(self, subject_id: str, deployment_id: str, purpose: str | None = None) -> int: ...
