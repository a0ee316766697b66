"""Every running clock of the site, most urgent first (`colo deadlines`); `--all` adds the closed ones,
each shown as what happened (met when, ended, notice issued with its stop time), not as time left."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from provision.domain.clocks import compute_clocks
from provision.domain.lifecycle import TRANSITIONS
from provision.services.context import Context, load_site
from provision.services.contracts import clock_view, facts, notice_stops
from provision.store.schema import Contract, ContractEvent, Customer, StopNotice

FINAL_STATES = [state.value for state, nxt in TRANSITIONS.items() if not nxt]


def deadlines(ctx: Context, include_closed: bool = False) -> list[dict[str, Any]]:
    """Open clocks (running or breached) sorted by deadline; closed ones too on request."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        contracts = s.execute(select(Contract, Customer.name).join(Customer)
                              .where(Contract.state.not_in(FINAL_STATES))).all()
        events: dict[str, list[ContractEvent]] = defaultdict(list)
        for event in s.scalars(select(ContractEvent).join(Contract)
                               .where(Contract.state.not_in(FINAL_STATES))
                               .order_by(ContractEvent.at, ContractEvent.id)):
            events[event.contract_id].append(event)
        running = select(Contract.id).where(Contract.state.not_in(FINAL_STATES))
        stops = notice_stops(s, StopNotice.contract_id.in_(running))
        rows = []
        for contract, customer in contracts:
            for clock in compute_clocks(facts(contract, events[contract.id], site), site.calendar, now):
                if include_closed or clock.status.is_open:
                    rows.append(clock_view(clock, site, stops.get(contract.id))
                                | {"customer": customer, "state": contract.state})
        rows.sort(key=lambda r: (r["deadline"], r["contract"], r["clock"]))
        return rows
