"""Every rack of the site unit by unit, for pictures (the HTML report's elevations).

`rack show` looks at one rack in detail; a picture needs all of them at once, so this
reads the whole site in two queries (racks, then units with their owners and holds)
however many racks and units there are, plus one for the customers of the contracts a
report names (the SLA report itself names contracts only).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from provision.services.context import Context, load_site
from provision.store.schema import Contract, Customer, Hold, Placement, Rack, Room, Unit

# What a unit can be, in the order a legend lists them.
STATES = ("occupied", "suspended", "held", "reserved", "free", "unfed")


@dataclass(frozen=True)
class UnitState:
    u: int
    state: str  # one of STATES
    contract: str | None = None
    holder: str | None = None  # the contract's customer, or the prospect a hold is for


@dataclass(frozen=True)
class RackElevation:
    name: str
    room: str
    height_u: int
    units: tuple[UnitState, ...]  # from U1 (bottom) up


@dataclass(frozen=True)
class SiteElevations:
    site: str
    tz: ZoneInfo
    as_of: datetime
    racks: tuple[RackElevation, ...]  # room by room, in inventory order
    customers: dict[str, str]  # contract id -> customer name, for the contracts asked about


def unit_state(reserved: bool, contract_state: str | None, hold_until: datetime | None, fed: bool,
               now: datetime) -> str:
    """The same precedence as `rack show`: reserved units are never placed, and a lapsed hold holds nothing."""
    if reserved:
        return "reserved"
    if contract_state is not None:
        return "suspended" if contract_state == "suspended" else "occupied"
    if hold_until is not None and hold_until > now:
        return "held"
    return "free" if fed else "unfed"


def site_elevations(ctx: Context, contracts: Collection[str] = ()) -> SiteElevations:
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        racks = s.execute(select(Rack.id, Rack.name, Room.name, Rack.height_u).join(Room)
                          .order_by(Room.position, Rack.position)).all()
        rows = s.execute(
            select(Unit.rack_id, Unit.u, Unit.reserved, Unit.outlet_id, Contract.id, Contract.state, Customer.name,
                   Hold.for_name, Hold.until)
            .outerjoin(Placement, (Placement.id == Unit.placement_id) & Placement.released_at.is_(None))
            .outerjoin(Contract, Contract.id == Placement.contract_id)
            .outerjoin(Customer, Customer.id == Contract.customer_id)
            .outerjoin(Hold, Hold.id == Unit.hold_id)
            .order_by(Unit.rack_id, Unit.u)).all()
        customers = dict(s.execute(select(Contract.id, Customer.name).join(Customer)
                                   .where(Contract.id.in_(contracts))).all()) if contracts else {}
    units: dict[int, list[UnitState]] = {}
    for rack_id, u, reserved, outlet, contract, contract_state, customer, prospect, until in rows:
        state = unit_state(reserved, contract_state, until, outlet is not None, now)
        holder = customer if contract else prospect if state == "held" else None
        units.setdefault(rack_id, []).append(UnitState(u, state, contract, holder))
    return SiteElevations(site.name, site.tz, now, tuple(
        RackElevation(name, room, height, tuple(units.get(rack_id, ()))) for rack_id, name, room, height in racks),
        customers)
