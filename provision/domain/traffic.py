"""A port's traffic from its IF-MIB counters, as MRTG keeps it: rates, consolidation, the month's figures.

Pure arithmetic over readings (`ifHCInOctets`, `ifHCOutOctets`, `sysUpTime`, taken every
5 minutes). A rate is only drawn between two readings that can be trusted: a missed
poll leaves a gap, not a line across it; a reboot (sysUpTime went back) or a counter
reset (a "wrap" that would mean more than the port can carry) gives no rate rather than
a negative or giant spike; a genuine 64-bit wrap is counted through.

Consolidation follows MRTG: 5-minute rates for 2 days, 30-minute averages and maxima
for 2 weeks, 2-hour for 2 months, daily for 2 years — each tier a bounded number of
points per port. The 95th percentile of a month needs every 5-minute rate of it, so the
finest tier is kept for the current and the previous month as well (at most ~62 days),
and a closed month is summarised once and for all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

COUNTER64 = 2 ** 64
TICKS32 = 2 ** 32          # sysUpTime is TimeTicks: hundredths of a second, 32 bits (wraps after ~497 days)
PERIOD = timedelta(minutes=5)
HEARTBEAT = 2 * PERIOD     # a longer silence between two readings is a gap (rrdtool's usual heartbeat)
OVERSPEED = 1.1            # a rate this far above the port's speed is a reset, not traffic


@dataclass(frozen=True)
class Reading:
    """One poll of one port."""

    at: datetime
    uptime_cs: int
    in_octets: int
    out_octets: int


@dataclass(frozen=True)
class Rate:
    """Average bit rates over [start, end)."""

    start: datetime
    end: datetime
    in_bps: float
    out_bps: float

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Tier:
    name: str
    step: timedelta
    keep: timedelta


TIERS = (Tier("5m", PERIOD, timedelta(days=2)), Tier("30m", timedelta(minutes=30), timedelta(days=14)),
         Tier("2h", timedelta(hours=2), timedelta(days=62)), Tier("1d", timedelta(days=1), timedelta(days=731)))


@dataclass(frozen=True)
class Point:
    """A consolidated bucket: time-weighted averages, the highest finer rate, and how much of it was measured."""

    start: datetime
    avg_in: float
    avg_out: float
    max_in: float
    max_out: float
    covered_s: float


def rate(prev: Reading, cur: Reading, speed_bps: int) -> Rate | None:
    """The rate between two readings, or None when the interval cannot be trusted (gap, reboot, reset)."""
    elapsed = (cur.at - prev.at).total_seconds()
    if elapsed <= 0 or elapsed > HEARTBEAT.total_seconds():
        return None
    if not _same_uptime(prev.uptime_cs, cur.uptime_cs, elapsed):
        return None  # the device restarted: its counters started again from zero
    bps_in = _delta(prev.in_octets, cur.in_octets) * 8 / elapsed
    bps_out = _delta(prev.out_octets, cur.out_octets) * 8 / elapsed
    if max(bps_in, bps_out) > speed_bps * OVERSPEED:
        return None  # counters cleared by hand: the "wrap" is not traffic
    return Rate(prev.at, cur.at, bps_in, bps_out)


def _delta(old: int, new: int) -> int:
    return new - old if new >= old else new + COUNTER64 - old


def _same_uptime(old_cs: int, new_cs: int, elapsed_s: float) -> bool:
    """sysUpTime advanced about as much as the clock did (its own 32-bit wrap allowed): no restart in between."""
    advanced_s = (new_cs - old_cs) % TICKS32 / 100
    return abs(advanced_s - elapsed_s) <= max(30.0, 0.1 * elapsed_s)


def bucket_start(at: datetime, step: timedelta, tz: tzinfo) -> datetime:
    """The start of the bucket holding `at`: steps are counted from local midnight, so a day is the site's day."""
    local = at.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    into = (local - midnight) // step
    return (midnight + into * step).astimezone(at.tzinfo)


def consolidate(rates: Iterable[Rate], step: timedelta, tz: tzinfo) -> list[Point]:
    """Rates merged into buckets of `step`: each rate contributes to a bucket by the seconds it overlaps it."""
    sums: dict[datetime, list[float]] = {}
    for r in rates:
        start = bucket_start(r.start, step, tz)
        while start < r.end:
            end = start + step
            overlap = (min(end, r.end) - max(start, r.start)).total_seconds()
            if overlap > 0:
                acc = sums.setdefault(start, [0.0, 0.0, 0.0, 0.0, 0.0])
                acc[0] += r.in_bps * overlap
                acc[1] += r.out_bps * overlap
                acc[2] = max(acc[2], r.in_bps)
                acc[3] = max(acc[3], r.out_bps)
                acc[4] += overlap
            start = end
    return [Point(s, a[0] / a[4], a[1] / a[4], a[2], a[3], a[4]) for s, a in sorted(sums.items())]


def merge(point: Point | None, new: Point) -> Point:
    """A bucket updated with more of its measurements (the poll adds one rate at a time)."""
    if point is None:
        return new
    covered = point.covered_s + new.covered_s
    return Point(point.start, (point.avg_in * point.covered_s + new.avg_in * new.covered_s) / covered,
                 (point.avg_out * point.covered_s + new.avg_out * new.covered_s) / covered,
                 max(point.max_in, new.max_in), max(point.max_out, new.max_out), covered)


def percentile95(values: Sequence[float]) -> float | None:
    """The burstable-billing 95th percentile: sort, drop the top 5 %, take the highest left (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


@dataclass(frozen=True)
class MonthFigures:
    avg_in: float | None
    avg_out: float | None
    peak_in: float | None
    peak_out: float | None
    p95_in: float | None
    p95_out: float | None
    samples: int
    expected: int          # 5-minute intervals in the month so far: the gap between the two is unmeasured time

    def utilisation(self, committed_bps: int) -> float | None:
        """The higher direction's 95th percentile against the committed bandwidth, in percent."""
        worst = max((v for v in (self.p95_in, self.p95_out) if v is not None), default=None)
        return None if worst is None or committed_bps <= 0 else 100 * worst / committed_bps


def month_figures(rates: Sequence[Rate], window: tuple[datetime, datetime]) -> MonthFigures:
    """Average, peak and 95th percentile of the 5-minute rates that started inside the month."""
    start, end = window
    inside = [r for r in rates if start <= r.start < end]
    expected = int(max((min(end, inside[-1].end) - start) // PERIOD, len(inside))) if inside else 0
    if not inside:
        return MonthFigures(None, None, None, None, None, None, 0, expected)
    seconds = sum(r.seconds for r in inside)
    return MonthFigures(sum(r.in_bps * r.seconds for r in inside) / seconds,
                        sum(r.out_bps * r.seconds for r in inside) / seconds,
                        max(r.in_bps for r in inside), max(r.out_bps for r in inside),
                        percentile95([r.in_bps for r in inside]), percentile95([r.out_bps for r in inside]),
                        len(inside), expected)
