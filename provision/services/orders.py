"""A signing as the caller states it, apart from the use case that records it.

`provision.api` exports `SignOrder`; keeping it out of services.contracts lets scripts and
the CLI build one without loading the ORM that only the signing itself needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from provision.domain.money import parse_money
from provision.domain.terms import Customer as CustomerRecord
from provision.domain.terms import Kind, Payment, Terms
from provision.errors import BadInput
from provision.services.context import SiteInfo, parse_time

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class SignOrder:
    """A signing as a technician or playbook states it: raw text where parsing needs the site."""

    customer: CustomerRecord
    kind: str
    quantity: int
    bandwidth_mbps: int
    fee: str
    payment: str
    ips: int | None = None
    term_months: int = 12
    power_w: int = 300
    signed_at: str | None = None
    room: str | None = None
    request_id: str | None = None
    install_fee: str | None = None  # CNY; none or 0: no install fee
    rack: str | None = None  # the one rack to place every server in; none: the allocator chooses

    def terms(self, site: SiteInfo, now: datetime) -> Terms:
        kind = _choice(Kind, self.kind, "--kind")
        signed_at = now if self.signed_at is None else parse_time(self.signed_at, site.tz, "--signed-at")
        return Terms(customer=self.customer, kind=kind, quantity=self.quantity, bandwidth_mbps=self.bandwidth_mbps,
                     ips=self.quantity if self.ips is None else self.ips, fee=parse_money(self.fee, "--fee"),
                     payment=_choice(Payment, self.payment, "--payment"), term_months=self.term_months,
                     signed_at=signed_at.astimezone(site.tz), power_w=self.power_w, room=self.room,
                     request_id=self.request_id, install_fee=_install_fee(self.install_fee))


def _install_fee(text: str | None) -> Decimal:
    """The install fee as given; 0 (or none) is a contract without one, which parse_money alone would refuse."""
    if text is None or re.fullmatch(r"0+(\.0{1,2})?", text.strip()):
        return Decimal("0.00")
    return parse_money(text, "--install-fee")


def _choice(enum: type[E], value: str, option: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not valid: use one of {', '.join(e.value for e in enum)}") from None
