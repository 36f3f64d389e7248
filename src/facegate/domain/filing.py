"""Filing tracker: threshold date, filing tasks, deadlines and warnings (Art. 15, M-15.x)."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from facegate.domain.workdays import WorkdayCalendar, add_working_days, working_days_between
from facegate.errors import ConfigurationError, InvalidInput

FILING_THRESHOLD = 100_000  # stored persons, inclusive (M-15.2)
FILING_WORKING_DAYS = 30  # M-15.2, M-15.6, M-15.7
MEASURES_IN_FORCE_ON = date(2025, 6, 1)
LEGACY_DUE_ON = date(2025, 7, 14)  # CAC filing announcement of 2025-05-28 (M-15.8)


class TaskKind(str, enum.Enum):
    INITIAL = "initial_filing"
    CHANGE = "change_filing"
    CANCELLATION = "cancellation_filing"


_TASK_LABELS = {
    TaskKind.INITIAL: ("M-15.2", "人脸识别技术应用备案", "Initial filing of face recognition use"),
    TaskKind.CHANGE: ("M-15.6", "变更备案", "Change filing"),
    TaskKind.CANCELLATION: ("M-15.7", "注销备案及人脸信息处置", "Cancellation filing and disposal of face data"),
}


class ChangeTrigger(str, enum.Enum):
    """Substantive changes (实质性变更) that need a change filing; a design list, M-15.6."""

    NEW_PURPOSE = "new_purpose"
    NEW_METHOD = "new_method"  # e.g. enabling 1:N or cloud egress
    QUANTITY_BAND = "quantity_band"
    SECURITY_MEASURES = "security_measures"
    HANDLER_IDENTITY = "handler_identity"  # name, location or legal entity
    NEW_PIA = "new_pia"


CHANGE_LABELS = {
    ChangeTrigger.NEW_PURPOSE: ("新增处理目的", "new processing purpose"),
    ChangeTrigger.NEW_METHOD: ("处理方式变化", "new processing method"),
    ChangeTrigger.QUANTITY_BAND: ("存储数量级变化", "change of stored-quantity band"),
    ChangeTrigger.SECURITY_MEASURES: ("安全保护措施变化", "change of security measures"),
    ChangeTrigger.HANDLER_IDENTITY: ("处理者身份或所在地变化", "change of handler identity or location"),
    ChangeTrigger.NEW_PIA: ("新的影响评估", "new impact assessment"),
}


@dataclass(frozen=True)
class Countdown:
    """Time left until ``due_on`` as seen on ``today``; negative when overdue."""

    today: date
    due_on: date
    # Working days in (today, due_on]; 0 = due today. None when the calendar lacks a year of the
    # span: an overdue task stays overdue after New Year even before the new year's table is out.
    working_days_left: int | None
    calendar_days_left: int

    @property
    def is_overdue(self) -> bool:
        return self.today > self.due_on


@dataclass(frozen=True)
class FilingTask:
    """One filing the processor owes the provincial cyberspace office."""

    kind: TaskKind
    article_id: str
    event_on: date  # threshold date, change date or stop date
    due_on: date
    label_zh: str
    label_en: str
    filed_on: date | None = None
    is_legacy: bool = False  # reached before the Measures applied (M-15.8)
    requires_disposal: bool = False  # cancellation also disposes face data (M-15.7)
    countdown: Countdown | None = None  # None once filed

    @property
    def is_open(self) -> bool:
        return self.filed_on is None


@dataclass(frozen=True)
class Alert:
    """An early warning or an overdue flag, dated the day it fires (M-15.5, M-15.8)."""

    code: str
    article_id: str
    fires_on: date
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class AlertPolicy:
    """Configurable warning levels (M-15.5)."""

    count_levels: tuple[int, ...] = (80_000, 90_000)
    working_days_before_due: tuple[int, ...] = (10, 5, 1)

    def __post_init__(self) -> None:
        if any(not 0 < level < FILING_THRESHOLD for level in self.count_levels):
            raise InvalidInput("warning_level_invalid", "Count levels must lie between 0 and the threshold.",
                               "预警人数须大于0且小于备案阈值。", article_id="M-15.5")
        if any(n <= 0 for n in self.working_days_before_due):
            raise InvalidInput("warning_level_invalid", "Days before the deadline must be positive.",
                               "截止前预警天数须为正数。", article_id="M-15.5")


@dataclass(frozen=True)
class SubstantiveChange:
    changed_on: date
    trigger: ChangeTrigger
    filed_on: date | None = None


@dataclass(frozen=True)
class FilingStatus:
    """Everything the workbench shows for one processor on ``today``."""

    processor_id: str
    today: date
    latest_count: int
    peak_count: int
    threshold_reached_on: date | None
    tasks: tuple[FilingTask, ...]
    alerts: tuple[Alert, ...]  # only those that have fired by ``today``
    # Deadlines the calendar could not date (calendar_year_missing); the other tasks are unaffected.
    problems: tuple[ConfigurationError, ...] = ()


def _clean(counts: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    series = sorted((day, int(n)) for day, n in counts)
    days = [day for day, _ in series]
    if len(set(days)) != len(days) or any(n < 0 for _, n in series):
        raise InvalidInput("count_series_invalid", "Daily counts need one non-negative count per date.",
                           "每日人数须每天一条且不得为负。", article_id="M-15.1")
    return series


def first_reached_on(counts: Iterable[tuple[date, int]], level: int) -> date | None:
    """The first date the stored count was at least ``level``.

    It stays fixed if the count later falls: the duty arises when 100,000 is
    first reached (M-15.2), and a dip does not undo it.
    """
    return next((day for day, n in _clean(counts) if n >= level), None)


def countdown(due_on: date, today: date, cal: WorkdayCalendar) -> Countdown:
    try:
        left: int | None = working_days_between(today, due_on, cal)
    except ConfigurationError:  # the span reaches a year without data; overdue is still plain
        left = None
    return Countdown(today, due_on, left, (due_on - today).days)


def _task(kind: TaskKind, event_on: date, due_on: date, filed_on: date | None, today: date,
          cal: WorkdayCalendar, **extra: bool) -> FilingTask:
    article_id, zh, en = _TASK_LABELS[kind]
    left = None if filed_on is not None else countdown(due_on, today, cal)
    return FilingTask(kind, article_id, event_on, due_on, zh, en, filed_on, countdown=left, **extra)


def initial_filing_task(reached_on: date, cal: WorkdayCalendar, *, today: date,
                        filed_on: date | None = None) -> FilingTask:
    """Due 30 working days after the threshold date, or 2025-07-14 for legacy handlers."""
    if reached_on < MEASURES_IN_FORCE_ON:
        return _task(TaskKind.INITIAL, reached_on, LEGACY_DUE_ON, filed_on, today, cal, is_legacy=True)
    due_on = add_working_days(reached_on, FILING_WORKING_DAYS, cal)
    return _task(TaskKind.INITIAL, reached_on, due_on, filed_on, today, cal)


def change_filing_task(change: SubstantiveChange, cal: WorkdayCalendar, *, today: date) -> FilingTask:
    due_on = add_working_days(change.changed_on, FILING_WORKING_DAYS, cal)
    task = _task(TaskKind.CHANGE, change.changed_on, due_on, change.filed_on, today, cal)
    zh, en = CHANGE_LABELS[change.trigger]
    return replace(task, label_zh=f"{task.label_zh}：{zh}", label_en=f"{task.label_en}: {en}")


def cancellation_filing_task(stopped_on: date, cal: WorkdayCalendar, *, today: date,
                             filed_on: date | None = None) -> FilingTask:
    due_on = add_working_days(stopped_on, FILING_WORKING_DAYS, cal)
    return _task(TaskKind.CANCELLATION, stopped_on, due_on, filed_on, today, cal, requires_disposal=True)


def count_alerts(counts: Iterable[tuple[date, int]], levels: Iterable[int]) -> tuple[Alert, ...]:
    """One warning per level the stored count has reached, dated when it got there."""
    series = _clean(counts)
    out = []
    for level in sorted(levels):
        on = first_reached_on(series, level)
        if on is not None:
            out.append(Alert(
                "count_level_reached", "M-15.5", on,
                f"存储人脸信息人数已达{level:,}人（备案阈值{FILING_THRESHOLD:,}人），请准备影响评估和备案材料。",
                f"Stored persons reached {level:,} (filing threshold {FILING_THRESHOLD:,}); "
                "prepare the impact assessment and the filing package.",
            ))
    return tuple(out)


def deadline_alerts(task: FilingTask, days_before: Iterable[int], cal: WorkdayCalendar) -> tuple[Alert, ...]:
    """Warnings N working days before an open task's due date, plus an overdue flag."""
    if not task.is_open:
        return ()
    out = [
        Alert(
            "deadline_near", task.article_id, add_working_days(task.due_on, -n, cal),
            f"{task.label_zh}将于{n}个工作日后（{task.due_on.isoformat()}）到期。",
            f"{task.label_en} is due in {n} working day{'s' if n != 1 else ''} ({task.due_on.isoformat()}).",
        )
        for n in sorted(set(days_before), reverse=True)
    ]
    out.append(Alert(
        "filing_overdue", "M-15.8" if task.is_legacy else task.article_id, task.due_on + timedelta(days=1),
        f"{task.label_zh}已逾期（截止日期{task.due_on.isoformat()}），尚无备案记录。",
        f"{task.label_en} is overdue (due {task.due_on.isoformat()}) and no filing is recorded.",
    ))
    return tuple(out)


