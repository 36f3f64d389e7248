"""Working-day deadlines across Spring Festival and National Day (M-15.3)."""

from __future__ import annotations

from datetime import date

import pytest

from facegate.adapters.calendar_cn import ChineseWorkdayCalendar, YearArrangement
from facegate.domain.workdays import WorkdayCalendar, add_working_days, working_days_between
from facegate.errors import ConfigurationError

CAL = ChineseWorkdayCalendar()


class MondayToFriday:
    """A fake calendar with no holidays, known for 2030 only."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5

    def covers(self, year: int) -> bool:
        return year == 2030


def test_adapter_satisfies_the_protocol() -> None:
    assert isinstance(CAL, WorkdayCalendar)


@pytest.mark.parametrize(
    ("day", "is_workday"),
    [
        # 2025 Spring Festival (State Council 2024-11-12): off Jan 28 - Feb 4,
        # work on Sunday Jan 26 and Saturday Feb 8.
        (date(2025, 1, 26), True),
        (date(2025, 1, 28), False),
        (date(2025, 2, 4), False),
        (date(2025, 2, 8), True),
        # 2025 National Day + Mid-Autumn: off Oct 1-8, work Sun Sep 28 and Sat Oct 11.
        (date(2025, 9, 28), True),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),
        # 2026 Spring Festival: off Feb 15 - Feb 23, work Sat Feb 14 and Sat Feb 28.
        (date(2026, 2, 14), True),
        (date(2026, 2, 23), False),
        (date(2026, 2, 28), True),
        (date(2026, 3, 1), False),  # an ordinary Sunday
    ],
)
def test_official_arrangement_is_used(day: date, is_workday: bool) -> None:
    assert CAL.is_workday(day) is is_workday


def test_late_january_2025_across_spring_festival() -> None:
    # Event Fri 2025-01-24; day 1 is the first working day after it.
    # Jan 26 (Sun, make-up) = 1, Jan 27 = 2, [Jan 28 - Feb 4 off],
    # Feb 5-7 = 3-5, Feb 8 (Sat, make-up) = 6, Feb 10-14 = 7-11,
    # Feb 17-21 = 12-16, Feb 24-28 = 17-21, Mar 3-7 = 22-26,
    # Mar 10, 11, 12, 13 = 27-30  ->  due Thu 2025-03-13.
    assert add_working_days(date(2025, 1, 24), 30, CAL) == date(2025, 3, 13)


def test_monday_before_spring_festival_2025() -> None:
    # Event Mon 2025-01-20: Jan 21-24 = 1-4, Jan 26 (Sun, make-up) = 5,
    # Jan 27 = 6, Feb 5-7 = 7-9, Feb 8 (Sat, make-up) = 10, Feb 10-14 = 11-15,
    # Feb 17-21 = 16-20, Feb 24-28 = 21-25, Mar 3-7 = 26-30  ->  Fri 2025-03-07.
    assert add_working_days(date(2025, 1, 20), 30, CAL) == date(2025, 3, 7)


def test_late_september_2025_across_national_day() -> None:
    # Event Fri 2025-09-26: Sep 27 (Sat) off, Sep 28 (Sun, make-up) = 1,
    # Sep 29-30 = 2-3, [Oct 1-8 off], Oct 9-10 = 4-5, Oct 11 (Sat, make-up) = 6,
    # Oct 13-17 = 7-11, Oct 20-24 = 12-16, Oct 27-31 = 17-21, Nov 3-7 = 22-26,
    # Nov 10, 11, 12, 13 = 27-30  ->  due Thu 2025-11-13.
    assert add_working_days(date(2025, 9, 26), 30, CAL) == date(2025, 11, 13)


def test_2026_spring_festival() -> None:
    # Event Tue 2026-02-10: Feb 11-13 = 1-3, Feb 14 (Sat, make-up) = 4,
    # [Feb 15-23 off], Feb 24-27 = 5-8, Feb 28 (Sat, make-up) = 9,
    # Mar 2-6 = 10-14, Mar 9-13 = 15-19, Mar 16-20 = 20-24, Mar 23-27 = 25-29,
    # Mar 30 = 30  ->  due Mon 2026-03-30.
    assert add_working_days(date(2026, 2, 10), 30, CAL) == date(2026, 3, 30)


def test_measures_start_date_gives_the_cac_legacy_deadline() -> None:
    # 2025-06-01 is a Sunday inside the Dragon Boat break (May 31 - Jun 2).
    # Jun 3-6 = 1-4, Jun 9-13 = 5-9, Jun 16-20 = 10-14, Jun 23-27 = 15-19,
    # Jun 30 = 20, Jul 1-4 = 21-24, Jul 7-11 = 25-29, Jul 14 = 30: exactly the
    # 2025-07-14 the CAC announcement set for legacy filers (M-15.8).
    assert add_working_days(date(2025, 6, 1), 30, CAL) == date(2025, 7, 14)


def test_counting_backwards_skips_holidays_and_uses_make_up_days() -> None:
    # From Mon 2025-10-13 back: Oct 11 (Sat, make-up) = 1, Oct 10 = 2, Oct 9 = 3.
    assert add_working_days(date(2025, 10, 13), -3, CAL) == date(2025, 10, 9)
    assert add_working_days(date(2025, 10, 13), 0, CAL) == date(2025, 10, 13)


def test_working_days_between_is_the_inverse() -> None:
    assert working_days_between(date(2025, 1, 24), date(2025, 3, 13), CAL) == 30
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9), CAL) == 1
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 30), CAL) == -1
    assert working_days_between(date(2025, 3, 13), date(2025, 3, 13), CAL) == 0


def test_a_year_beyond_the_data_fails_loudly() -> None:
    first, last = CAL.years
    assert CAL.covers(last) and not CAL.covers(last + 1)
    # 30 working days after 1 December of the last known year reach into the
    # next year, for which no State Council arrangement is installed.
    with pytest.raises(ConfigurationError) as caught:
        add_working_days(date(last, 12, 1), 30, CAL)
    assert caught.value.code == "calendar_year_missing"
    assert caught.value.article_id == "M-15.3"
    assert caught.value.detail["year"] == last + 1


def test_the_adapter_itself_refuses_unknown_years() -> None:
    _, last = CAL.years
    with pytest.raises(ConfigurationError) as caught:
        CAL.is_workday(date(last + 1, 1, 4))
    assert caught.value.code == "calendar_year_missing"


def test_domain_checks_coverage_before_asking_the_calendar() -> None:
    cal = MondayToFriday()
    assert add_working_days(date(2030, 1, 4), 1, cal) == date(2030, 1, 7)
    with pytest.raises(ConfigurationError, match="calendar_year_missing"):
        add_working_days(date(2030, 12, 27), 5, cal)
    with pytest.raises(ConfigurationError, match="calendar_year_missing"):
        working_days_between(date(2029, 12, 31), date(2030, 1, 2), cal)


def test_a_supplement_adds_a_newly_published_year() -> None:
    # Synthetic test data, NOT the real arrangement for that year: one day
    # off on Monday 4 January and one make-up Saturday on 9 January.
    _, last = CAL.years
    year = last + 1
    jan = [date(year, 1, d) for d in range(1, 32)]
    monday = next(d for d in jan if d.weekday() == 0 and d.day > 1)
    saturday = next(d for d in jan if d.weekday() == 5 and d > monday)
    cal = ChineseWorkdayCalendar({year: YearArrangement(frozenset({monday}), frozenset({saturday}))})
    assert cal.covers(year) and not CAL.covers(year)
    assert not cal.is_workday(monday) and cal.is_workday(saturday)
    assert cal.is_workday(date(last, 12, 31)) is CAL.is_workday(date(last, 12, 31))
    # Without the supplement this raised calendar_year_missing.
    assert add_working_days(date(last, 12, 1), 30, cal).year == year
    with pytest.raises(ConfigurationError, match="calendar_supplement_invalid"):
        ChineseWorkdayCalendar({year: YearArrangement(frozenset({date(last, 1, 1)}), frozenset())})
