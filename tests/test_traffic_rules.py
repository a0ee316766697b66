"""Traffic arithmetic: rates across wrap, reboot, reset and gaps; consolidation; the month's 95th percentile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from provision.domain.traffic import (
    COUNTER64,
    TICKS32,
    Rate,
    Reading,
    bucket_start,
    consolidate,
    merge,
    month_figures,
    percentile95,
    rate,
)

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
SH = ZoneInfo("Asia/Shanghai")
GIG = 1_000_000_000


def reading(minutes: float, uptime_s: float, octets_in: int, octets_out: int = 0) -> Reading:
    return Reading(T0 + timedelta(minutes=minutes), int(uptime_s * 100), octets_in, octets_out)


def test_steady_rate() -> None:
    r = rate(reading(0, 1000, 0, 0), reading(5, 1300, 375_000_000, 75_000_000), GIG)
    assert r is not None and r.in_bps == 10_000_000 and r.out_bps == 2_000_000


def test_64_bit_wrap_is_counted_through() -> None:
    before = COUNTER64 - 100_000_000
    r = rate(reading(0, 1000, before), reading(5, 1300, 275_000_000), GIG)
    assert r is not None and r.in_bps == pytest.approx(10_000_000)


def test_reboot_gives_no_rate_not_a_spike() -> None:
    """Counters restart with the device: sysUpTime went back."""
    assert rate(reading(0, 90_000, 10 ** 12), reading(5, 120, 5_000_000), GIG) is None


def test_sysuptime_wrapping_is_not_a_reboot() -> None:
    old = Reading(T0, TICKS32 - 100 * 100, 0, 0)  # 100 s before TimeTicks wrap
    new = Reading(T0 + timedelta(minutes=5), 200 * 100, 375_000_000, 0)
    r = rate(old, new, GIG)
    assert r is not None and r.in_bps == 10_000_000


def test_counter_reset_without_reboot_gives_no_rate() -> None:
    """`clear counters`: the value drops, uptime goes on; a 'wrap' would mean exabits per second."""
    assert rate(reading(0, 1000, 9_000_000_000), reading(5, 1300, 1_000), GIG) is None


def test_missed_poll_is_a_gap() -> None:
    assert rate(reading(0, 1000, 0), reading(15, 1900, 1_125_000_000), GIG) is None
    assert rate(reading(0, 1000, 0), reading(10, 1600, 750_000_000), GIG) is not None  # within the heartbeat


def test_clock_backwards_or_same_time() -> None:
    assert rate(reading(5, 1000, 0), reading(5, 1000, 10), GIG) is None
    assert rate(reading(5, 1000, 0), reading(0, 1300, 10), GIG) is None


def test_buckets_follow_the_sites_day() -> None:
    at = datetime(2026, 12, 1, 17, 10, tzinfo=UTC)  # 01:10 in Shanghai on the 2nd
    assert bucket_start(at, timedelta(days=1), SH) == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert bucket_start(at, timedelta(hours=2), SH) == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert bucket_start(at, timedelta(minutes=30), SH) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def test_consolidation_weights_by_time_and_keeps_maxima() -> None:
    rates = [Rate(T0 + timedelta(minutes=5 * i), T0 + timedelta(minutes=5 * i + 5), float(i), 10.0 * i)
             for i in range(6)]  # 0..5 over half an hour
    [point] = consolidate(rates, timedelta(minutes=30), SH)
    assert point.start == T0 and point.covered_s == 1800
    assert point.avg_in == pytest.approx(2.5) and point.max_in == 5 and point.max_out == 50
    # a rate straddling a boundary counts in both buckets by its overlap
    straddle = Rate(T0 + timedelta(minutes=25), T0 + timedelta(minutes=35), 6.0, 0.0)
    first, second = consolidate([straddle], timedelta(minutes=30), SH)
    assert (first.covered_s, second.covered_s) == (300, 300)
    # merging one rate at a time gives what consolidating them all gives
    merged = None
    for r in rates:
        merged = merge(merged, consolidate([r], timedelta(minutes=30), SH)[0])
    assert merged == point


def test_percentile_nearest_rank() -> None:
    assert percentile95([]) is None
    assert percentile95(list(range(1, 101))) == 95  # 100 samples: drop the top 5
    assert percentile95(list(range(1, 21))) == 19   # 20 samples: drop the top one
    assert percentile95([7.0]) == 7.0


def test_month_figures_against_a_hand_computed_month() -> None:
    """A 30-day month of 8,640 five-minute samples: 8,200 at 10 Mbit/s, 440 bursts at 100 Mbit/s.

    Top 5 % = 432 samples; the 433rd highest is a burst, so the 95th percentile is 100
    Mbit/s; with 420 bursts it would be 10. Average: (8200·10 + 440·100) / 8640.
    """
    start = datetime(2026, 11, 1, tzinfo=SH)
    end = datetime(2026, 12, 1, tzinfo=SH)

    def month(bursts: int) -> list[Rate]:
        out = []
        for i in range(8640):
            at = start + timedelta(minutes=5 * i)
            value = 100e6 if i < bursts else 10e6
            out.append(Rate(at, at + timedelta(minutes=5), value, value / 2))
        return out

    figures = month_figures(month(440), (start, end))
    assert figures.samples == figures.expected == 8640
    assert figures.p95_in == 100e6 and figures.peak_in == 100e6
    assert figures.avg_in == pytest.approx((8200 * 10e6 + 440 * 100e6) / 8640)
    assert month_figures(month(420), (start, end)).p95_in == 10e6
    assert figures.utilisation(100_000_000) == pytest.approx(100.0)
    empty = month_figures([], (start, end))
    assert empty.p95_in is None and empty.samples == 0


def test_a_gap_in_the_month_is_counted_as_unmeasured() -> None:
    start = datetime(2026, 11, 1, tzinfo=SH)
    rates = [Rate(start + timedelta(minutes=5 * i), start + timedelta(minutes=5 * i + 5), 1.0, 1.0)
             for i in range(12) if i not in (4, 5, 6)]
    figures = month_figures(rates, (start, start + timedelta(days=30)))
    assert figures.samples == 9 and figures.expected == 12
