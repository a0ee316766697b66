"""The mainland-China working-day calendar that the contract clocks run on.

Weekends and public holidays are off; the State Council's adjusted weekend workdays
(调休) are on. The `holidays` package knows the announced years; next year's
adjustments are published late in the year, so operators add them (or correct
anything) with an override file that always wins over the package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache


@dataclass(frozen=True)
class YearDays:
    """One year of the package's calendar as its exceptions to Monday-to-Friday: the weekdays off
    (public holidays) and the weekend days worked (调休). Small, and plain data, so it can be cached."""

    off: frozenset[date]
    worked: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        return day in self.worked if day.weekday() >= 5 else day not in self.off


def china_year(year: int) -> YearDays:
    """The `holidays` package's mainland-China calendar for one year (~0.1 s to import and compute)."""
    import holidays  # imported lazily: only when a clock is computed and no cached year is at hand

    calendar = holidays.China(years=year)
    days = [date(year, 1, 1) + timedelta(days=n) for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    return YearDays(off=frozenset(d for d in days if d.weekday() < 5 and not calendar.is_working_day(d)),
                    worked=frozenset(d for d in days if d.weekday() >= 5 and calendar.is_working_day(d)))


@lru_cache(maxsize=64)
def _year(package: Callable[[int], YearDays], year: int) -> YearDays:
    return package(year)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days; `overrides` maps a date to True (working) or False (day off)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    # the package's days for a year: `china_year` itself, or a cache of it (services.calendar_cache)
    package: Callable[[int], YearDays] = china_year

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _year(self.package, day.year).is_working_day(day)

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day` (the day itself never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        found = 0
        while found < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                found += 1
        return day

    def end_of_nth_working_day_after(self, moment: datetime, n: int) -> datetime:
        """23:59:59 local on the n-th working day after the local date of `moment`.

        This is the install-guarantee rule of SLA §3.2: the signing day never counts,
        even when it is itself a working day.
        """
        local_day = moment.date()
        target = self.nth_working_day_after(local_day, n)
        return datetime.combine(target, time(23, 59, 59), tzinfo=moment.tzinfo)

    def add_working_time(self, start: datetime, length: timedelta) -> datetime:
        """Advance `length` counting only time that falls on working days.

        A fault reported on Friday 17:00 with one working day to resolve is due
        Monday 17:00; reported on Saturday it is due at the end of Monday.
        Works on the local wall clock of `start` (aware datetime).
        """
        remaining = length
        cursor = start
        while True:
            day_end = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=cursor.tzinfo)
            if self.is_working_day(cursor.date()):
                available = day_end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
            cursor = day_end


def parse_overrides(entries: Mapping[str, object]) -> dict[date, bool]:
    """Validate an override table {'2027-02-20': 'workday' | 'holiday'}; raise ValueError."""
    result: dict[date, bool] = {}
    for raw_day, kind in entries.items():
        day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        if kind not in ("workday", "holiday"):
            raise ValueError(f"{raw_day}: {kind!r} must be 'workday' or 'holiday'")
        result[day] = kind == "workday"
    return result
