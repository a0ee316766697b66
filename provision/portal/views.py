"""What a logged-in customer may read, and the portal's lines in the audit log.

Every read starts from the customer of the session: a contract of another customer is
answered exactly as a contract that does not exist (None, which the face turns into 404),
so the portal never confirms that someone else's contract ID is real. Nothing here writes
except `record`, which appends a line to the audit log (a refused or accepted login).

One portal serves every site of the store. Customers and their portal credential are the
store's, a contract is one site's: each contract's page is read through a context of its
own site, so its times, calendar, traffic and SLA month are that site's. `colo --site X
portal serve` serves only site X's contracts. The portal's 'now' is one instant for all
sites (`pin_clock`), so two sites' pages never disagree about what time it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from provision.domain.sla import month_window
from provision.errors import BadInput
from provision.services.context import Context, load_site, parse_time, reader, site_id
from provision.services.monitoring import sla, tickets, traffic
from provision.services.people.authorization import PortalAccount
from provision.store import audit
from provision.store.schema import Contract, Customer, PortalCredential, SiteRow


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


def pin_clock(ctx: Context) -> Context:
    """The portal's context, checked before it serves: `--site` names a site, and `--at` is one instant.

    `--at` without an offset is read in the site's time; on a store of several sites served
    together that would be a different instant per site, so it must carry an offset there.
    """
    with ctx.store.reading() as conn:
        served = load_site(conn) if ctx.store.site is not None or _site_count(conn) == 1 else None
    if ctx.at is None:
        return ctx
    if served is None and _without_offset(ctx.at):
        raise BadInput(f"--at {ctx.at!r} has no UTC offset, and the store's sites each keep their own time: "
                       f"give one (e.g. {ctx.at.strip()}+08:00 or {ctx.at.strip()}Z), or serve one site with --site NAME")
    moment = ctx.now(served) if served is not None else parse_time(ctx.at, ZoneInfo("UTC"), "--at")
    return replace(ctx, at=moment.isoformat())


def _site_count(s: Any) -> int:
    return int(reader(s).scalar("SELECT count(*) FROM site"))


def _without_offset(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.strip()).tzinfo is None
    except ValueError:
        return False  # parse_time says what is wrong with it


def still_valid(ctx: Context, account: PortalAccount) -> bool:
    """The session's credential is still the customer's: setting a new one ends every older session."""
    with ctx.store.session() as s:
        row = s.get(PortalCredential, account.customer_id)
        return row is not None and row.set_at == account.credential_set_at


def home(ctx: Context, customer_id: int) -> dict[str, Any]:
    """The customer's name and contracts (of the served site, or of every site), in signing order."""
    with ctx.store.session() as s:
        sites = {row.id: row for row in s.scalars(select(SiteRow))}
        customer = s.get(Customer, customer_id)
        query = select(Contract).where(Contract.customer_id == customer_id).order_by(Contract.year, Contract.seq)
        if ctx.store.site is not None:
            query = query.where(Contract.site_id == site_id(s))
        several = len(sites) > 1
        return {"customer": customer.name if customer else "", "several_sites": several,
                "contracts": [_summary(c, sites[c.site_id], several) for c in s.scalars(query)]}


def _summary(c: Contract, site: SiteRow, several: bool) -> dict[str, Any]:
    """A contract as the customer's list shows it, signed in its own site's local time; its site is named only
    where the store holds several."""
    return {"id": c.id, "site": site.name if several else None, "state": c.state, "kind": c.kind, "quantity": c.quantity,
            "bandwidth_mbps": c.bandwidth_mbps,
            "signed_at": c.signed_at.astimezone(ZoneInfo(site.timezone)).isoformat(timespec="seconds")}


def contract_page(ctx: Context, customer_id: int, contract_id: str, month: str | None) -> ContractPage | None:
    """A contract of this customer for `month` (default: its site's current one); None for any other contract ID."""
    with ctx.store.session() as s:
        contract = s.get(Contract, contract_id)
        if contract is None or contract.customer_id != customer_id or (
                ctx.store.site is not None and contract.site_id != site_id(s)):
            return None
        row = s.get_one(SiteRow, contract.site_id)
        summary = _summary(contract, row, _site_count(s) > 1)
    here = replace(ctx, store=replace(ctx.store, site=row.name))  # everything below reads as that site
    with here.store.session() as s:
        site = load_site(s)
    now = here.now(site)
    current = f"{now:%Y-%m}"
    month = month or current
    if month > current:
        raise BadInput(f"month {month} has not begun yet: give {current} or an earlier month")
    start, end = month_window(month, site.tz)
    shown = [t for t in tickets.list_tickets(here, open_only=True) if t["contract"] == contract_id]
    return ContractPage(summary, month, f"{start - relativedelta(months=1):%Y-%m}",
                        None if month >= current else f"{end:%Y-%m}",
                        traffic.show(here, contract_id, month), sla.contract_report(here, contract_id, month), shown,
                        site.tz, now, (start, end))


def record(ctx: Context, action: str, detail: str) -> None:
    """One line in the audit log, written by the portal: who tried what, from where, and when (the pinned
    instant under `--at`, which needs no site: a login is the customer's, not one site's)."""
    with ctx.store.session() as s:
        audit.append(s, datetime.now(UTC) if ctx.at is None else datetime.fromisoformat(ctx.at), "portal", action,
                     None, detail)
