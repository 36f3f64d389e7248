"""The subjects aggregate's ports: the people (``uow.subjects``) and their sealed templates (``uow.templates``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from facegate.domain.model import Subject, TemplateRecord
from facegate.ports.keys import WrappedKey


@dataclass(frozen=True)
class SealedTemplate:
    """A stored template with what opening it needs: its wrapped data key and its subject's reference."""

    record: TemplateRecord
    sealed: bytes
    key: WrappedKey
    subject_external_ref: str


class SubjectRepository(Protocol):
    """``uow.subjects``: one row per person a processor knows, by its own reference."""

    def get(self, processor_id: str, external_ref: str) -> Subject | None: ...
    def get_by_id(self, subject_id: str) -> Subject | None: ...

    def add(self, subject: Subject) -> Subject:
        """Insert unless a concurrent request already did; returns the stored row."""
        ...

    def update(self, subject: Subject) -> None: ...

    def lock(self, subject_id: str) -> None:
        """Serialise concurrent writes for one person until the unit of work ends."""
        ...

    def delete(self, subject_id: str) -> None:
        """The person and everything held about them: templates, consents, data key."""
        ...


class TemplateRepository(Protocol):
    """``uow.templates``: sealed templates; adding or removing one notes a gallery change for the other nodes."""

    def add(self, record: TemplateRecord, sealed: bytes) -> None: ...
    def get(self, template_id: str) -> TemplateRecord | None: ...
    def get_sealed(self, template_id: str) -> SealedTemplate | None: ...
    def for_subject(self, subject_id: str, deployment_id: str | None = None,
                    purpose: str | None = None) -> list[SealedTemplate]:
        """Oldest first."""
        ...

    def gallery(self, deployment_id: str, purpose: str) -> Iterator[SealedTemplate]: ...

    def delete(self, template_id: str) -> None: ...
    def delete_for_subject(self, subject_id: str, deployment_id: str | None = None,
                           purpose: str | None = None) -> list[str]:
        """Returns the ids removed."""
        ...

    def count_for_subject(self, subject_id: str) -> int: ...
    def subjects_in(self, deployment_id: str) -> list[str]:
        """Ids of the people with templates held for this deployment."""
        ...

    def count_gallery(self, deployment_id: str, purpose: str) -> int:
        """Templates a 1:N search of this deployment and purpose compares against."""
        ...

    def count_by_engine(self, deployment_id: str | None = None) -> list[tuple[str, str, str, str, int]]:
        """(deployment, purpose, engine, engine version, templates), for an engine switch's progress."""
        ...

    def count_people(self, processor_id: str) -> int:
        """Distinct people with face data held, across all deployments (M-15.1)."""
        ...

    def cap_expiry(self, deployment_id: str, *, max_days: int | None = None,
                   latest: datetime | None = None, subject_id: str | None = None) -> int:
        """Bring expiry forward (shorter retention, an ending event), never later; returns how many moved."""
        ...

    def expired(self, now: datetime) -> list[TemplateRecord]: ...
