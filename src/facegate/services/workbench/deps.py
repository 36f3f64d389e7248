"""What the workbench use cases need from outside: record types, the store protocol and the renderers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from facegate.domain.audit import ChainedEvent, HashFn
from facegate.domain.filing import AlertPolicy
from facegate.domain.workdays import WorkdayCalendar
from facegate.ports import UnitOfWork

DEFAULT_GRACE = timedelta(days=30)  # re-assessment grace before face operations stop (M-9.5)
# Art. 9 para 2 says the assessment "shall be redone" and gives no grace; 30 days is the most
# this service lets a processor take to redo it while processing goes on (design, bounded).
MAX_GRACE = timedelta(days=30)


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


class WorkbenchStore(Protocol):
    """Storage for the workbench, bound to one open transaction (adapters.sql.workbench_store)."""

    def add_assessment(self, rec: AssessmentRecord) -> None: ...
    def update_assessment(self, rec: AssessmentRecord) -> None: ...
    def list_assessments(self, deployment_id: str | None = None) -> list[AssessmentRecord]: ...
    def get_assessment(self, deployment_id: str, version: int) -> AssessmentRecord | None: ...

    def put_people_count(self, processor_id: str, day: date, count: int, at: datetime) -> int: ...
    def people_counts(self, processor_id: str) -> list[tuple[date, int]]: ...

    def add_filing(self, rec: FilingRecord) -> None: ...
    def update_filing(self, rec: FilingRecord) -> None: ...
    def list_filings(self, processor_id: str | None = None) -> list[FilingRecord]: ...

    def add_incident(self, inc: Incident) -> None: ...
    def list_incidents(self, processor_id: str | None = None) -> list[Incident]: ...

    def event_counts(self, deployment_id: str | None = None) -> dict[str, dict[tuple[str, bool | None], int]]:
        """deployment_id -> (kind, allowed) -> number of processing-record events."""
        ...

    def face_refusals(self, since: datetime | None = None,
                      deployment_id: str | None = None) -> list[tuple[str, date, str, tuple[str, ...], str | None]]:
        """Refused face operations: (deployment, day, kind, reason codes, stage)."""
        ...

    def daily_events(self, since: datetime, deployment_id: str | None = None) -> list[tuple[date, str, bool | None, int]]: ...
    def event_kinds(self) -> list[str]: ...
    def events_page(self, *, kind: str | None = None, deployment_id: str | None = None, allowed: bool | None = None,
                    since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                    limit: int = 50) -> tuple[list[dict[str, Any]], int]: ...
    def security_events(self, limit: int = 50) -> list[dict[str, Any]]: ...
    def chain(self) -> Iterator[ChainedEvent]: ...
    def checkpoint_count(self) -> int: ...
    def person_requests(self) -> list[dict[str, Any]]: ...
    def subjects_with_templates(self, deployment_id: str) -> list[str]: ...


class Renderer(Protocol):
    """Turns documents into files; the web/CLI wiring hands in the adapters (reports, signs)."""

    def pia_html(self, document: dict[str, Any], lang: str) -> str: ...
    def pdf(self, html: str) -> bytes: ...
    def part_html(self, title_zh: str, title_en: str, sections: list[dict[str, Any]]) -> str: ...
    def sign(self, fields: dict[str, Any], size: str, fmt: str) -> bytes: ...


@dataclass(frozen=True)
class WorkbenchDeps:
    """Handed in by the wiring (web.console.wiring): store factory, calendar, renderers, policy."""

    store_for: Callable[[UnitOfWork], WorkbenchStore]
    calendar: WorkdayCalendar
    renderer: Renderer
    hash_fn: HashFn
    public_base_url: str = "http://127.0.0.1:8000"
    grace: timedelta = DEFAULT_GRACE
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    calendar_note: str = ""  # where the calendar came from (package, calendar.yaml)
    calendar_error: Exception | None = None  # a calendar.yaml that could not be read (shown as a banner)
