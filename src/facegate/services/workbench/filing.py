"""The filing tracker over the live store: daily counts, tasks, deadlines, records, cancellation (M-15.x)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from facegate.domain.filing import (
    FILING_THRESHOLD,
    ChangeTrigger,
    FilingStatus,
    FilingTask,
    SubstantiveChange,
    TaskKind,
    cancellation_filing_task,
    first_reached_on,
    task_alerts,
    track_filing,
)
from facegate.errors import ConfigurationError, InvalidInput, NotFound
from facegate.services.common import load_deployment, new_id, record
from facegate.services.context import ServiceContext
from facegate.ports import UnitOfWork
from facegate.services.workbench.deps import RETENTION_YEARS, FilingRecord, WorkbenchDeps, add_years

STATUSES = ("open", "submitted", "accepted", "rejected")
FILED = ("submitted", "accepted")  # a rejected filing is no filing: the task stays due (M-15.2, M-15.9)


@dataclass(frozen=True)
class FilingView:
    """What the console shows for one processor; ``error`` holds a calendar problem instead of crashing."""

    processor_id: str
    today: date
    count: int
    series: tuple[tuple[date, int], ...]
    status: FilingStatus | None
    cancellations: tuple[FilingTask, ...]
    records: tuple[FilingRecord, ...]
    error: ConfigurationError | None = None

    @property
    def reached_on(self) -> date | None:
        """The threshold date from the series alone, known even when the calendar cannot date the deadline."""
        return first_reached_on([(d, n) for d, n in self.series if d <= self.today], FILING_THRESHOLD)

    @property
    def open_tasks(self) -> tuple[FilingTask, ...]:
        tasks = (*(self.status.tasks if self.status else ()), *self.cancellations)
        return tuple(t for t in tasks if t.is_open)

    @property
    def next_due(self) -> FilingTask | None:
        return min(self.open_tasks, key=lambda t: t.due_on, default=None)


def processors(ctx: ServiceContext) -> list[str]:
    with ctx.store.transaction(readonly=True) as tx:
        return sorted({d.processor_id for d in tx.deployments.all()})


def snapshot(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, today: date | None = None) -> int:
    """Record today's de-duplicated count of people whose face data is stored (M-15.1); returns it.

    The day's row keeps the highest count seen that day, so a dip after the
    threshold was reached does not hide the date it was reached (M-15.2).
    """
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        count = tx.templates.count_people(processor_id)
        tx.workbench.put_people_count(processor_id, today or now.date(), count, now)
        return count


def filed_on(r: FilingRecord) -> date | None:
    """When this record was filed, if it stands: a rejected submission does not count."""
    return r.submitted_on if r.status in FILED else None


def count_at_write() -> Callable[[UnitOfWork, str, datetime], None]:
    """``ServiceContext.people_stored``: the day's de-duplicated count, written with the enrolment (M-15.1, M-15.2).

    The threshold date is then the day the count crossed 100,000, whenever someone next
    looks at the filing view; a late look no longer yields a late deadline.
    """
    def on_stored(tx: UnitOfWork, processor_id: str, now: datetime) -> None:
        tx.workbench.put_people_count(processor_id, now.date(), tx.templates.count_people(processor_id), now)
    return on_stored


def _filed_on(records: list[FilingRecord], kind: TaskKind) -> date | None:
    return next((filed_on(r) for r in records if r.kind == kind.value and filed_on(r)), None)


def view(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, today: date | None = None,
         *, take_snapshot: bool = True) -> FilingView:
    """Position on ``today``: count, trend, tasks with countdowns and fired warnings (M-15.2..M-15.8)."""
    today = today or ctx.clock.now().date()
    count = snapshot(ctx, deps, processor_id, today) if take_snapshot else 0
    with ctx.store.transaction(readonly=True) as tx:
        wb = tx.workbench
        series = tuple(wb.people_counts(processor_id))
        records = wb.list_filings(processor_id)
    if not take_snapshot:
        count = next((n for d, n in reversed(series) if d <= today), 0)
    changes = [SubstantiveChange(r.event_on, ChangeTrigger(r.trigger or "new_purpose"), filed_on(r))
               for r in records if r.kind == TaskKind.CHANGE.value]
    stops = [r for r in records if r.kind == TaskKind.CANCELLATION.value]
    status = track_filing(processor_id, series, deps.calendar, today=today, policy=deps.policy,
                          initial_filed_on=_filed_on(records, TaskKind.INITIAL), changes=changes)
    problems = list(status.problems)
    cancels: list[FilingTask] = []
    for r in stops:
        try:
            cancels.append(cancellation_filing_task(r.event_on, deps.calendar, today=today, filed_on=filed_on(r)))
        except ConfigurationError as exc:
            problems.append(exc)
    extra = tuple(a for t in cancels for a in task_alerts(t, deps.policy.working_days_before_due, deps.calendar)
                  if a.fires_on <= today)
    status = replace(status, alerts=tuple(sorted((*status.alerts, *extra), key=lambda a: (a.fires_on, a.code))))
    # calendar_year_missing for the deadlines that need that year only: shown as a banner (M-15.3).
    return FilingView(processor_id, today, count, series, status, tuple(cancels), tuple(records),
                      problems[0] if problems else None)


def _history(status: str, on: date, note: str) -> dict[str, str]:
    return {"status": status, "on": on.isoformat(), "note": note}


def open_change(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, trigger: str, changed_on: date,
                *, actor: str = "console") -> FilingRecord:
    """A substantive change opens a change filing due in 30 working days (M-15.6)."""
    try:
        ChangeTrigger(trigger)
    except ValueError:
        raise InvalidInput("change_trigger_unknown", f"Unknown change trigger {trigger!r}.", "未知的变更类型。",
                           article_id="M-15.6", detail={"allowed": [t.value for t in ChangeTrigger]}) from None
    return _add(ctx, deps, processor_id, TaskKind.CHANGE, changed_on, trigger=trigger, actor=actor)


def _add(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, kind: TaskKind, event_on: date, *,
         actor: str, trigger: str | None = None, deployment_id: str | None = None) -> FilingRecord:
    now = ctx.clock.now()
    rec = FilingRecord(new_id(), processor_id, kind.value, event_on, "open", (_history("open", now.date(), kind.value),),
                       now, add_years(now.date(), RETENTION_YEARS), trigger, deployment_id)
    with ctx.store.transaction() as tx:
        tx.workbench.add_filing(rec)
    return rec


def submit(ctx: ServiceContext, deps: WorkbenchDeps, processor_id: str, kind: str, *, authority: str,
           submitted_on: date, filing_number: str = "", record_id: str | None = None, status: str = "submitted",
           event_on: date | None = None, actor: str = "console") -> FilingRecord:
    """Record a filing made: authority, date, number, and the status history (M-15.9)."""
    if status not in STATUSES[1:] or not authority.strip() or kind not in {k.value for k in TaskKind}:
        raise InvalidInput("filing_record_invalid", "Give the authority, a filing kind (initial_filing, change_filing, "
                           "cancellation_filing) and a status of submitted/accepted/rejected.",
                           "须填写备案机关和备案类型，状态须为已提交/已受理/被退回。", article_id="M-15.9")
    now = ctx.clock.now()
    with ctx.store.transaction() as tx:
        wb = tx.workbench
        existing = [r for r in wb.list_filings(processor_id) if r.id == record_id or
                    (record_id is None and r.kind == kind and r.status == "open")]
        entry = _history(status, submitted_on, f"{authority} {filing_number}".strip())
        if existing:
            rec = existing[0]
            rec = replace(rec, authority=authority, submitted_on=submitted_on, filing_number=filing_number,
                          status=status, history=(*rec.history, entry), retain_until=add_years(now.date(), RETENTION_YEARS))
            wb.update_filing(rec)
        else:
            if record_id is not None:
                raise NotFound("filing_unknown", f"No filing record {record_id!r}.", "没有该备案记录。")
            rec = FilingRecord(new_id(), processor_id, TaskKind(kind).value, event_on or submitted_on, status, (entry,),
                               now, add_years(now.date(), RETENTION_YEARS), authority=authority,
                               submitted_on=submitted_on, filing_number=filing_number)
            wb.add_filing(rec)
    return rec


@dataclass(frozen=True)
class StopResult:
    deployment_id: str
    templates_disposed: int
    subjects: int
    filing: FilingRecord


def stop_deployment(ctx: ServiceContext, deps: WorkbenchDeps, deployment_id: str, *, actor: str = "console",
                    stopped_on: date | None = None) -> StopResult:
    """Stop a deployment, dispose of its face data, and open the cancellation filing (M-15.7, P-47.1)."""
    from facegate.services.deployments import set_active

    d = set_active(ctx, deployment_id, False, actor=actor)
    day = stopped_on or ctx.clock.now().date()
    removed: list[str] = []
    with ctx.store.transaction() as tx:
        load_deployment(tx, deployment_id)
        subjects = tx.templates.subjects_in(deployment_id)
        for subject_id in subjects:
            removed += tx.templates.delete_for_subject(subject_id, deployment_id)
        record(ctx, tx, "delete", actor=actor, deployment=d, allowed=True,
               detail={"reason": "deployment_stopped", "templates": len(removed), "subjects": len(subjects)})
    ctx.gallery.removed(removed)
    filing = _add(ctx, deps, d.processor_id, TaskKind.CANCELLATION, day, actor=actor, deployment_id=deployment_id)
    return StopResult(deployment_id, len(removed), len(subjects), filing)


def status_json(v: FilingView) -> dict[str, Any]:
    def task(t: FilingTask) -> dict[str, Any]:
        c = t.countdown
        return {"kind": t.kind.value, "article_id": t.article_id, "event_on": t.event_on, "due_on": t.due_on,
                "label_zh": t.label_zh, "label_en": t.label_en, "filed_on": t.filed_on, "is_legacy": t.is_legacy,
                "requires_disposal": t.requires_disposal, "working_days_left": c.working_days_left if c else None,
                "calendar_days_left": c.calendar_days_left if c else None, "is_overdue": c.is_overdue if c else False}
    s = v.status
    return {
        "processor_id": v.processor_id, "today": v.today, "count": v.count, "threshold": FILING_THRESHOLD,
        "threshold_reached_on": v.reached_on,
        "tasks": [task(t) for t in (*(s.tasks if s else ()), *v.cancellations)],
        "alerts": [{"code": a.code, "article_id": a.article_id, "fires_on": a.fires_on, "message_zh": a.message_zh,
                    "message_en": a.message_en} for a in (s.alerts if s else ())],
        "series": [{"day": d, "count": n} for d, n in v.series],
        "records": [{"id": r.id, "kind": r.kind, "event_on": r.event_on, "status": r.status, "authority": r.authority,
                     "submitted_on": r.submitted_on, "filing_number": r.filing_number, "history": list(r.history),
                     "deployment_id": r.deployment_id, "retain_until": r.retain_until} for r in v.records],
        "error": {"code": v.error.code, "message_en": v.error.message_en, "message_zh": v.error.message_zh,
                  "article_id": v.error.article_id, "detail": v.error.detail} if v.error else None,
    }
