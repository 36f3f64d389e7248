"""The compliance workbench's port (``uow.workbench``): assessments, daily counts, filings, incidents and
the processing-record figures its papers quote. None of it holds face data (M-9.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol


@dataclass(frozen=True)
class AssessmentRecord:
    """One stored version of a deployment's impact assessment (M-9.1, M-9.4)."""

    deployment_id: str
    version: int
    manifest_version: int
    method_hash: str
    document: dict[str, Any]
    html_zh: str
    html_en: str
    html_sha256: str
    status: str  # draft | approved | superseded
    reviewer: str
    signed_on: date | None
    created_at: datetime
    created_by: str
    retain_until: date
    superseded_at: datetime | None = None


@dataclass(frozen=True)
class FilingRecord:
    """A filing owed or made to the provincial cyberspace office (M-15.9)."""

    id: str
    processor_id: str
    kind: str  # domain.filing.TaskKind value
    event_on: date
    status: str  # open | submitted | accepted | rejected
    history: tuple[dict[str, str], ...]
    created_at: datetime
    retain_until: date
    trigger: str | None = None
    deployment_id: str | None = None
    authority: str = ""
    submitted_on: date | None = None
    filing_number: str = ""


@dataclass(frozen=True)
class Incident:
    """A security incident (M-14.6); ``is_major`` ones trigger re-assessment (M-9.5)."""

    id: str
    processor_id: str
    deployment_id: str | None
    is_major: bool
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str
    summary: str
    data_types: str = ""
    remedial: str = ""


@dataclass(frozen=True)
class SecurityDetection:
    """A security event as the console lists it (M-14.5)."""

    seq: int
    at: datetime
    kind: str
    severity: str
    actor: str | None
    client: str | None
    deployment_id: str | None


class FaceRefusal(NamedTuple):
    """A refused enrol/verify/identify: tells photo problems (``stage``) from the gate's refusals."""

    deployment_id: str
    day: date
    kind: str
    reason_codes: tuple[str, ...]
    stage: str | None


@dataclass(frozen=True)
class RecordRow:
    """One processing-record event as the console lists it: no subject pseudonym, no detail."""

    seq: int
    at: datetime
    kind: str
    actor: str
    deployment_id: str | None
    allowed: bool | None
    reason_codes: tuple[str, ...]


class WorkbenchRepository(Protocol):
    """Storage for the workbench inside the caller's unit of work."""

    def add_assessment(self, rec: AssessmentRecord) -> None: ...
    def update_assessment(self, rec: AssessmentRecord) -> None: ...
    def list_assessments(self, deployment_id: str | None = None) -> list[AssessmentRecord]: ...
    def get_assessment(self, deployment_id: str, version: int) -> AssessmentRecord | None: ...

    def put_people_count(self, processor_id: str, day: date, count: int, at: datetime) -> int:
        """Keep the day's highest count (the 100,000 duty arises the day it is first reached, M-15.2)."""
        ...

    def people_counts(self, processor_id: str) -> list[tuple[date, int]]: ...

    def add_filing(self, rec: FilingRecord) -> None: ...
    def update_filing(self, rec: FilingRecord) -> None: ...
    def list_filings(self, processor_id: str | None = None) -> list[FilingRecord]: ...

    def add_incident(self, inc: Incident) -> None: ...
    def list_incidents(self, processor_id: str | None = None) -> list[Incident]: ...

    def event_counts(self, deployment_id: str | None = None) -> dict[str, dict[tuple[str, bool | None], int]]:
        """deployment_id -> (kind, allowed) -> number of processing-record events."""
        ...

    def face_refusals(self, since: datetime | None = None, deployment_id: str | None = None) -> list[FaceRefusal]:
        """Refused face operations from the processing record."""
        ...

    def daily_events(self, since: datetime,
                     deployment_id: str | None = None) -> list[tuple[date, str, bool | None, int]]: ...
    def event_kinds(self) -> list[str]: ...
    def events_page(self, *, kind: str | None = None, deployment_id: str | None = None, allowed: bool | None = None,
                    since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                    limit: int = 50) -> tuple[list[RecordRow], int]:
        """The processing record, newest first, filtered; (one page, total)."""
        ...

    def security_detections(self, limit: int = 50) -> list[SecurityDetection]:
        """Newest first."""
        ...
