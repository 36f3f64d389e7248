"""Filing deadlines across the turn of a year (issue 12 item 11).

Art. 15 para 1: 应当在……存储数量达到10万人之日起30个工作日内……履行备案手续. A duty that fell
due in one year does not lapse at New Year, and a holiday table that is not out yet for a
new year only makes the deadlines that fall in that year unknowable (M-15.3), no others.
"""

from __future__ import annotations

from datetime import date

from facegate.adapters.calendar_cn import ChineseWorkdayCalendar
from facegate.domain.filing import ChangeTrigger, SubstantiveChange, TaskKind, track_filing

CAL = ChineseWorkdayCalendar()
_, LAST = CAL.years  # the last year the installed holiday data covers
NEXT = LAST + 1


def test_an_overdue_filing_stays_overdue_after_new_year() -> None:
    reached = date(LAST, 9, 1)
    status = track_filing("p", [(reached, 100_000)], CAL, today=date(NEXT, 1, 5))
    assert status.problems == ()
    [task] = status.tasks
    assert task.kind is TaskKind.INITIAL and task.due_on.year == LAST and task.is_open
    assert task.countdown is not None and task.countdown.is_overdue
    assert task.countdown.working_days_left is None  # counting into the new year needs its table
    assert any(a.code == "filing_overdue" for a in status.alerts)


def test_a_missing_year_affects_only_the_deadline_that_needs_it() -> None:
    status = track_filing("p", [(date(LAST, 6, 1), 100_000)], CAL, today=date(LAST, 12, 28),
                          changes=[SubstantiveChange(date(LAST, 12, 20), ChangeTrigger.NEW_PURPOSE)])
    assert [t.kind for t in status.tasks] == [TaskKind.INITIAL]  # its deadline lies in a covered year
    assert status.tasks[0].countdown is not None and status.tasks[0].countdown.is_overdue
    [problem] = status.problems
    assert problem.code == "calendar_year_missing" and problem.detail["year"] == NEXT
    assert any(a.code == "filing_overdue" for a in status.alerts)
