"""One rack's elevation as `colo rack show` prints it: each unit free, held, reserved, unfed or whose.

An everyday read: plain SQL through store.rows, no SQLAlchemy (see store.tables).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from provision.errors import NotFound
from provision.services.context import Context, SiteInfo, iso, load_site, reader


def rack_missing(s: Any, site_id: int, name: str) -> NotFound:
    known = reader(s).scalars("SELECT name FROM racks WHERE site_id = :site ORDER BY position LIMIT 12", site=site_id)
    return NotFound(f"rack {name!r} is not in the store: use one of {', '.join(known)}"
                    f"{' …' if len(known) == 12 else ''} (see the inventory)")


def rack_view(ctx: Context, name: str) -> dict[str, Any]:
    with ctx.store.reading() as conn:
        site = load_site(conn)
        now = ctx.now(site)
        rack = conn.first("SELECT * FROM racks WHERE site_id = :site AND name = :name", site=site.id, name=name)
        if rack is None:
            raise rack_missing(conn, site.id, name)
        holds = {h.id: h for h in conn.rows("SELECT * FROM holds WHERE rack_id = :rack", rack=rack.id)}
        live = "placements.rack_id = :rack AND placements.released_at IS NULL"
        owners = {pid: (cid, customer) for pid, cid, customer in conn.rows(
            "SELECT placements.id, contracts.id, customers.name FROM placements "
            "JOIN contracts ON contracts.id = placements.contract_id "
            f"JOIN customers ON customers.id = contracts.customer_id WHERE {live}", rack=rack.id)}
        outlets = {oid: f"{pdu}:{n}" for oid, pdu, n in conn.rows(
            "SELECT outlets.id, pdus.name, outlets.number FROM outlets JOIN pdus ON pdus.id = outlets.pdu_id "
            "JOIN units ON units.outlet_id = outlets.id WHERE units.rack_id = :rack", rack=rack.id)}
        units = []
        for unit in conn.rows("SELECT * FROM units WHERE rack_id = :rack ORDER BY u DESC", rack=rack.id):
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
        committed = conn.scalar(f"SELECT coalesce(sum(power_w), 0) FROM placements WHERE {live}", rack=rack.id) or 0
        return {"rack": rack.name, "room": conn.scalar("SELECT name FROM rooms WHERE id = :id", id=rack.room_id),
                "height_u": rack.height_u, "power_budget_w": rack.power_budget_w, "power_committed_w": committed,
                "units": units,
                "holds": [hold_view(h, site, now) for h in holds.values() if h.until > now]}


def hold_view(hold: Any, site: SiteInfo, now: datetime, units: list[int] | None = None) -> dict[str, Any]:
    view = {"hold": hold.id, "for": hold.for_name, "until": iso(hold.until, site),
            "created_by": hold.created_by, "active": hold.until > now}
    if units is not None:
        view["units"] = units
    return view
