"""The official PRC working-day calendar, backed by the ``chinese_calendar`` package."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from chinese_calendar import constants as _cc_data

from facegate.errors import ConfigurationError


@dataclass(frozen=True)
class YearArrangement:
    """One year's State Council notice: days off and make-up working days (调休上班日)."""

    holidays: frozenset[date]
    workdays: frozenset[date]


class ChineseWorkdayCalendar:
    """State Council holiday arrangements, make-up working days included (M-15.3).

    ``chinese_calendar`` ships one table per year (statutory holidays, days off
    in lieu and 调休上班日). The State Council publishes the next year's table
    around November, so the package must be upgraded each year; until then
    :meth:`covers` is False for that year and deadline maths refuses to guess.
    ``supplement`` lets an operator load a newly published year (or a
    correction) from configuration without waiting for a package release; it
    takes precedence over the package for the years it names.
    """

    name = "chinese_calendar"

    def __init__(self, supplement: Mapping[int, YearArrangement] | None = None) -> None:
        self._supplement = dict(supplement or {})
        for year, arrangement in self._supplement.items():
            if not arrangement.holidays:
                # Every State Council arrangement has days off (New Year at least): an empty table
                # would silently mean "Monday to Friday" for the whole year (M-15.3).
                raise ConfigurationError("calendar_year_empty",
                                         f"The holiday arrangement for {year} lists no days off.",
                                         f"{year}年节假日安排未列出任何休息日。", article_id="M-15.3",
                                         detail={"year": year})
            if any(d.year != year for d in arrangement.holidays | arrangement.workdays):
                raise ConfigurationError("calendar_supplement_invalid",
                                         f"The supplement for {year} lists dates of another year.",
                                         f"{year}年补充日历含有其他年份的日期。", article_id="M-15.3")

    @cached_property
    def years(self) -> tuple[int, int]:
        """First and last year the installed package data covers."""
        known = list(_cc_data.holidays) + list(_cc_data.workdays)
        return min(d.year for d in known), max(d.year for d in _cc_data.holidays)

    def covers(self, year: int) -> bool:
        first, last = self.years
        return first <= year <= last or year in self._supplement

    def is_workday(self, day: date) -> bool:
        extra = self._supplement.get(day.year)
        if extra is not None:
            return day in extra.workdays or (day.weekday() < 5 and day not in extra.holidays)
        if not self.covers(day.year):
            # The library would raise NotImplementedError; translate it so the
            # error carries our stable code instead of a bare library message.
            first, last = self.years
            raise ConfigurationError(
                "calendar_year_missing",
                f"chinese_calendar {_version()} has holiday data for {first}-{last} only, "
                f"not for {day.year}; upgrade it (pip install -U chinese-calendar).",
                f"chinese_calendar {_version()} 仅含{first}-{last}年节假日数据，"
                f"缺少{day.year}年；请升级该软件包。",
                article_id="M-15.3",
                detail={"year": day.year, "first_year": first, "last_year": last},
            )
        return bool(chinese_calendar.is_workday(day))

    def __repr__(self) -> str:
        first, last = self.years
        return f"ChineseWorkdayCalendar(years={first}-{last}, supplement={sorted(self._supplement)})"


def _dates(values: Any) -> frozenset[date]:
    return frozenset(v if isinstance(v, date) else date.fromisoformat(str(v)) for v in values or ())


def load_supplement(path: Path) -> dict[int, YearArrangement]:
    """Parse ``calendar.yaml``; a malformed file or an empty year is an error naming the file (M-15.3)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError("the top level must map years to {holidays, workdays}")
        out = {}
        for year, body in raw.items():
            if not isinstance(body, dict) or not body.get("holidays"):
                raise ValueError(f"{year}: an empty year table; list its holidays (and make-up workdays)")
            out[int(year)] = YearArrangement(_dates(body.get("holidays")), _dates(body.get("workdays")))
        ChineseWorkdayCalendar(out)  # dates of another year, empty holidays
        return out
    except ConfigurationError as exc:
        raise ConfigurationError("calendar_supplement_invalid", f"{path}: {exc.message_en}",
                                 f"{path}：{exc.message_zh}", article_id="M-15.3") from None
    except (OSError, ValueError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise ConfigurationError("calendar_supplement_invalid", f"{path}: cannot read the holiday arrangement: {exc}",
                                 f"{path}：无法读取节假日安排：{exc}", article_id="M-15.3") from None


def _version() -> str:
    return str(getattr(chinese_calendar, "__version__", "?"))


def calendar_for(data_dir: Path) -> tuple[ChineseWorkdayCalendar, str, ConfigurationError | None]:
    """The package calendar plus ``<data_dir>/calendar.yaml`` if present, a note on where it came from, and the
    problem with the file if it cannot be read.

    bootstrap.build_context refuses to start on a broken file; this answers with the
    package calendar and the problem instead, so a caller can show it as a banner.
    Operators load a newly published holiday arrangement (e.g. 2027, before
    chinese-calendar ships it) by writing::

        2027:
          holidays: [2027-01-01, 2027-02-06, ...]   # days off, weekdays included
          workdays: [2027-02-14, ...]               # make-up working days (调休上班日)
    """
    path = data_dir / "calendar.yaml"
    if not path.is_file():
        return ChineseWorkdayCalendar(), "chinese_calendar", None
    try:
        supplement = load_supplement(path)
        calendar = ChineseWorkdayCalendar(supplement)
    except ConfigurationError as exc:
        return ChineseWorkdayCalendar(), "chinese_calendar", exc
    return calendar, f"chinese_calendar + {path.name} ({', '.join(map(str, sorted(supplement)))})", None
