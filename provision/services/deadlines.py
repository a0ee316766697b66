"""Every running clock of the site, most urgent first (`colo deadlines`); `--all` adds the closed ones,
each shown as what happened (met when, ended, notice issued with its stop time), not as time left.

An everyday read: SQLAlchemy Core over the light tables, no ORM (see store.tables)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from provision.domain.clocks import compute_clocks
from provision.domain.lifecycle import TRANSITIONS
from provision.services.context import Context, load_site
from provision.services.contract_view import clock_view, facts, notice_stops
from provision.store.tables import CONTRACT_EVENTS, CONTRACTS, CUSTOMERS, STOP_NOTICES

FINAL_STATES = [state.value for state, nxt in TRANSITIONS.items() if not nxt]


def deadlines(ctx: Context, include_closed: bool = False) -> list[dict[str, Any]]:
    """Open clocks (running or breached) sorted by deadline; closed ones too on request."""
    with ctx.store.reading() as conn:
        site = load_site(conn)
        now = ctx.now(site)
        # this site's open contracts, on its calendar
        running = CONTRACTS.c.state.not_in(FINAL_STATES) & (CONTRACTS.c.site_id == site.id)
        contracts = conn.execute(select(CONTRACTS, CUSTOMERS.c.name.label("customer"))
                                 .join(CUSTOMERS, CUSTOMERS.c.id == CONTRACTS.c.customer_id).where(running)).all()
        events: dict[str, list[Any]] = defaultdict(list)
        for event in conn.execute(select(CONTRACT_EVENTS).join(CONTRACTS, CONTRACTS.c.id == CONTRACT_EVENTS.c.contract_id)
                                  .where(running).order_by(CONTRACT_EVENTS.c.at, CONTRACT_EVENTS.c.id)):
            events[event.contract_id].append(event)
        stops = notice_stops(conn, STOP_NOTICES.c.contract_id.in_(select(CONTRACTS.c.id).where(running)))
        rows = []
        for contract in contracts:
            for clock in compute_clocks(facts(contract, events[contract.id], site), site.calendar, now):
                if include_closed or clock.status.is_open:
                    rows.append(clock_view(clock, site, stops.get(contract.id))
                                | {"customer": contract.customer, "state": contract.state})
        rows.sort(key=lambda r: (r["deadline"], r["contract"], r["clock"]))
        return rows
