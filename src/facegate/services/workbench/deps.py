"""What the workbench use cases need from outside: the renderers, the calendar and the policy.

Storage is ``uow.workbench`` (ports.workbench); its record types are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from facegate.domain.audit import HashFn
from facegate.domain.filing import AlertPolicy
from facegate.domain.reassessment import MAX_GRACE
from facegate.domain.workdays import WorkdayCalendar
from facegate.ports.workbench import AssessmentRecord, FaceRefusal, FilingRecord, Incident, WorkbenchRepository

RETENTION_YEARS = 3  # M-9.4: assessments and filing records are kept three years


def add_years(day: date, years: int) -> date:
    """``day`` so many years later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)

__all__ = ["DEFAULT_GRACE", "MAX_GRACE", "AssessmentRecord", "FaceRefusal", "FilingRecord", "Incident", "Renderer",
           "WorkbenchDeps", "WorkbenchRepository"]

DEFAULT_GRACE = timedelta(days=30)  # re-assessment grace before face operations stop (M-9.5)


class Renderer(Protocol):
    """Turns documents into files; the web/CLI wiring hands in the adapters (reports, signs)."""

    def pia_html(self, document: dict[str, Any], lang: str) -> str: ...
    def pdf(self, html: str) -> bytes: ...
    def part_html(self, title_zh: str, title_en: str, sections: list[dict[str, Any]]) -> str: ...
    def sign(self, fields: dict[str, Any], size: str, fmt: str) -> bytes: ...


@dataclass(frozen=True)
class WorkbenchDeps:
    """Built by bootstrap.build_context (AppContext.workbench): calendar, renderers, policy."""

    calendar: WorkdayCalendar
    renderer: Renderer
    hash_fn: HashFn
    public_base_url: str = "http://127.0.0.1:8000"
    grace: timedelta = DEFAULT_GRACE
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    calendar_note: str = ""  # where the calendar came from (package, calendar.yaml)
    calendar_error: Exception | None = None  # a calendar.yaml that could not be read (shown as a banner)
