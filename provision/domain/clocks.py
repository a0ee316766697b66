"""Every timed promise of the contracts (DOMAIN §2), computed from a contract's events.

A clock is not stored: it is derived each time from the event history and the
working-day calendar, so a corrected calendar or a back-dated event can never leave a
stale deadline behind. Each rule names the event that starts it, the events that
satisfy it, how its deadline is computed, and what a breach costs.

Events that start several clocks of the same kind (faults, emergencies, complaints)
carry a `ref`; a stop event closes the clock with the same ref.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from provision.domain.calendar import WorkCalendar
from provision.domain.compliance import WARNING_WORKING_DAYS, review_due


@dataclass(frozen=True)
class Event:
    """Something that happened to a contract, at an aware local time."""

    kind: str
    at: datetime
    ref: str | None = None
    months: int = 0  # for renewals: how many months they add to the term


@dataclass(frozen=True)
class ContractFacts:
    """What the clocks need to know of a contract besides its events."""

    contract_id: str
    term_months: int
    events: tuple[Event, ...]
    kind: str = "colocation"  # colocation | rental | rack: which install rule applies (SLA §3.1-3.2)


Deadline = Callable[[Event, ContractFacts, WorkCalendar], datetime]


def _calendar_days_end(days: int) -> Deadline:
    """End (23:59:59 local) of the n-th calendar day after the start's date."""

    def deadline(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
        day = start.at.date() + timedelta(days=days)
        return datetime.combine(day, time(23, 59, 59), tzinfo=start.at.tzinfo)

    return deadline


def _elapsed(length: timedelta) -> Deadline:
    def deadline(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
        return start.at + length

    return deadline


def _working_time(length: timedelta) -> Deadline:
    def deadline(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
        return cal.add_working_time(start.at, length)

    return deadline


def _install(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
    return cal.end_of_nth_working_day_after(start.at, 3)


def _stop_notice(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
    # Payment is due at the end of the 3rd day after signing; the stop-service notice
    # is due once the payment is 3 days overdue.
    return _calendar_days_end(3)(start, facts, cal) + timedelta(days=3)


def _term(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
    renewed = sum(e.months for e in facts.events if e.kind == "renewed")
    return start.at + relativedelta(months=facts.term_months + renewed)


def _one_month(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
    return start.at + relativedelta(months=1)


def _working_days_end(days: int) -> Deadline:
    """End (23:59:59 local) of the n-th working day after the start's date: a document takes a working day."""

    def deadline(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
        return cal.end_of_nth_working_day_after(start.at, days)

    return deadline


def _annual_review(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
    """The anniversary of activation the review started by `start` (activation or the last review) is due on."""
    activated = next((e.at for e in facts.events if e.kind == "activated"), start.at)
    return review_due(activated, start.at)


@dataclass(frozen=True)
class ClockRule:
    key: str
    title: str
    clause: str
    starts_on: str
    stops_on: tuple[str, ...]
    deadline: Deadline
    on_breach: str
    all_of: bool = False        # stopped once every event of stops_on happened (at the latest of them), not any one
    kinds: tuple[str, ...] = ()  # the contract kinds it applies to; empty: every kind


RULES: tuple[ClockRule, ...] = (
    # SLA §3.1-3.2: the customer's own server is installed when its port and power are provisioned; a
    # rental (整机租用) server's install is the hardware installation and the OS install, both recorded.
    ClockRule("install", "install guarantee", "SLA §3.2", "signed", ("provisioned",),
              _install, "install fee refunded", kinds=("colocation", "rack")),
    ClockRule("install", "install guarantee: hardware and OS", "SLA §3.1 §3.2", "signed",
              ("installed_hardware", "installed_os"), _install, "install fee refunded", all_of=True,
              kinds=("rental",)),
    ClockRule("payment", "payment due", "§3.3", "signed", ("paid",),
              _calendar_days_end(3), "payment overdue"),
    ClockRule("stop-notice", "overdue: stop-service notice", "§6.6", "signed", ("paid", "stop_notice_issued"),
              _stop_notice, "issue the stop-service notice"),
    ClockRule("term", "contract term", "§2", "activated", ("ended",),
              _term, "decommission unless renewed"),
    ClockRule("early-termination", "customer early termination", "§6.2", "termination_notice", ("ended",),
              _one_month, "contract ends"),
    ClockRule("emergency-report", "emergency report", "SLA §4.5 §4.7", "emergency",
              ("emergency_reported", "emergency_waived"),  # waived: the contact was invalid, or force majeure
              _elapsed(timedelta(minutes=15)), "deduct 1 day's fee (at most 1 a day)"),
    ClockRule("fault-response", "fault response", "§5.6 §6.3", "fault_reported", ("fault_responded", "fault_resolved"),
              _elapsed(timedelta(hours=1)), "response late"),
    ClockRule("fault-resolution", "fault resolution", "§5.6", "fault_reported", ("fault_resolved",),
              _working_time(timedelta(days=1)), "resolution late"),
    ClockRule("auth-feedback", "authorized-operation feedback", "SLA §7.2", "authorization_received",
              ("authorization_feedback",), _elapsed(timedelta(minutes=30)), "feedback late"),
    ClockRule("complaint", "complaint written report", "SLA §8.3", "complaint_received", ("complaint_reported",),
              _elapsed(timedelta(hours=24)), "report late"),
    ClockRule("outage-report", "outage reporting window", "SLA §1.4 §2.4", "outage", ("outage_reported",),
              _elapsed(timedelta(days=5)), "outage does not count for SLA"),
    ClockRule("storage", "storage abandonment", "§8.4", "stored", ("collected", "shipped"),
              _elapsed(timedelta(days=7)), "may be treated as abandoned"),
    # 「事后需立即补交」: "immediately" has no figure; a signed form needs the authorized person at a desk,
    # so it is due by the end of the next working day after the call (the day of the call never counts).
    ClockRule("auth-written", "phone authorization: written form", "SLA §6.6", "authorization_received",
              ("authorization_written",), _working_days_end(1), "written form late"),
    ClockRule("operation-report", "authorized operation: written report", "SLA §7.2", "authorized_operation",
              ("operation_reported",), _working_time(timedelta(days=1)), "report late"),
    # Hosting §5.8: a review each year, due on each anniversary of activation. Activation starts
    # the first; every review held (passed or failed) ends the current one and starts the next.
    ClockRule("annual-review", "annual review", "§5.8", "activated", ("reviewed", "ended"),
              _annual_review, "review overdue"),
    ClockRule("annual-review", "annual review", "§5.8", "reviewed", ("reviewed", "ended"),
              _annual_review, "review overdue"),
    # User undertaking 5.2: a spam complaint is answered by a warning within 3 working days.
    ClockRule("abuse-warning", "spam complaint: warning to the customer", "undertaking 5.2", "abuse_reported",
              ("abuse_warned", "abuse_closed"), _working_days_end(WARNING_WORKING_DAYS), "warning late"),
)


class Status(StrEnum):
    RUNNING = "running"      # not satisfied, deadline ahead
    BREACHED = "breached"    # not satisfied, deadline passed
    MET = "met"              # satisfied in time
    LATE = "late"            # satisfied after the deadline

    @property
    def is_open(self) -> bool:
        return self in (Status.RUNNING, Status.BREACHED)


@dataclass(frozen=True)
class Clock:
    contract_id: str
    rule: ClockRule
    ref: str | None
    started_at: datetime
    deadline: datetime
    status: Status
    stopped_at: datetime | None
    time_left: timedelta  # negative once breached; frozen at the stop time when closed


def compute_clocks(facts: ContractFacts, cal: WorkCalendar, now: datetime,
                   rules: Sequence[ClockRule] = RULES) -> list[Clock]:
    """Every clock the contract's history has started, with its status as of `now`."""
    events = sorted((e for e in facts.events if e.at <= now), key=lambda e: e.at)
    clocks = []
    for rule in (r for r in rules if not r.kinds or facts.kind in r.kinds):
        for start in (e for e in events if e.kind == rule.starts_on):
            clocks.append(_one_clock(rule, start, facts, cal, now, events))
    return clocks


def _stop(rule: ClockRule, start: Event, events: Iterable[Event]) -> Event | None:
    """The event that stopped the clock: the first of its stop events, or with all_of the last one needed."""
    # A clock of one thing (ref: an authorization, an outage) is stopped by that thing's events; a clock
    # of the whole contract (no ref) by any of them: a stop-service notice (ref: the notice) stops the
    # notice clock that signing started.
    after = [e for e in events if e.at >= start.at and (start.ref is None or e.ref == start.ref)
             and e is not start]  # an event never stops the clock it starts
    if not rule.all_of:
        return next((e for e in after if e.kind in rule.stops_on), None)
    firsts = [next((e for e in after if e.kind == kind), None) for kind in rule.stops_on]
    return None if None in firsts else max((e for e in firsts if e is not None), key=lambda e: e.at)


def _one_clock(rule: ClockRule, start: Event, facts: ContractFacts, cal: WorkCalendar,
               now: datetime, events: Iterable[Event]) -> Clock:
    deadline = rule.deadline(start, facts, cal)
    stop = _stop(rule, start, events)
    if stop is None:
        status = Status.RUNNING if now < deadline else Status.BREACHED
        left = deadline - now
    else:
        status = Status.MET if stop.at <= deadline else Status.LATE
        left = deadline - stop.at
    return Clock(facts.contract_id, rule, start.ref, start.at, deadline, status,
                 stop.at if stop else None, left)
