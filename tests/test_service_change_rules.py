"""Service change rules (SLA §5 「服务内容变更处理」) and the fee schedule they put on the account: pure, no I/O.

The agreement lets the customer change the service; the toolkit's readings: the new fee
is owed from the next payment period (the started one at the old fee), the term does
not restart, and only a running service (or a signed order) changes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from provision.domain.billing import Fees, period_index, standing
from provision.domain.service_change import (
    ChangeOrder,
    Service,
    changes_nothing,
    check,
    fee_takes_effect,
    spread,
    terms,
)
from provision.domain.termination import forced_refund
from provision.domain.terms import Payment
from provision.errors import BadInput, Refused

SH = ZoneInfo("Asia/Shanghai")
SIGNED = datetime(2026, 11, 24, 10, 0, tzinfo=SH)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def service(state: str = "active", **kw: object) -> Service:
    fields: dict[str, object] = {"contract_id": "C2026-0001", "state": state, "bandwidth_mbps": 100, "ips": 1,
                                 "slots": 1, "fee": Decimal("1000.00"), "ports": (("GE0/0/3", 1000),)}
    return Service(**(fields | kw))  # type: ignore[arg-type]


# --- the fee schedule: 「服务内容变更」 moves the fee from the next payment period on ---

def test_a_fee_change_takes_effect_from_the_next_period() -> None:
    assert fee_takes_effect(SIGNED, Payment.MONTHLY, at("2026-12-01T10:00")) == (1, at("2026-12-24T10:00"))
    assert fee_takes_effect(SIGNED, Payment.YEARLY, at("2027-03-01T10:00")) == (1, at("2027-11-24T10:00"))
    # changed on the first day of a period: that period has started, the next one gets the fee
    assert fee_takes_effect(SIGNED, Payment.MONTHLY, at("2026-12-24T10:00")) == (2, at("2027-01-24T10:00"))


def test_period_index_counts_from_signing() -> None:
    assert period_index(SIGNED, Payment.MONTHLY, at("2026-11-24T10:00")) == 0
    assert period_index(SIGNED, Payment.MONTHLY, at("2026-12-24T09:59")) == 0
    assert period_index(SIGNED, Payment.MONTHLY, at("2027-02-01T00:00")) == 2


def test_fees_per_period_and_the_later_of_two_changes_in_a_period_counts() -> None:
    fees = Fees(Decimal("1000"), ((1, Decimal("1500")), (3, Decimal("800")), (3, Decimal("900"))))
    assert [fees.of(k) for k in range(5)] == [Decimal(x) for x in ("1000", "1500", "1500", "900", "900")]
    assert fees.total(3) == Decimal("4000")
    assert Fees(Decimal("1000")).total(0) == Decimal("0")


def test_periods_before_the_change_are_owed_at_the_old_fee() -> None:
    fees = Fees(Decimal("1000.00"), ((1, Decimal("1500.00")),))
    before = standing(fees, Payment.MONTHLY, 12, SIGNED, Decimal("1000.00"), at("2026-12-23T10:00"))
    assert before.owed == Decimal("1000.00") and not before.in_debt
    after = standing(fees, Payment.MONTHLY, 12, SIGNED, Decimal("1000.00"), at("2026-12-28T10:00"))
    assert after.owed == Decimal("2500.00") and after.balance == Decimal("-1500.00")
    assert after.overdue_since == at("2026-12-27T23:59:59")  # the second period, due 3 days after it starts


def test_payments_settle_the_oldest_period_first_at_its_own_fee() -> None:
    fees = Fees(Decimal("1000.00"), ((1, Decimal("500.00")),))
    # 1400 paid covers period 0 (1000), not period 1 (500): period 1 is the one overdue
    s = standing(fees, Payment.MONTHLY, 12, SIGNED, Decimal("1400.00"), at("2027-01-01T10:00"))
    assert s.owed == Decimal("1500.00") and s.overdue_since == at("2026-12-27T23:59:59")
    paid_up = standing(fees, Payment.MONTHLY, 12, SIGNED, Decimal("1500.00"), at("2027-01-01T10:00"))
    assert paid_up.overdue_since is None and paid_up.balance == 0


def test_a_flat_fee_is_read_as_before() -> None:
    assert standing(Decimal("1000"), Payment.MONTHLY, 12, SIGNED, Decimal("0"), at("2027-01-01T10:00")) == \
        standing(Fees(Decimal("1000")), Payment.MONTHLY, 12, SIGNED, Decimal("0"), at("2027-01-01T10:00"))


def test_forced_refund_values_the_current_period_at_its_fee() -> None:
    fees = Fees(Decimal("1000.00"), ((1, Decimal("1500.00")),))
    r = forced_refund(fees, Payment.MONTHLY, SIGNED, Decimal("2500.00"), at("2027-01-03T10:00"))
    # period 0 at 1000, then 10 of period 1's 31 days at 1500: 1000 + 483.87
    assert r.lines[0].amount == Decimal("1016.13") and "1483.87" in r.lines[0].label
    assert r.lines[1].amount == Decimal("145.16")  # 3 days at 1500 / 31
    old = forced_refund(fees, Payment.MONTHLY, SIGNED, Decimal("1000.00"), at("2026-12-03T10:00"))
    assert old.lines[1].amount == Decimal("100.00")  # the first period still at 1000: 3 days at 1000 / 30


# --- what may change, and when ---

@pytest.mark.parametrize("state", ["active", "provisioned", "signed"])
def test_running_services_and_signed_orders_change(state: str) -> None:
    check(ChangeOrder(bandwidth_mbps=200), service(state))


def test_a_suspended_service_is_refused_with_its_reason() -> None:
    with pytest.raises(Refused, match=r"suspended \(nonpayment\).*lift the suspension first"):
        check(ChangeOrder(add_ips=1), service("suspended", stop_reason="nonpayment"))


@pytest.mark.parametrize("state", ["ended", "decommissioned", "in_storage", "collected"])
def test_a_contract_no_longer_running_is_refused(state: str) -> None:
    with pytest.raises(Refused, match=f"is {state}"):
        check(ChangeOrder(add_slots=1), service(state))


def test_bandwidth_is_bounded_by_the_slowest_port() -> None:
    ports = (("Gi1/0/1", 1000), ("Fa0/1", 100))
    check(ChangeOrder(bandwidth_mbps=100), service(ports=ports))
    with pytest.raises(BadInput, match=r"--bandwidth 101 Mbit/s is more than port Fa0/1 carries \(100 Mbit/s\)"):
        check(ChangeOrder(bandwidth_mbps=101), service(ports=ports))


@pytest.mark.parametrize(("kw", "says"), [
    ({}, "nothing to change"),
    ({"fee": Decimal("10")}, "a fee alone is not a service change"),
    ({"bandwidth_mbps": 0}, "--bandwidth 0"),
    ({"add_ips": -1}, "--add-ips -1"),
    ({"add_slots": 1001}, "--add-slots 1001"),
    ({"add_ips": 1, "fee": Decimal("0")}, "--fee"),
    ({"add_ips": 1, "request_id": "no spaces"}, "--request-id"),
])
def test_bad_orders(kw: dict[str, object], says: str) -> None:
    with pytest.raises(BadInput, match=says):
        ChangeOrder(**kw)  # type: ignore[arg-type]


def test_the_whole_contract_stays_within_signing_bounds() -> None:
    with pytest.raises(BadInput, match="would have 257 addresses"):
        check(ChangeOrder(add_ips=200, add_slots=1), service(ips=56))
    with pytest.raises(BadInput, match="would have 1001"):
        check(ChangeOrder(add_slots=2), service(slots=999))


def test_terms_before_and_after_each_new_slot_with_one_address() -> None:
    changes = terms(ChangeOrder(bandwidth_mbps=50, add_ips=2, add_slots=1, fee=Decimal("900.00")), service())
    assert [(c.term, c.before, c.after) for c in changes] == [
        ("bandwidth_mbps", 100, 50), ("ips", 1, 4), ("slots", 1, 2), ("fee", Decimal("1000.00"), Decimal("900.00"))]
    assert changes_nothing(terms(ChangeOrder(bandwidth_mbps=100), service()))
    assert not changes_nothing(terms(ChangeOrder(bandwidth_mbps=100, fee=Decimal("1")), service()))


def test_new_addresses_go_to_the_server_with_fewest_first_on_ties() -> None:
    assert spread([1, 1, 1], 2) == [1, 1, 0]
    assert spread([2, 1, 1], 3) == [1, 1, 1]
    assert spread([3, 1, 2], 2) == [0, 2, 0]
    assert spread([1], 3) == [3]
    assert spread([3, 1], 0) == [0, 0]
