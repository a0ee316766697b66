"""Rack elevations and unit holds for prospective customers.

A hold marks specific units for a named prospect until a time. It blocks placement
for everyone else and needs no clean-up job: expiry is a comparison with 'now' in
every query, so an expired hold simply stops counting.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from provision.domain import refs
from provision.domain.bounds import one_line, within_reach
from provision.domain.placement import choose_units
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, SiteInfo, load_site, parse_time
from provision.services.contracts import customer_key, iso
from provision.services.provisioning.allocation import placeable_unit
from provision.store.schema import Contract, Customer, Hold, Outlet, Pdu, Placement, Rack, Room, SiteRow, Unit


def get_rack(s: Session, name: str) -> Rack:
    rack = s.scalar(select(Rack).where(Rack.name == name))
    if rack is None:
        known = s.scalars(select(Rack.name).order_by(Rack.position).limit(12)).all()
        raise NotFound(f"rack {name!r} is not in the store: use one of {', '.join(known)}"
                       f"{' …' if len(known) == 12 else ''} (see the inventory)")
    return rack


def rack_view(ctx: Context, name: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        rack = get_rack(s, name)
        holds = {h.id: h for h in s.scalars(select(Hold).where(Hold.rack_id == rack.id))}
        owners = dict(s.execute(select(Placement.id, Contract.id).join(Contract)
                                .where(Placement.rack_id == rack.id, Placement.released_at.is_(None))).all())
        customers = dict(s.execute(select(Contract.id, Customer.name).join(Customer)
                                   .where(Contract.id.in_(set(owners.values())))).all())
        outlets = {oid: f"{pdu}:{n}" for oid, pdu, n in s.execute(
            select(Outlet.id, Pdu.name, Outlet.number).join(Pdu, Pdu.id == Outlet.pdu_id)
            .join(Unit, Unit.outlet_id == Outlet.id).where(Unit.rack_id == rack.id))}
        units = []
        for unit in s.scalars(select(Unit).where(Unit.rack_id == rack.id).order_by(Unit.u.desc())):
            entry: dict[str, Any] = {"u": unit.u, "state": "free", "contract": None, "customer": None,
                                     "outlet": outlets.get(unit.outlet_id) if unit.outlet_id else None}
            hold = holds.get(unit.hold_id) if unit.hold_id else None
            if unit.reserved:
                entry["state"] = "reserved"
            elif unit.placement_id is not None:
                contract_id = owners.get(unit.placement_id)
                entry |= {"state": "occupied", "contract": contract_id,
                          "customer": customers.get(contract_id) if contract_id else None}
            elif hold is not None and hold.until > now:
                entry |= {"state": "held", "customer": hold.for_name, "hold": hold.id}
            elif unit.outlet_id is None:
                entry["state"] = "unfed"
            units.append(entry)
        committed = s.scalar(select(func.coalesce(func.sum(Placement.power_w), 0))
                             .where(Placement.rack_id == rack.id, Placement.released_at.is_(None))) or 0
        return {"rack": rack.name, "room": s.scalar(select(Room.name).where(Room.id == rack.room_id)),
                "height_u": rack.height_u, "power_budget_w": rack.power_budget_w, "power_committed_w": committed,
                "units": units,
                "holds": [_hold_view(h, site, now) for h in holds.values() if h.until > now]}


def _hold_view(hold: Hold, site: SiteInfo, now: datetime, units: list[int] | None = None) -> dict[str, Any]:
    view = {"hold": hold.id, "for": hold.for_name, "until": iso(hold.until, site),
            "created_by": hold.created_by, "active": hold.until > now}
    if units is not None:
        view["units"] = units
    return view


def reserve(ctx: Context, rack_name: str, units: int, for_name: str, until: str) -> dict[str, Any]:
    """Hold `units` adjacent free units of a rack for a prospect until a time."""
    if not 1 <= units <= 60:
        raise BadInput(f"--units {units} is out of range: give 1 to 60")
    for_name = one_line("--for", for_name, "give the prospect's name")
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        deadline = parse_time(until, site.tz, "--until")
        if deadline <= now:
            raise BadInput(f"--until {iso(deadline, site)} is not in the future (now {iso(now, site)}): "
                           f"give when the hold should lapse")
        within_reach(deadline, now, "--until")
        s.execute(select(SiteRow.id).where(SiteRow.id == 1).with_for_update())
        rack = get_rack(s, rack_name)
        key = customer_key(for_name)
        free = {u.u: u for u in s.scalars(select(Unit).where(Unit.rack_id == rack.id, placeable_unit(key, now),
                                                           Unit.hold_id.is_(None) | (Unit.hold_id.in_(
                                                               select(Hold.id).where(Hold.until <= now)))))}
        if len(free) < units:
            raise Refused(f"rack {rack.name} has {len(free)} free fed units, {units} asked: "
                          f"hold fewer or choose another rack (`colo rack show {rack.name}`)")
        hold = Hold(rack_id=rack.id, for_name=" ".join(for_name.split()), for_key=key, until=deadline,
                    created_at=now, created_by=ctx.actor)
        s.add(hold)
        s.flush()
        chosen = choose_units(sorted(free), units)
        for u in chosen:
            free[u].hold_id = hold.id
        return _hold_view(hold, site, now, chosen) | {"rack": rack.name}


def release_hold(ctx: Context, hold_id: int) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        hold = s.get(Hold, hold_id)
        if hold is None:
            raise NotFound(f"hold {hold_id} does not exist: see `colo hold list`")
        units = [u.u for u in s.scalars(select(Unit).where(Unit.hold_id == hold.id).order_by(Unit.u))]
        for unit in s.scalars(select(Unit).where(Unit.hold_id == hold.id)):
            unit.hold_id = None
        lapsed = hold.until <= now  # released already by the clock: say so rather than report a release
        hold.until = min(hold.until, now)
        return _hold_view(hold, site, now, units) | {"rack": s.scalar(select(Rack.name).where(Rack.id == hold.rack_id)),
                                                     "lapsed": lapsed}


def list_holds(ctx: Context, include_expired: bool = False) -> list[dict[str, Any]]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(Hold, Rack.name).join(Rack).order_by(Hold.until)
        if not include_expired:
            query = query.where(Hold.until > now)
        out = []
        for hold, rack in s.execute(query):
            units = [u for u in s.scalars(select(Unit.u).where(Unit.hold_id == hold.id).order_by(Unit.u))]
            out.append(_hold_view(hold, site, now, units) | {"rack": rack})
        return out


def rack_list(ctx: Context, room: str | None = None) -> list[dict[str, Any]]:
    """Every rack's units by state and its power against the budget, in two aggregate queries.

    Units count with `rack show`'s precedence (elevations.unit_state): reserved, then
    used (suspended contracts included: they keep their units), then held by a live hold,
    then free if fed, unfed otherwise. Power is what placements commit; the store keeps
    no PDU reading (plans read the outlets live), so `power_measured_w` is null: not measured.
    """
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        racks = select(Rack, Room.name).join(Room, Room.id == Rack.room_id).order_by(Room.position, Rack.position)
        if room is not None:
            if s.scalar(select(Room.id).where(Room.name == room)) is None:
                rooms = ", ".join(s.scalars(select(Room.name).order_by(Room.position)))
                raise NotFound(f"--room {room!r} is not a room of this site: use one of {rooms}")
            racks = racks.where(Room.name == room)
        open_unit = Unit.reserved.is_(False) & Unit.placement_id.is_(None)
        held = open_unit & Hold.id.is_not(None) & (Hold.until > now)
        unheld = open_unit & or_(Hold.id.is_(None), Hold.until <= now)  # no NOT: a unit without a hold reads NULL
        counts = {row.rack_id: row for row in s.execute(
            select(Unit.rack_id,
                   func.sum(case((Unit.reserved.is_(True), 1), else_=0)).label("reserved"),
                   func.sum(case((Unit.reserved.is_(False) & Unit.placement_id.is_not(None), 1), else_=0)).label("used"),
                   func.sum(case((held, 1), else_=0)).label("held"),
                   func.sum(case((unheld & Unit.outlet_id.is_not(None), 1), else_=0)).label("free"),
                   func.sum(case((unheld & Unit.outlet_id.is_(None), 1), else_=0)).label("unfed"))
            .outerjoin(Hold, Hold.id == Unit.hold_id).group_by(Unit.rack_id))}
        committed = dict(s.execute(select(Placement.rack_id, func.sum(Placement.power_w))
                                   .where(Placement.released_at.is_(None)).group_by(Placement.rack_id)).all())
        out = []
        for rack, room_name in s.execute(racks):
            row = counts.get(rack.id)
            units = {k: int(getattr(row, k) or 0) if row else 0 for k in ("free", "used", "held", "reserved", "unfed")}
            power = int(committed.get(rack.id) or 0)
            out.append({"rack": rack.name, "room": room_name, "height_u": rack.height_u, "units": units,
                        "power_budget_w": rack.power_budget_w, "power_committed_w": power,
                        "power_measured_w": None, "power_headroom_w": rack.power_budget_w - power})
        return out


def show_hold(ctx: Context, text: str | int) -> dict[str, Any]:
    """One hold (H5 or 5), lapsed or not, as `hold list --all` shows it."""
    return refs.pick(list_holds(ctx, include_expired=True), "hold", text)
