"""TypedWorkbench: the WorkbenchStore protocol over a raw store that speaks column dicts (the SQL adapter)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any, Protocol

from facegate.domain.audit import ChainedEvent
from facegate.services.workbench.deps import AssessmentRecord, FilingRecord, Incident

Row = dict[str, Any]


class RawWorkbenchStore(Protocol):
    """What adapters.sql.workbench_store.SqlWorkbenchStore offers: rows in, rows out."""

    def add_assessment(self, rec: Row) -> None: ...
    def update_assessment(self, rec: Row) -> None: ...
    def list_assessments(self, deployment_id: str | None = None) -> list[Row]: ...
    def get_assessment(self, deployment_id: str, version: int) -> Row | None: ...
    def put_people_count(self, processor_id: str, day: date, count: int, at: datetime) -> int: ...
    def people_counts(self, processor_id: str) -> list[tuple[date, int]]: ...
    def add_filing(self, rec: Row) -> None: ...
    def update_filing(self, rec: Row) -> None: ...
    def list_filings(self, processor_id: str | None = None) -> list[Row]: ...
    def add_incident(self, inc: Row) -> None: ...
    def list_incidents(self, processor_id: str | None = None) -> list[Row]: ...
    def event_counts(self, deployment_id: str | None = None) -> dict[str, dict[tuple[str, bool | None], int]]: ...
    def face_refusals(self, since: datetime | None = None,
                      deployment_id: str | None = None) -> list[tuple[str, date, str, tuple[str, ...], str | None]]: ...
    def daily_events(self, since: datetime, deployment_id: str | None = None) -> list[tuple[date, str, bool | None, int]]: ...
    def event_kinds(self) -> list[str]: ...
    def events_page(self, *, kind: str | None = None, deployment_id: str | None = None, allowed: bool | None = None,
                    since: datetime | None = None, until: datetime | None = None, offset: int = 0,
                    limit: int = 50) -> tuple[list[dict[str, Any]], int]: ...
    def security_events(self, limit: int = 50) -> list[Row]: ...
    def chain(self) -> Iterator[ChainedEvent]: ...
    def checkpoint_count(self) -> int: ...
    def person_requests(self) -> list[Row]: ...
    def subjects_with_templates(self, deployment_id: str) -> list[str]: ...


def _pick(cls: type, row: Row) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in row.items() if k in names}


def _filing(row: Row) -> FilingRecord:
    values = _pick(FilingRecord, row)
    values["history"] = tuple(values.get("history") or ())
    return FilingRecord(**values)


def _filing_row(rec: FilingRecord) -> Row:
    row = asdict(rec)
    row["history"] = list(rec.history)
    return row


class TypedWorkbench:
    """Converts between the services' frozen records and the adapter's rows; passes the rest through."""

    def __init__(self, raw: RawWorkbenchStore) -> None:
        self.raw = raw

    def add_assessment(self, rec: AssessmentRecord) -> None:
        self.raw.add_assessment(asdict(rec))

    def update_assessment(self, rec: AssessmentRecord) -> None:
        self.raw.update_assessment(asdict(rec))

    def list_assessments(self, deployment_id: str | None = None) -> list[AssessmentRecord]:
        return [AssessmentRecord(**_pick(AssessmentRecord, r)) for r in self.raw.list_assessments(deployment_id)]

    def get_assessment(self, deployment_id: str, version: int) -> AssessmentRecord | None:
        row = self.raw.get_assessment(deployment_id, version)
        return AssessmentRecord(**_pick(AssessmentRecord, row)) if row else None

    def add_filing(self, rec: FilingRecord) -> None:
        self.raw.add_filing(_filing_row(rec))

    def update_filing(self, rec: FilingRecord) -> None:
        self.raw.update_filing(_filing_row(rec))

    def list_filings(self, processor_id: str | None = None) -> list[FilingRecord]:
        return [_filing(r) for r in self.raw.list_filings(processor_id)]

    def add_incident(self, inc: Incident) -> None:
        self.raw.add_incident(asdict(inc))

    def list_incidents(self, processor_id: str | None = None) -> list[Incident]:
        return [Incident(**_pick(Incident, r)) for r in self.raw.list_incidents(processor_id)]

    def __getattr__(self, name: str) -> Any:
        # counts, events, chain, requests: already plain values
        return getattr(self.raw, name)
