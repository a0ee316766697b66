"""The working-day calendar and the contract clocks built on it (pure domain, no I/O).

Dates are real: the 2026 Spring Festival (15–23 Feb off, Sat 14 and Sat 28 Feb
worked), National Day 2026 (1–7 Oct off, Sun 20 Sep and Sat 10 Oct worked), and the
2026/2027 year boundary.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from provision.domain.calendar import WorkCalendar, parse_overrides
from provision.domain.clocks import ContractFacts, Event, Status, compute_clocks

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def t(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SH)


@pytest.mark.parametrize("day, working", [
    ("2026-02-13", True),    # Friday before the Spring Festival
    ("2026-02-14", True),    # adjusted working Saturday
    ("2026-02-15", False),   # Sunday, festival week
    ("2026-02-18", False),   # Spring Festival
    ("2026-02-23", False),   # Monday off, swapped for Sat 28 Feb
    ("2026-02-28", True),    # adjusted working Saturday
    ("2026-09-20", True),    # adjusted working Sunday
    ("2026-10-07", False),   # National Day week
    ("2026-10-10", True),    # adjusted working Saturday
    ("2026-11-21", False),   # plain Saturday
    ("2027-01-01", False),   # New Year's Day
])
def test_china_working_days(day: str, working: bool) -> None:
    assert CAL.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize("signed, deadline", [
    ("2026-11-24T10:00", "2026-11-27"),  # Tuesday: Wed, Thu, Fri (signing day never counts)
    ("2026-11-24T23:59", "2026-11-27"),  # late the same day is still that day
    ("2026-11-20T09:00", "2026-11-25"),  # Friday: Mon, Tue, Wed
    ("2026-11-21T09:00", "2026-11-25"),  # signed on a Saturday
    ("2026-02-12T09:00", "2026-02-24"),  # Fri 13, working Sat 14, then the festival: Tue 24
    ("2026-02-13T09:00", "2026-02-25"),  # Sat 14, Tue 24, Wed 25
    ("2026-02-18T09:00", "2026-02-26"),  # signed during the festival
    ("2026-09-29T09:00", "2026-10-09"),  # Wed 30 Sep, Thu 8 Oct, Fri 9 Oct
    ("2026-09-30T09:00", "2026-10-10"),  # Thu 8, Fri 9, working Sat 10 Oct
    ("2026-12-30T09:00", "2027-01-05"),  # Thu 31, New Year's Day off, weekend, Mon 4, Tue 5
    ("2026-11-24T17:30:00+00:00", "2026-11-30"),  # 01:30 Wed 25 in Shanghai: the local date counts
])
def test_install_deadline_end_of_third_working_day(signed: str, deadline: str) -> None:
    start = t(signed).astimezone(SH)
    assert CAL.end_of_nth_working_day_after(start, 3) == datetime.fromisoformat(f"{deadline}T23:59:59").replace(tzinfo=SH)


def test_overrides_win_over_the_package() -> None:
    cal = WorkCalendar(parse_overrides({"2026-11-21": "workday", "2026-11-24": "holiday"}))
    assert cal.is_working_day(date(2026, 11, 21)) and not cal.is_working_day(date(2026, 11, 24))
    # Friday signing: Sat 21 (now worked), Mon 23, Tue 24 off, Wed 25
    assert cal.end_of_nth_working_day_after(t("2026-11-20T09:00"), 3).date() == date(2026, 11, 25)


@pytest.mark.parametrize("bad", [{"2027-02-20": "weekend"}, {"2027-02-30": "workday"}])
def test_bad_overrides_are_rejected(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        parse_overrides(bad)


@pytest.mark.parametrize("start, length, due", [
    ("2026-11-20T17:00", timedelta(days=1), "2026-11-23T17:00"),   # Friday 17:00 -> Monday 17:00
    ("2026-11-21T10:00", timedelta(days=1), "2026-11-24T00:00"),   # Saturday -> end of Monday
    ("2026-09-30T17:00", timedelta(days=1), "2026-10-08T17:00"),   # across the National Day week
    ("2026-11-24T10:00", timedelta(hours=2), "2026-11-24T12:00"),  # within a working day
])
def test_add_working_time(start: str, length: timedelta, due: str) -> None:
    assert CAL.add_working_time(t(start), length) == t(due)


def facts(*events: Event, term: int = 12) -> ContractFacts:
    return ContractFacts("C2026-0001", term, tuple(events))


def clock(clocks: list, key: str, ref: str | None = None):  # type: ignore[no-untyped-def]
    return next(c for c in clocks if c.rule.key == key and c.ref == ref)


def test_install_clock_met_late_running_breached() -> None:
    signed = Event("signed", t("2026-11-24T10:00"))
    met = compute_clocks(facts(signed, Event("provisioned", t("2026-11-26T15:00"))), CAL, t("2026-12-01T00:00"))
    assert clock(met, "install").status is Status.MET
    late = compute_clocks(facts(signed, Event("provisioned", t("2026-11-28T09:00"))), CAL, t("2026-12-01T00:00"))
    assert clock(late, "install").status is Status.LATE
    assert clock(late, "install").time_left == t("2026-11-27T23:59:59") - t("2026-11-28T09:00")
    running = compute_clocks(facts(signed), CAL, t("2026-11-27T23:59:58"))
    assert clock(running, "install").status is Status.RUNNING
    assert clock(running, "install").time_left == timedelta(seconds=1)
    assert clock(compute_clocks(facts(signed), CAL, t("2026-11-28T00:00")), "install").status is Status.BREACHED


def test_payment_and_stop_notice() -> None:
    clocks = compute_clocks(facts(Event("signed", t("2026-11-24T10:00"))), CAL, t("2026-11-24T10:00"))
    assert clock(clocks, "payment").deadline == t("2026-11-27T23:59:59")
    assert clock(clocks, "stop-notice").deadline == t("2026-11-30T23:59:59")
    paid = compute_clocks(facts(Event("signed", t("2026-11-24T10:00")), Event("paid", t("2026-11-25T09:00"))),
                          CAL, t("2026-12-05T00:00"))
    assert clock(paid, "payment").status is Status.MET and clock(paid, "stop-notice").status is Status.MET


def test_term_counts_from_activation_with_renewals_and_month_ends() -> None:
    events = (Event("signed", t("2026-01-20T10:00")), Event("activated", t("2026-01-31T12:00")))
    clocks = compute_clocks(facts(*events, term=1), CAL, t("2026-02-01T00:00"))
    assert clock(clocks, "term").deadline == t("2026-02-28T12:00")  # clamped to the month's end
    renewed = compute_clocks(facts(*events, Event("renewed", t("2026-02-20T00:00"), months=12), term=1), CAL,
                             t("2026-03-01T00:00"))
    assert clock(renewed, "term").deadline == t("2027-02-28T12:00")


def test_event_driven_clocks_pair_by_ref_and_ignore_the_future() -> None:
    events = (
        Event("fault_reported", t("2026-11-20T17:00"), ref="T1"),
        Event("fault_reported", t("2026-11-23T09:00"), ref="T2"),
        Event("fault_resolved", t("2026-11-23T10:00"), ref="T2"),
        Event("emergency", t("2026-11-24T10:00")),
        Event("emergency_reported", t("2026-11-24T10:16")),
        Event("stored", t("2026-11-24T12:00")),
        Event("termination_notice", t("2026-11-30T10:00")),  # after "now": ignored
    )
    clocks = compute_clocks(facts(*events), CAL, t("2026-11-24T12:00"))
    t1 = clock(clocks, "fault-resolution", "T1")
    assert t1.deadline == t("2026-11-23T17:00") and t1.status is Status.BREACHED  # T2's fix does not close T1
    assert clock(clocks, "fault-resolution", "T2").status is Status.MET
    assert clock(clocks, "fault-response", "T1").deadline == t("2026-11-20T18:00")
    assert clock(clocks, "emergency-report").status is Status.LATE  # 16 minutes > 15
    assert clock(clocks, "storage").deadline == t("2026-12-01T12:00")
    assert not [c for c in clocks if c.rule.key == "early-termination"]


@pytest.mark.parametrize("start, stop, key, deadline", [
    ("authorization_received", "authorization_feedback", "auth-feedback", "2026-11-24T10:30"),
    ("complaint_received", "complaint_reported", "complaint", "2026-11-25T10:00"),
    ("outage", "outage_reported", "outage-report", "2026-11-29T10:00"),
    ("termination_notice", "ended", "early-termination", "2026-12-24T10:00"),
])
def test_remaining_clocks(start: str, stop: str, key: str, deadline: str) -> None:
    clocks = compute_clocks(facts(Event(start, t("2026-11-24T10:00")), Event(stop, t("2026-11-24T10:05"))), CAL,
                            t("2026-11-24T11:00"))
    assert clock(clocks, key).deadline == t(deadline) and clock(clocks, key).status is Status.MET
