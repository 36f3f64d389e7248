"""Filing tracker: threshold date, deadlines, alerts, legacy, change and cancellation (M-15.x)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from facegate.adapters.calendar_cn import ChineseWorkdayCalendar
from facegate.domain.filing import (
    FILING_THRESHOLD,
    LEGACY_DUE_ON,
    AlertPolicy,
    ChangeTrigger,
    SubstantiveChange,
    TaskKind,
    cancellation_filing_task,
    change_filing_task,
    first_reached_on,
    initial_filing_task,
    track_filing,
)
from facegate.errors import ConfigurationError, InvalidInput

CAL = ChineseWorkdayCalendar()

# Reaches 100,000 exactly on Fri 2025-09-26 (inclusive, M-15.2), dips, rises again.
AUTUMN_2025 = [
    (date(2025, 9, 20), 79_000),
    (date(2025, 9, 22), 80_500),
    (date(2025, 9, 24), 95_000),
    (date(2025, 9, 26), 100_000),
    (date(2025, 9, 29), 99_800),
    (date(2025, 10, 9), 101_000),
]


def test_threshold_is_inclusive_and_first_reach_sticks() -> None:
    assert FILING_THRESHOLD == 100_000
    assert first_reached_on(AUTUMN_2025, FILING_THRESHOLD) == date(2025, 9, 26)
    assert first_reached_on(reversed(AUTUMN_2025), FILING_THRESHOLD) == date(2025, 9, 26)
    assert first_reached_on([(date(2025, 9, 26), 99_999)], FILING_THRESHOLD) is None


def test_initial_filing_across_national_day_with_countdown() -> None:
    status = track_filing("p1", AUTUMN_2025, CAL, today=date(2025, 10, 9))
    assert status.threshold_reached_on == date(2025, 9, 26)
    assert (status.latest_count, status.peak_count) == (101_000, 101_000)
    (task,) = status.tasks
    assert task.kind is TaskKind.INITIAL and task.article_id == "M-15.2"
    # Due Thu 2025-11-13 (see test_workdays). Countdown from Thu Oct 9:
    # Oct 10 = 1, Oct 11 (Sat, make-up) = 2, Oct 13-17 = 3-7, Oct 20-24 = 8-12,
    # Oct 27-31 = 13-17, Nov 3-7 = 18-22, Nov 10-13 = 23-26  ->  26 working days;
    # calendar days: 22 left in October + 13 = 35.
    assert task.due_on == date(2025, 11, 13)
    assert task.countdown is not None
    assert (task.countdown.working_days_left, task.countdown.calendar_days_left) == (26, 35)
    assert not task.countdown.is_overdue
    assert task.label_zh and task.label_en
    assert status.alerts == ()  # count levels are past; deadline alerts not yet due


def test_deadline_alerts_fire_n_working_days_before() -> None:
    # 10 working days before Thu Nov 13: Nov 12, 11, 10, 7, 6, 5, 4, 3, Oct 31, Oct 30
    # -> Thu 2025-10-30; 5 before -> Thu Nov 6; 1 before -> Wed Nov 12.
    status = track_filing("p1", AUTUMN_2025, CAL, today=date(2025, 11, 6))
    fired = [(a.code, a.fires_on) for a in status.alerts]
    assert fired == [("deadline_near", date(2025, 10, 30)), ("deadline_near", date(2025, 11, 6))]
    assert status.tasks[0].countdown is not None
    assert status.tasks[0].countdown.working_days_left == 5  # Nov 7, 10, 11, 12, 13
    assert "5" in status.alerts[1].message_en and "5" in status.alerts[1].message_zh


def test_overdue_without_filing_and_quiet_once_filed() -> None:
    late = track_filing("p1", AUTUMN_2025, CAL, today=date(2025, 11, 14))
    assert late.alerts[-1].code == "filing_overdue"
    assert late.alerts[-1].fires_on == date(2025, 11, 14)
    countdown = late.tasks[0].countdown
    assert countdown is not None and countdown.is_overdue
    assert (countdown.working_days_left, countdown.calendar_days_left) == (-1, -1)

    filed = track_filing("p1", AUTUMN_2025, CAL, today=date(2025, 11, 14), initial_filed_on=date(2025, 11, 3))
    assert filed.alerts == ()
    assert filed.tasks[0].countdown is None and not filed.tasks[0].is_open


def test_count_level_alerts_before_the_threshold() -> None:
    counts = [(date(2026, 3, 2), 79_999), (date(2026, 3, 3), 80_000), (date(2026, 3, 4), 85_000)]
    status = track_filing("p2", counts, CAL, today=date(2026, 3, 5),
                          policy=AlertPolicy(count_levels=(80_000, 95_000)))
    assert status.threshold_reached_on is None and status.tasks == ()
    (alert,) = status.alerts
    assert (alert.code, alert.fires_on, alert.article_id) == ("count_level_reached", date(2026, 3, 3), "M-15.5")
    assert "80,000" in alert.message_en and "80,000" in alert.message_zh


def test_counts_after_today_are_ignored() -> None:
    status = track_filing("p1", AUTUMN_2025, CAL, today=date(2025, 9, 25))
    assert status.threshold_reached_on is None
    assert [a.fires_on for a in status.alerts] == [date(2025, 9, 22), date(2025, 9, 24)]


def test_legacy_handler_due_2025_07_14_and_flagged_overdue() -> None:
    counts = [(date(2025, 5, 20), 120_000), (date(2025, 6, 10), 121_000)]
    status = track_filing("old", counts, CAL, today=date(2025, 8, 1))
    (task,) = status.tasks
    assert task.is_legacy and task.due_on == LEGACY_DUE_ON == date(2025, 7, 14)
    codes = [a.code for a in status.alerts]
    assert codes[0] == "threshold_date_uncertain"  # first record already >= 100,000
    assert codes[-1] == "filing_overdue" and status.alerts[-1].article_id == "M-15.8"
    assert status.alerts[-1].fires_on == date(2025, 7, 15)


def test_legacy_countdown() -> None:
    # From Tue 2025-07-01: Jul 2-4 = 1-3, Jul 7-11 = 4-8, Jul 14 = 9; 13 calendar days.
    task = initial_filing_task(date(2025, 5, 31), CAL, today=date(2025, 7, 1))
    assert task.countdown is not None
    assert (task.countdown.working_days_left, task.countdown.calendar_days_left) == (9, 13)


def test_reached_on_the_first_day_of_the_measures_is_not_legacy() -> None:
    counts = [(date(2025, 5, 31), 99_999), (date(2025, 6, 1), 100_000)]
    (task,) = track_filing("p3", counts, CAL, today=date(2025, 6, 2)).tasks
    assert not task.is_legacy
    assert task.due_on == date(2025, 7, 14)  # 30 working days, as in test_workdays


def test_change_filing_across_2026_spring_festival() -> None:
    change = SubstantiveChange(date(2026, 2, 10), ChangeTrigger.NEW_METHOD)
    task = change_filing_task(change, CAL, today=date(2026, 3, 2))
    assert task.kind is TaskKind.CHANGE and task.article_id == "M-15.6"
    assert task.due_on == date(2026, 3, 30)
    assert "处理方式" in task.label_zh and "processing method" in task.label_en
    # From Mon Mar 2: Mar 3-6 = 1-4, 9-13 = 5-9, 16-20 = 10-14, 23-27 = 15-19, Mar 30 = 20.
    assert task.countdown is not None
    assert (task.countdown.working_days_left, task.countdown.calendar_days_left) == (20, 28)


def test_cancellation_filing_requires_disposal() -> None:
    task = cancellation_filing_task(date(2025, 1, 24), CAL, today=date(2025, 2, 7))
    assert task.kind is TaskKind.CANCELLATION and task.article_id == "M-15.7"
    assert task.requires_disposal and "处置" in task.label_zh
    assert task.due_on == date(2025, 3, 13)
    # From Fri Feb 7: Feb 8 (Sat, make-up) = 1, Feb 10-14 = 2-6, 17-21 = 7-11,
    # 24-28 = 12-16, Mar 3-7 = 17-21, Mar 10-13 = 22-25; 21 + 13 = 34 calendar days.
    assert task.countdown is not None
    assert (task.countdown.working_days_left, task.countdown.calendar_days_left) == (25, 34)


def test_tracker_collects_all_task_kinds() -> None:
    status = track_filing(
        "p1", AUTUMN_2025, CAL, today=date(2025, 12, 1), initial_filed_on=date(2025, 11, 1),
        changes=[SubstantiveChange(date(2025, 11, 20), ChangeTrigger.NEW_PURPOSE)],
        stopped_on=date(2025, 11, 28),
    )
    assert [t.kind for t in status.tasks] == [TaskKind.INITIAL, TaskKind.CHANGE, TaskKind.CANCELLATION]


def test_deadline_beyond_calendar_data_fails_loudly() -> None:
    # Loudly, but for that deadline only: the status carries the problem instead of a guessed date.
    _, last = CAL.years
    status = track_filing("p4", [(date(last, 12, 1), 100_000)], CAL, today=date(last, 12, 2))
    assert status.tasks == () and status.threshold_reached_on == date(last, 12, 1)
    [problem] = status.problems
    assert isinstance(problem, ConfigurationError) and problem.code == "calendar_year_missing"
    assert problem.detail["year"] == last + 1


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInput):
        track_filing("p", [(date(2025, 9, 1), 1), (date(2025, 9, 1), 2)], CAL, today=date(2025, 9, 2))
    with pytest.raises(InvalidInput):
        track_filing("p", [(date(2025, 9, 1), -1)], CAL, today=date(2025, 9, 2))
    with pytest.raises(InvalidInput):
        AlertPolicy(count_levels=(FILING_THRESHOLD,))
    with pytest.raises(InvalidInput):
        AlertPolicy(working_days_before_due=(0,))


def test_values_are_frozen() -> None:
    task = cancellation_filing_task(date(2025, 1, 24), CAL, today=date(2025, 2, 7))
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.due_on = date(2030, 1, 1)  # type: ignore[misc]
