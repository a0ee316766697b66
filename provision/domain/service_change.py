"""Changing a running service (SLA §5 服务内容变更处理): bandwidth, addresses, slots, and the fee.

The toolkit's readings of the clause, which gives the customer the right to change the
service without saying how:

- What changes: the dedicated bandwidth (up or down), more static addresses, more 1U
  slots (whole racks for a rack contract) — any combination, at least one. A fee alone
  is not a service change; it comes with one.
- In which states: a provisioned or active contract changes on the devices (plan →
  apply → verify, like provisioning); a signed one only changes its order, because no
  device carries it yet (provisioning then configures the new terms). A suspended
  contract is refused: its ports are shut for a reason (non-payment, a failed review,
  the authorities, abuse) that the change would not lift, and a change cannot be read
  back from a port that carries no traffic — lift the suspension, then change.
  Contracts no longer running (ended and after) have nothing to change.
- The fee: the new fee is owed from the next payment period; the period already
  started is owed at the old fee, and the term does not restart (see billing.Fees).
- Bounds: the bandwidth is 1 Mbit/s to the speed of the slowest of the contract's ports
  (a dedicated port cannot carry more than its line rate); addresses and slots stay
  within signing's bounds for the whole contract.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from provision.domain.billing import period_index, period_start
from provision.domain.money import check_money
from provision.domain.terms import MAX_BANDWIDTH_MBPS, Payment
from provision.errors import BadInput, Refused

ON_DEVICES = ("provisioned", "active")   # the change is applied to the switch ports and PDU outlets
ORDER_ONLY = ("signed",)                 # nothing on the devices yet: the order changes, provisioning follows
MAX_IPS, MAX_SLOTS = 256, 1000           # the bounds signing puts on --ips and --slots, for the whole contract


@dataclass(frozen=True)
class ChangeOrder:
    """A change as the customer asked for it; `fee` is the new fee per payment period."""

    bandwidth_mbps: int | None = None
    add_ips: int = 0
    add_slots: int = 0
    fee: Decimal | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.bandwidth_mbps is None and not self.add_ips and not self.add_slots:
            what = "a fee alone is not a service change: " if self.fee is not None else ""
            raise BadInput(f"nothing to change: {what}give --bandwidth MBPS, --add-ips N and/or --add-slots N")
        if self.bandwidth_mbps is not None and not 1 <= self.bandwidth_mbps <= MAX_BANDWIDTH_MBPS:
            raise BadInput(f"--bandwidth {self.bandwidth_mbps} Mbit/s is out of range: give 1 to the port's speed")
        if not 0 <= self.add_ips <= MAX_IPS:
            raise BadInput(f"--add-ips {self.add_ips} is out of range: give 1 to {MAX_IPS}")
        if not 0 <= self.add_slots <= MAX_SLOTS:
            raise BadInput(f"--add-slots {self.add_slots} is out of range: give 1 to {MAX_SLOTS}")
        if self.fee is not None:
            check_money(self.fee, "--fee")
        if self.request_id is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", self.request_id):
            raise BadInput(f"--request-id {self.request_id!r} is invalid: use 1-64 letters, digits, . _ : -")


@dataclass(frozen=True)
class Service:
    """The contract as it is before the change."""

    contract_id: str
    state: str
    bandwidth_mbps: int
    ips: int
    slots: int
    fee: Decimal
    ports: tuple[tuple[str, int], ...]  # (interface, speed in Mbit/s) of every live port
    stop_reason: str | None = None


@dataclass(frozen=True)
class TermChange:
    term: str
    before: int | Decimal
    after: int | Decimal


def check(order: ChangeOrder, service: Service) -> None:
    """Refuse a change the contract's state does not allow (Refused) or its ports cannot carry (BadInput)."""
    cid = service.contract_id
    if service.state == "suspended":
        raise Refused(f"contract {cid} is suspended ({service.stop_reason or 'stopped'}): a service change is made "
                      f"on a running service — lift the suspension first, then change it")
    if service.state not in ON_DEVICES + ORDER_ONLY:
        raise Refused(f"contract {cid} is {service.state}: only a signed, provisioned or active contract can change "
                      f"its service")
    if order.bandwidth_mbps is not None and service.ports:
        interface, speed = min(service.ports, key=lambda p: p[1])
        if order.bandwidth_mbps > speed:
            raise BadInput(f"--bandwidth {order.bandwidth_mbps} Mbit/s is more than port {interface} carries "
                           f"({speed} Mbit/s): give 1 to {speed}")
    if service.ips + order.add_ips + order.add_slots > MAX_IPS:
        raise BadInput(f"--add-ips {order.add_ips}: contract {cid} would have "
                       f"{service.ips + order.add_ips + order.add_slots} addresses, more than {MAX_IPS}; ask for fewer")
    if service.slots + order.add_slots > MAX_SLOTS:
        raise BadInput(f"--add-slots {order.add_slots}: contract {cid} would have {service.slots + order.add_slots}, "
                       f"more than {MAX_SLOTS}; ask for fewer")


def terms(order: ChangeOrder, service: Service) -> tuple[TermChange, ...]:
    """Each term before and after; every new slot comes with one address, as at signing."""
    return (
        TermChange("bandwidth_mbps", service.bandwidth_mbps,
                   service.bandwidth_mbps if order.bandwidth_mbps is None else order.bandwidth_mbps),
        TermChange("ips", service.ips, service.ips + order.add_ips + order.add_slots),
        TermChange("slots", service.slots, service.slots + order.add_slots),
        TermChange("fee", service.fee, service.fee if order.fee is None else order.fee),
    )


def changes_nothing(changes: Sequence[TermChange]) -> bool:
    return all(c.before == c.after for c in changes)


def fee_takes_effect(signed_at: datetime, payment: Payment, at: datetime) -> tuple[int, datetime]:
    """The first period owed at a fee changed at `at`: the next one; the term does not restart."""
    k = period_index(signed_at, payment, at) + 1
    return k, period_start(signed_at, payment, k)


def spread(counts: Sequence[int], add: int) -> list[int]:
    """How many of `add` new addresses each server gets: always to a server with the fewest, the first on ties.

    Signing spreads a contract's addresses evenly with the first servers taking the
    remainder; adding this way keeps that shape.
    """
    have, extra = list(counts), [0] * len(counts)
    for _ in range(add):
        i = min(range(len(have)), key=lambda j: (have[j], j))
        have[i] += 1
        extra[i] += 1
    return extra
