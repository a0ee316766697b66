"""What a logged-in customer may read, and the portal's lines in the audit log.

Every read starts from the customer of the session: a contract of another customer is
answered exactly as a contract that does not exist (None, which the face turns into 404),
so the portal never confirms that someone else's contract ID is real. Nothing here writes
except `record`, which appends a line to the audit log (a refused or accepted login).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from provision.domain.sla import month_window
from provision.errors import BadInput
from provision.services.context import Context, load_site
from provision.services.contracts import iso
from provision.services.monitoring import sla, tickets, traffic
from provision.services.people.authorization import PortalAccount
from provision.store import audit
from provision.store.schema import Contract, Customer, PortalCredential


@dataclass(frozen=True)
class ContractPage:
    """Everything a contract's page shows, for one month, as of the portal's 'now'."""

    contract: dict[str, Any]
    month: str
    previous_month: str
    next_month: str | None  # None: the month shown is the current one
    traffic: dict[str, Any]
    sla: dict[str, Any]
    open_tickets: list[dict[str, Any]]
    tz: tzinfo
    now: datetime
    window: tuple[datetime, datetime]


def still_valid(ctx: Context, account: PortalAccount) -> bool:
    """The session's credential is still the customer's: setting a new one ends every older session."""
    with ctx.store.session() as s:
        row = s.get(PortalCredential, account.customer_id)
        return row is not None and row.set_at == account.credential_set_at


def home(ctx: Context, customer_id: int) -> dict[str, Any]:
    """The customer's name and contracts, in signing order."""
    with ctx.store.session() as s:
        site = load_site(s)
        customer = s.get(Customer, customer_id)
        rows = s.scalars(select(Contract).where(Contract.customer_id == customer_id).order_by(Contract.year, Contract.seq))
        return {"customer": customer.name if customer else "",
                "contracts": [_summary(c, site) for c in rows]}


def _summary(c: Contract, site: Any) -> dict[str, Any]:
    return {"id": c.id, "state": c.state, "kind": c.kind, "quantity": c.quantity, "bandwidth_mbps": c.bandwidth_mbps,
            "signed_at": iso(c.signed_at, site)}


def contract_page(ctx: Context, customer_id: int, contract_id: str, month: str | None) -> ContractPage | None:
    """A contract of this customer for `month` (default: the current one); None for any other contract ID."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contract = s.get(Contract, contract_id)
        if contract is None or contract.customer_id != customer_id:
            return None
        summary = _summary(contract, site)
    current = f"{now:%Y-%m}"
    month = month or current
    if month > current:
        raise BadInput(f"month {month} has not begun yet: give {current} or an earlier month")
    start, end = month_window(month, site.tz)
    shown = [t for t in tickets.list_tickets(ctx, open_only=True) if t["contract"] == contract_id]
    return ContractPage(summary, month, f"{start - relativedelta(months=1):%Y-%m}",
                        None if month >= current else f"{end:%Y-%m}",
                        traffic.show(ctx, contract_id, month), sla.contract_report(ctx, contract_id, month), shown,
                        site.tz, now, (start, end))


def record(ctx: Context, action: str, detail: str) -> None:
    """One line in the audit log, written by the portal: who tried what, from where, and when."""
    with ctx.store.session() as s:
        site = load_site(s)
        audit.append(s, ctx.now(site), "portal", action, None, detail)
