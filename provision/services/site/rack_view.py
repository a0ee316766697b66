"""One rack's elevation as `colo rack show` prints it: each unit free, held, reserved, unfed or whose.

An everyday read: SQLAlchemy Core over the light tables, no ORM (see store.tables).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from provision.errors import NotFound
from provision.services.context import Context, SiteInfo, iso, load_site
from provision.store.tables import CONTRACTS, CUSTOMERS, HOLDS, OUTLETS, PDUS, PLACEMENTS, RACKS, ROOMS, UNITS


def rack_missing(conn: Connection, site_id: int, name: str) -> NotFound:
    known = conn.scalars(select(RACKS.c.name).where(RACKS.c.site_id == site_id).order_by(RACKS.c.position)
                         .limit(12)).all()
    return NotFound(f"rack {name!r} is not in the store: use one of {', '.join(known)}"
                    f"{' …' if len(known) == 12 else ''} (see the inventory)")


def rack_view(ctx: Context, name: str) -> dict[str, Any]:
    with ctx.store.reading() as conn:
        site = load_site(conn)
        now = ctx.now(site)
        rack = conn.execute(select(RACKS).where(RACKS.c.site_id == site.id, RACKS.c.name == name)).first()
        if rack is None:
            raise rack_missing(conn, site.id, name)
        holds = {h.id: h for h in conn.execute(select(HOLDS).where(HOLDS.c.rack_id == rack.id))}
        live = (PLACEMENTS.c.rack_id == rack.id) & PLACEMENTS.c.released_at.is_(None)
        owners = {pid: (cid, customer) for pid, cid, customer in conn.execute(
            select(PLACEMENTS.c.id, CONTRACTS.c.id, CUSTOMERS.c.name)
            .join(CONTRACTS, CONTRACTS.c.id == PLACEMENTS.c.contract_id)
            .join(CUSTOMERS, CUSTOMERS.c.id == CONTRACTS.c.customer_id).where(live))}
        outlets = {oid: f"{pdu}:{n}" for oid, pdu, n in conn.execute(
            select(OUTLETS.c.id, PDUS.c.name, OUTLETS.c.number).join(PDUS, PDUS.c.id == OUTLETS.c.pdu_id)
            .join(UNITS, UNITS.c.outlet_id == OUTLETS.c.id).where(UNITS.c.rack_id == rack.id))}
        units = []
        for unit in conn.execute(select(UNITS).where(UNITS.c.rack_id == rack.id).order_by(UNITS.c.u.desc())):
            entry: dict[str, Any] = {"u": unit.u, "state": "free", "contract": None, "customer": None,
                                     "outlet": outlets.get(unit.outlet_id) if unit.outlet_id else None}
            hold = holds.get(unit.hold_id) if unit.hold_id else None
            if unit.reserved:
                entry["state"] = "reserved"
            elif unit.placement_id is not None:
                contract_id, customer = owners.get(unit.placement_id, (None, None))
                entry |= {"state": "occupied", "contract": contract_id, "customer": customer}
            elif hold is not None and hold.until > now:
                entry |= {"state": "held", "customer": hold.for_name, "hold": hold.id}
            elif unit.outlet_id is None:
                entry["state"] = "unfed"
            units.append(entry)
        committed = conn.scalar(select(func.coalesce(func.sum(PLACEMENTS.c.power_w), 0)).where(live)) or 0
        return {"rack": rack.name, "room": conn.scalar(select(ROOMS.c.name).where(ROOMS.c.id == rack.room_id)),
                "height_u": rack.height_u, "power_budget_w": rack.power_budget_w, "power_committed_w": committed,
                "units": units,
                "holds": [hold_view(h, site, now) for h in holds.values() if h.until > now]}


def hold_view(hold: Any, site: SiteInfo, now: datetime, units: list[int] | None = None) -> dict[str, Any]:
    view = {"hold": hold.id, "for": hold.for_name, "until": iso(hold.until, site),
            "created_by": hold.created_by, "active": hold.until > now}
    if units is not None:
        view["units"] = units
    return view
