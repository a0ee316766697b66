"""Rack elevations and unit holds for prospective customers.

A hold marks specific units for a named prospect until a time. It blocks placement
for everyone else and needs no clean-up job: expiry is a comparison with 'now' in
every query, so an expired hold simply stops counting.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from provision.domain import refs
from provision.domain.bounds import one_line, within_reach
from provision.domain.placement import choose_units
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, load_site, lock_site, parse_time, reader, site_id
from provision.services.contracts import customer_key, iso
from provision.services.provisioning.allocation import placeable_unit
from provision.services.site.rack_view import hold_view, rack_missing
from provision.services.site_scope import elsewhere
from provision.store.schema import Hold, Placement, Rack, Room, Unit


def get_rack(s: Session, name: str) -> Rack:
    rack = s.scalar(select(Rack).where(Rack.site_id == site_id(s), Rack.name == name))
    if rack is None:
        raise rack_missing(reader(s), site_id(s), name)
    return rack


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
        lock_site(s)
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
        return hold_view(hold, site, now, chosen) | {"rack": rack.name}


def release_hold(ctx: Context, hold_id: int) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        hold = _own_hold(s, hold_id)
        units = [u.u for u in s.scalars(select(Unit).where(Unit.hold_id == hold.id).order_by(Unit.u))]
        for unit in s.scalars(select(Unit).where(Unit.hold_id == hold.id)):
            unit.hold_id = None
        lapsed = hold.until <= now  # released already by the clock: say so rather than report a release
        hold.until = min(hold.until, now)
        return hold_view(hold, site, now, units) | {"rack": s.scalar(select(Rack.name).where(Rack.id == hold.rack_id)),
                                                     "lapsed": lapsed}


def _own_hold(s: Session, text: str | int) -> Hold:
    """The hold numbered `text`, if its rack is this site's; another site's is named with its `--site`."""
    n = refs.number(text, "hold")
    hold = s.get(Hold, n)
    if hold is None:
        raise refs.missing("hold", n)
    rack_site = s.scalar(select(Rack.site_id).where(Rack.id == hold.rack_id))
    if rack_site != site_id(s):
        raise elsewhere(s, f"hold {refs.ref('hold', n)}", rack_site)
    return hold


def list_holds(ctx: Context, include_expired: bool = False) -> list[dict[str, Any]]:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        query = select(Hold, Rack.name).join(Rack).where(Rack.site_id == site_id(s)).order_by(Hold.until)
        if not include_expired:
            query = query.where(Hold.until > now)
        out = []
        for hold, rack in s.execute(query):
            units = [u for u in s.scalars(select(Unit.u).where(Unit.hold_id == hold.id).order_by(Unit.u))]
            out.append(hold_view(hold, site, now, units) | {"rack": rack})
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
        racks = (select(Rack, Room.name).join(Room, Room.id == Rack.room_id).where(Rack.site_id == site.id)
                 .order_by(Room.position, Rack.position))
        if room is not None:
            if s.scalar(select(Room.id).where(Room.site_id == site.id, Room.name == room)) is None:
                rooms = ", ".join(s.scalars(select(Room.name).where(Room.site_id == site.id).order_by(Room.position)))
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
    """One hold (H5 or 5), lapsed or not, as `hold list --all` shows it; another site's is named with its `--site`."""
    with ctx.store.session() as s:
        _own_hold(s, text)
    return refs.pick(list_holds(ctx, include_expired=True), "hold", text)
