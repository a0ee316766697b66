"""The mainland-China working-day calendar that the contract clocks run on.

Weekends and public holidays are off; the State Council's adjusted weekend workdays
(调休) are on. The `holidays` package knows the announced years; next year's
adjustments are published late in the year, so operators add them (or correct
anything) with an override file that always wins over the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache


@lru_cache(maxsize=16)
def _china_calendar(year: int):  # type: ignore[no-untyped-def]
    import holidays  # imported lazily: ~0.1 s, needed only when a clock is computed

    return holidays.China(years=year)


def _package_is_working_day(day: date) -> bool:
    return bool(_china_calendar(day.year).is_working_day(day))


@dataclass(frozen=True)
class WorkCalendar:
    """Working days; `overrides` maps a date to True (working) or False (day off)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _package_is_working_day(day)

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
