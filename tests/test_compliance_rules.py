"""Licences, the annual review, stops by authority and spam warnings: the pure rules (no I/O).

Hosting contract §5.7: the customer hands over a copy of its business licence (营业执照),
and of its advertising / value-added telecom (ICP) licences where it runs such business.
§5.8: the customer is reviewed each year; a failed review stops the service.
§5.9: servers are closed when the authorities order it.
User undertaking 5.2: on a complaint of spam from the customer's server, the customer is
warned within 3 working days; if it goes on, the service is stopped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from provision.domain.calendar import WorkCalendar
from provision.domain.clocks import ContractFacts, Event, Status, compute_clocks
from provision.domain.compliance import (
    Imposed,
    LicenceKind,
    after_lift,
    impose,
    in_service,
    may_shut_for_abuse,
    missing_licences,
    required_licences,
    review_due,
    strongest,
)
from provision.domain.lifecycle import StopReason
from provision.errors import Refused

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
B, A, ICP = LicenceKind.BUSINESS, LicenceKind.ADVERTISING, LicenceKind.ICP
NP, RV, AU, AB = StopReason.NONPAYMENT, StopReason.REVIEW, StopReason.AUTHORITIES, StopReason.ABUSE


def t(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=SH)


# --- §5.7 licences ------------------------------------------------------------------


@pytest.mark.parametrize("declared, on_file, missing", [
    ((), (), (B,)),                  # the business-licence copy: every customer
    ((), (B,), ()),
    ((ICP,), (B,), (ICP,)),              # declares ICP business: the ICP licence is required too
    ((A, ICP), (B, ICP), (A,)),
    ((A, ICP), (ICP, A, B), ()),
    ((), (B, ICP), ()),                # a copy nobody asked for does not make anything missing
])
def test_business_licence_always_advertising_and_icp_where_declared(declared, on_file, missing) -> None:  # type: ignore[no-untyped-def]
    assert missing_licences(declared, on_file) == missing
    assert required_licences(declared)[0] is B


# --- §5.8 the annual review: due each anniversary of activation --------------------------


@pytest.mark.parametrize("activated, after, due", [
    ("2026-11-26T09:00", "2026-11-26T09:00", "2027-11-26T23:59:59"),  # the first: first anniversary
    ("2026-11-26T09:00", "2027-10-20T10:00", "2028-11-26T23:59:59"),  # held 5 weeks early: counts for 2027
    ("2026-11-26T09:00", "2027-12-20T10:00", "2028-11-26T23:59:59"),  # held late: the next is still 2028
    ("2026-11-26T09:00", "2027-11-26T15:00", "2028-11-26T23:59:59"),  # on the day
    ("2026-11-26T09:00", "2027-04-01T10:00", "2027-11-26T23:59:59"),  # an extra one mid-year: 2027 still due
    ("2024-02-29T10:00", "2024-02-29T10:00", "2025-02-28T23:59:59"),  # 29 February: 28th in other years
    ("2024-02-29T10:00", "2027-03-01T10:00", "2028-02-29T23:59:59"),
])
def test_review_due_on_the_anniversary_it_counts_for(activated: str, after: str, due: str) -> None:
    assert review_due(t(activated), t(after)) == t(due)


def _review_clocks(*events: Event, now: str) -> list:  # type: ignore[type-arg]
    clocks = compute_clocks(ContractFacts("C2026-0001", 12, events), CAL, t(now))
    return [c for c in clocks if c.rule.key == "annual-review"]


def test_review_clock_runs_from_activation_and_restarts_at_each_review() -> None:
    activated = Event("activated", t("2026-11-26T09:00"))
    [first] = _review_clocks(activated, now="2027-11-26T23:59:58")
    assert first.deadline == t("2027-11-26T23:59:59") and first.status is Status.RUNNING
    assert first.time_left == timedelta(seconds=1)
    [late] = _review_clocks(activated, now="2027-11-27T00:00")
    assert late.status is Status.BREACHED

    reviewed = Event("reviewed", t("2027-11-20T10:00"))
    first, second = _review_clocks(activated, reviewed, now="2027-12-01T00:00")
    assert first.status is Status.MET and first.stopped_at == reviewed.at
    assert second.started_at == reviewed.at and second.status is Status.RUNNING, "a review never stops its own clock"
    assert second.deadline == t("2028-11-26T23:59:59")

    again = Event("reviewed", t("2028-12-02T10:00"))  # 6 days late
    clocks = _review_clocks(activated, reviewed, again, now="2029-01-01T00:00")
    assert [c.status for c in clocks] == [Status.MET, Status.LATE, Status.RUNNING]
    assert clocks[2].deadline == t("2029-11-26T23:59:59")


def test_review_clock_stops_when_the_contract_ends() -> None:
    events = (Event("activated", t("2026-11-26T09:00")), Event("ended", t("2027-11-26T09:00")))
    [clock] = _review_clocks(*events, now="2028-06-01T00:00")
    assert clock.status is Status.MET


def test_no_review_clock_before_activation() -> None:
    assert _review_clocks(Event("signed", t("2026-11-24T10:00")), now="2028-01-01T00:00") == []


# --- undertaking 5.2: a warning within 3 working days of a spam complaint ------------------


@pytest.mark.parametrize("reported, due", [
    ("2026-11-24T10:00", "2026-11-27T23:59:59"),  # Tuesday: Wed, Thu, Fri
    ("2026-11-27T18:00", "2026-12-02T23:59:59"),  # Friday evening: Mon, Tue, Wed
    ("2026-11-28T10:00", "2026-12-02T23:59:59"),  # Saturday: the same
    ("2026-09-30T10:00", "2026-10-10T23:59:59"),  # before National Day (1-7 Oct off): Thu 8, Fri 9, Sat 10 (worked)
])
def test_spam_warning_due_within_3_working_days(reported: str, due: str) -> None:
    start = Event("abuse_reported", t(reported), "A1")
    [clock] = [c for c in compute_clocks(ContractFacts("C2026-0001", 12, (start,)), CAL, t(reported))
               if c.rule.key == "abuse-warning"]
    assert clock.deadline == t(due) and clock.rule.clause == "undertaking 5.2"


def test_spam_warning_clock_pairs_by_case_and_closes_on_warning_or_close() -> None:
    events = (Event("abuse_reported", t("2026-11-24T10:00"), "A1"), Event("abuse_reported", t("2026-11-24T11:00"), "A2"),
              Event("abuse_reported", t("2026-11-24T12:00"), "A3"),
              Event("abuse_warned", t("2026-11-25T10:00"), "A2"), Event("abuse_closed", t("2026-11-30T10:00"), "A3"))
    clocks = {c.ref: c for c in compute_clocks(ContractFacts("C2026-0001", 12, events), CAL, t("2026-12-01T00:00"))
              if c.rule.key == "abuse-warning"}
    assert (clocks["A1"].status, clocks["A2"].status, clocks["A3"].status) == (
        Status.BREACHED, Status.MET, Status.LATE)


def test_no_shutdown_for_spam_before_a_warning() -> None:
    with pytest.raises(Refused, match="no warning on record.*colo abuse warn A1") as e:
        may_shut_for_abuse("A1", None, closed=False)
    assert e.value.exit_code == 3
    with pytest.raises(Refused, match="closed"):
        may_shut_for_abuse("A1", t("2026-11-25T10:00"), closed=True)
    may_shut_for_abuse("A1", t("2026-11-25T10:00"), closed=False)


# --- stops: which holds, and what is left once one is lifted ------------------------------


def test_the_strongest_stop_names_the_contract_and_non_payment_is_the_weakest() -> None:
    assert strongest([NP, AB]) is AB and strongest([AB, RV]) is RV and strongest([RV, AU, NP]) is AU
    assert strongest([]) is None and strongest([None]) is None


def test_a_running_service_is_shut_and_a_suspended_one_only_changes_its_reason() -> None:
    assert impose("C1", "active", None, RV) == (Imposed.SHUT, RV)
    # suspended for non-payment: the ports are shut already, the stop becomes one payment cannot lift
    assert impose("C1", "suspended", NP, AU) == (Imposed.RESTAMP, AU)
    assert impose("C1", "suspended", AU, AB) == (Imposed.RESTAMP, AU), "a weaker stop does not demote a stronger"
    assert impose("C1", "suspended", None, AB) == (Imposed.RESTAMP, AB)  # a store from before stop reasons


@pytest.mark.parametrize("state", ["signed", "provisioned", "ended", "in_storage"])
def test_only_a_service_in_use_can_be_stopped(state: str) -> None:
    with pytest.raises(Refused, match=fr"is {state}: stopping the service \(review\) needs a running"):
        impose("C1", state, None, RV)
    with pytest.raises(Refused, match="an annual review needs"):
        in_service("C1", state, "an annual review")


@pytest.mark.parametrize("still_open, in_debt, held", [
    ((), False, None),           # nothing holds it: the service comes back
    ((), True, NP),              # lifted in debt: it stays stopped, for non-payment (payment lifts that)
    ((AB,), False, AB),          # another stop still holds it
    ((AB, AU), True, AU),
])
def test_what_holds_a_contract_after_a_stop_is_lifted(still_open, in_debt: bool, held) -> None:  # type: ignore[no-untyped-def]
    assert after_lift(still_open, in_debt) is held