def track_filing(
    processor_id: str,
    counts: Iterable[tuple[date, int]],
    cal: WorkdayCalendar,
    *,
    today: date,
    policy: AlertPolicy = AlertPolicy(),
    initial_filed_on: date | None = None,
    changes: Iterable[SubstantiveChange] = (),
    stopped_on: date | None = None,
    cancellation_filed_on: date | None = None,
) -> FilingStatus:
    """The processor's filing position on ``today`` from its daily stored-person counts (M-15.1)."""
    series = [(day, n) for day, n in _clean(counts) if day <= today]
    reached_on = first_reached_on(series, FILING_THRESHOLD)
    alerts: list[Alert] = []
    tasks: list[FilingTask] = []
    problems: list[ConfigurationError] = []
    if reached_on is None:
        # Count levels only matter on the way up; past the threshold the open
        # filing task and its deadline alerts take over (M-15.5).
        alerts += count_alerts(series, policy.count_levels)
    else:
        if series[0][1] >= FILING_THRESHOLD:
            # The first observation already meets the threshold, so the true
            # date may be earlier and the true deadline sooner (M-15.2).
            alerts.append(Alert(
                "threshold_date_uncertain", "M-15.2", series[0][0],
                "首条记录已达到阈值，实际达到日期可能更早，请核实。",
                "The first recorded count is already at the threshold; the real date may be earlier. Check it.",
            ))
        _dated(problems, tasks, lambda: initial_filing_task(reached_on, cal, today=today, filed_on=initial_filed_on))
    for c in changes:
        _dated(problems, tasks, functools.partial(change_filing_task, c, cal, today=today))
    if stopped_on is not None:
        _dated(problems, tasks, lambda: cancellation_filing_task(stopped_on, cal, today=today,
                                                                 filed_on=cancellation_filed_on))
    for task in tasks:
        alerts += task_alerts(task, policy.working_days_before_due, cal)
    fired = sorted((w for w in alerts if w.fires_on <= today), key=lambda w: (w.fires_on, w.code))
    return FilingStatus(
        processor_id=processor_id,
        today=today,
        latest_count=series[-1][1] if series else 0,
        peak_count=max((n for _, n in series), default=0),
        threshold_reached_on=reached_on,
        tasks=tuple(tasks),
        alerts=tuple(fired),
        problems=tuple(problems),
    )


def _dated(problems: list[ConfigurationError], tasks: list[FilingTask], make: Callable[[], FilingTask]) -> None:
    """Add one task; a deadline the calendar cannot date is a problem for that task only (M-15.3)."""
    try:
        tasks.append(make())
    except ConfigurationError as exc:
        problems.append(exc)


def task_alerts(task: FilingTask, days_before: Iterable[int], cal: WorkdayCalendar) -> tuple[Alert, ...]:
    """``deadline_alerts``, but an early warning the calendar cannot date never hides the overdue flag."""
    try:
        return deadline_alerts(task, days_before, cal)
    except ConfigurationError:
        return tuple(a for a in deadline_alerts(task, (), cal) if a.code == "filing_overdue")
