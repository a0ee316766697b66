"""The terms of a hosting contract (DOMAIN §1, §4), validated before anything is stored.

Validation lives here, not in the CLI, so a playbook gets the same refusal for a
negative bandwidth as a technician does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from provision.domain.money import check_money
from provision.errors import BadInput


class Kind(StrEnum):
    COLOCATION = "colocation"  # 主机托管: the customer's own server
    RENTAL = "rental"          # 整机租用: the provider's server
    RACK = "rack"              # 机柜整租: a whole rack


class Payment(StrEnum):
    YEARLY = "yearly"
    MONTHLY = "monthly"


MAX_BANDWIDTH_MBPS = 400_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Customer:
    """The customer record of DOMAIN §1; only the name is required to sign."""

    name: str
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    mobile: str | None = None
    im: str | None = None
    email: str | None = None
    admin_name: str | None = None
    admin_id_number: str | None = None
    admin_phone: str | None = None
    purpose: str | None = None

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value is None:
                continue
            if not value.strip():
                raise BadInput(f"customer {name} is empty: give a value or leave the option out")
            if _CONTROL.search(value):
                raise BadInput(f"customer {name} {value!r} contains control characters: remove them")
            if len(value) > 200:
                raise BadInput(f"customer {name} is {len(value)} characters long: shorten it to 200")
        if self.email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email):
            raise BadInput(f"customer email {self.email!r} is not an address: give one like ops@example.com")


@dataclass(frozen=True)
class Terms:
    """What is sold: `quantity` is 1U servers, or whole racks for the `rack` kind."""

    customer: Customer
    kind: Kind
    quantity: int
    bandwidth_mbps: int
    ips: int
    fee: Decimal
    payment: Payment
    term_months: int
    signed_at: datetime
    power_w: int
    room: str | None = None
    request_id: str | None = None
    install_fee: Decimal = Decimal("0.00")  # SLA §3.1-3.2: refunded when the 3-working-day install guarantee is missed

    def __post_init__(self) -> None:
        unit = "--racks" if self.kind is Kind.RACK else "--slots"
        if not 1 <= self.quantity <= 1000:
            raise BadInput(f"{unit} {self.quantity} is out of range: give 1 to 1000")
        if not 1 <= self.bandwidth_mbps <= MAX_BANDWIDTH_MBPS:
            raise BadInput(f"--bandwidth {self.bandwidth_mbps} Mbit/s is out of range: give 1 to {MAX_BANDWIDTH_MBPS}")
        if not 1 <= self.ips <= 256:
            raise BadInput(f"--ips {self.ips} is out of range: give 1 to 256 (a server is reached at its address)")
        check_money(self.fee, "--fee")
        if self.install_fee:
            check_money(self.install_fee, "--install-fee")
        if not 1 <= self.term_months <= 120:
            raise BadInput(f"--term-months {self.term_months} is out of range: give 1 to 120")
        if not 1 <= self.power_w <= 50_000:
            raise BadInput(f"--power-w {self.power_w} is out of range: give the server's draw in W, 1 to 50000")
        if self.signed_at.tzinfo is None:
            raise BadInput("--signed-at has no timezone: internal error, times must be localised first")
        if self.request_id is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", self.request_id):
            raise BadInput(f"--request-id {self.request_id!r} is invalid: use 1-64 letters, digits, . _ : -")


def install_refund(install_fee: Decimal, status: str | None) -> str | None:
    """What a missed install guarantee costs, in words (SLA §3.2: the install fee, 初装费, refunded); else None.

    A clock still running or met owes nothing; breached (still not installed after the
    3rd working day) or late (installed after it) refunds the install fee. A contract with
    no install fee is owed nothing, and says so rather than naming 0.00.
    """
    if status not in ("late", "breached"):
        return None
    if not install_fee:
        return "install guarantee missed; no install fee on the contract to refund"
    return f"install fee {install_fee:.2f} refunded"


def customer_key(name: str) -> str:
    """A name as compared: spacing and case do not make another customer."""
    return " ".join(name.split()).casefold()
