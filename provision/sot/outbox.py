"""The write-back outbox: what a change owes the source of truth, written in the change's own transaction.

A contract change never waits for Nautobot: the service that signs, provisions, activates,
suspends, records a server or decommissions adds one row here, inside its transaction,
holding the contract's objects as the change left them (a snapshot, so a decommission still
names the addresses it returned). `colo sot sync` delivers the rows in order. A site
without a source of truth (no `sot_settings` row) gets no rows: one primary-key read per
change is all it costs.

Only SQLAlchemy and the schema are imported here: the services import this module, and
everyday commands must not pay for pynautobot.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from provision.services.contract_view import placements_view
from provision.sot.mapping import HOLDING
from provision.store.schema import Contract, Customer, SotOutbox, SotSettings


def snapshot(s: Session, contract: Contract) -> dict[str, Any]:
    """The contract's state, customer and every placement it still holds: rack, units, port, addresses, server."""
    customer = s.get(Customer, contract.customer_id)
    placements = [{k: v for k, v in p.items() if k not in ("released_at", "outlets")}
                  for p in placements_view(s, None, contract.id) if p["released_at"] is None]
    for p in placements:
        if p["server"]:
            p["server"] = {"serial": p["server"]["serial"], "mac": p["server"]["mac"]}
    return {"contract": contract.id, "state": contract.state, "customer": customer.name if customer else "",
            "placements": placements}


def enqueue(s: Session, contract: Contract, reason: str, at: datetime) -> None:
    """Owe the source of truth this contract's objects as they are now; nothing when the site has none."""
    if s.get(SotSettings, contract.site_id) is None:
        return
    state = snapshot(s, contract)
    if state["placements"] or state["state"] in HOLDING:  # a contract that returned everything owes nothing more
        s.add(SotOutbox(site_id=contract.site_id, contract_id=contract.id, reason=reason, created_at=at, attempts=0,
                        payload=json.dumps(state, sort_keys=True)))
