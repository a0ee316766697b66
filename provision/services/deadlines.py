"""Every running clock of the site, most urgent first (`colo deadlines`); `--all` adds the closed ones,
each shown as what happened (met when, ended, notice issued with its stop time), not as time left.

An everyday read: plain SQL through store.rows, no SQLAlchemy (see store.tables)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from provision.domain.clocks import compute_clocks
from provision.domain.lifecycle import TRANSITIONS
from provision.services.context import Context, load_site
from provision.services.contract_view import clock_view, facts, notice_stops

FINAL_STATES = [state.value for state, nxt in TRANSITIONS.items() if not nxt]


def deadlines(ctx: Context, include_closed: bool = False) -> list[dict[str, Any]]:
    """Open clocks (running or breached) sorted by deadline; closed ones too on request."""
    with ctx.store.reading() as conn:
        site = load_site(conn)
        now = ctx.now(site)
        # this site's open contracts, on its calendar
        running = "contracts.state NOT IN :final AND contracts.site_id = :site"
        where = {"final": FINAL_STATES, "site": site.id}
        contracts = conn.rows("SELECT contracts.*, customers.name AS customer FROM contracts "
                              f"JOIN customers ON customers.id = contracts.customer_id WHERE {running}", **where)
        events: dict[str, list[Any]] = defaultdict(list)
        for event in conn.rows("SELECT contract_events.* FROM contract_events "
                               f"JOIN contracts ON contracts.id = contract_events.contract_id WHERE {running} "
                               "ORDER BY contract_events.at, contract_events.id", **where):
            events[event.contract_id].append(event)
        stops = notice_stops(conn, f"contract_id IN (SELECT id FROM contracts WHERE {running})", **where)
        rows = []
        for contract in contracts:
            for clock in compute_clocks(facts(contract, events[contract.id], site), site.calendar, now):
                if include_closed or clock.status.is_open:
                    rows.append(clock_view(clock, site, stops.get(contract.id))
                                | {"customer": contract.customer, "state": contract.state})
        rows.sort(key=lambda r: (r["deadline"], r["contract"], r["clock"]))
        return rows
