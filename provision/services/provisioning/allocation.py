"""Allocation: slot, port, address and outlet for each server of a contract.

Policy (deterministic for the same store state):
- racks already holding the customer (placements or a hold for them) come first,
  then racks in inventory order (first fit: keeps whole racks free for rack
  customers and cabling short);
- all of a contract's servers go into one rack when one rack can take them, on
  adjacent units; otherwise they are spread over as few racks as the order gives;
- a unit qualifies when it is not reserved, not taken, fed by an outlet, and not
  held for somebody else; the rack must have power headroom for the server, a free
  access port on a switch serving it, and free addresses in a pool serving it;
- units held for the customer are used before their other free units;
- `--rack` names the one rack to use: all servers go there, or nothing is allocated.

Every placement says why its rack was chosen (domain.placement.rack_reason).

Safety: the caller holds the site-row lock (PostgreSQL row lock; SQLite BEGIN
IMMEDIATE), and every claim is a conditional UPDATE whose row count is checked, so a
resource can never be handed out twice even if two allocators raced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from provision.domain.placement import choose_units, rack_capacity, rack_reason, units_text
from provision.domain.terms import Kind
from provision.errors import OperationFailed, Refused
from provision.services.context import site_id
from provision.store.schema import Address, Contract, Hold, Placement, Pool, PoolRack, Port, Rack, SwitchRack, Unit


@dataclass(frozen=True)
class Request:
    contract_id: str
    customer_id: int
    customer_key: str
    kind: Kind
    servers: int
    ips: int
    power_w: int
    room_id: int | None
    now: datetime
    first_position: int = 0  # a service change adds servers after the contract's existing ones
    rack_id: int | None = None  # the one rack to use (`contract sign --rack`)

    def ips_for(self, index: int) -> int:
        """Addresses for server `index`: spread evenly, the first servers get the remainder."""
        base, extra = divmod(self.ips, self.servers)
        return base + (1 if index < extra else 0)


@dataclass
class _Capacity:
    rack: Rack
    units: list[Unit]
    headroom_w: int
    ports: list[int]
    empty: bool  # no placement and every usable unit free: what a whole-rack order needs

    def servers(self, req: Request, first: int, addresses_free: int) -> tuple[int, str | None]:
        """How many servers, starting at index `first`, this rack can take, and what stops more."""
        return rack_capacity(len(self.units), len(self.ports), self.headroom_w, req.power_w, addresses_free,
                             [req.ips_for(i) for i in range(first, req.servers)], req.kind is Kind.RACK, self.empty)


@dataclass
class Placed:
    """One server placed, and why there."""

    placement: Placement
    rack: str
    units: list[int]
    reason: str


def reason_lines(placed: list[Placed]) -> list[str]:
    """One line per rack, as technicians read it: `A03 U5-U6: held for Beta Cloud`."""
    lines: dict[tuple[str, str], list[int]] = {}
    for p in placed:
        lines.setdefault((p.rack, p.reason), []).extend(p.units)
    return [f"{rack} {units_text(units)}: {reason}" for (rack, reason), units in lines.items()]


@dataclass
class _Customer:
    """What the customer already has on the site: racks with its contracts, and its holds."""

    beside: dict[int, str]  # rack id → the customer's first contract there
    held: dict[int, str]  # rack id → the name its units are held for
    holds: set[int]  # the customer's live holds

    @classmethod
    def read(cls, session: Session, req: Request) -> _Customer:
        beside = dict(session.execute(
            select(Placement.rack_id, func.min(Contract.id)).join(Contract, Contract.id == Placement.contract_id)
            .where(Contract.customer_id == req.customer_id, Placement.released_at.is_(None),
                   Contract.id != req.contract_id).group_by(Placement.rack_id)).all())
        holds = session.execute(select(Hold.id, Hold.rack_id, Hold.for_name)
                                .where(Hold.for_key == req.customer_key, Hold.until > req.now)).all()
        return cls(beside, {rack: name for _, rack, name in holds}, {hold for hold, _, _ in holds})

    @property
    def racks(self) -> set[int]:
        return set(self.beside) | set(self.held)

    def reason(self, rack: Rack, used_hold: bool, req: Request, passed: list[tuple[str, str]]) -> str:
        return rack_reason(self.held.get(rack.id) if used_hold else None, self.beside.get(rack.id),
                           req.rack_id is not None, passed)


def hold_allows(customer_key: str, now: datetime):  # type: ignore[no-untyped-def]
    """SQL condition: the unit is not held, its hold expired, or it is held for this customer."""
    foreign = select(Hold.id).where(Hold.until > now, Hold.for_key != customer_key)
    return or_(Unit.hold_id.is_(None), Unit.hold_id.not_in(foreign))


def placeable_unit(customer_key: str, now: datetime):  # type: ignore[no-untyped-def]
    return and_(Unit.placement_id.is_(None), Unit.reserved.is_(False), Unit.outlet_id.is_not(None),
                hold_allows(customer_key, now))


def allocate(session: Session, req: Request) -> list[Placed]:
    """Place every server of the request or raise Refused; the caller holds the site lock.

    Racks are claimed one after another inside the caller's transaction, so the next
    rack's capacity already sees the ports and addresses the previous one took (two
    racks often share a switch and a pool); a refusal rolls all of it back.
    """
    customer = _Customer.read(session, req)
    if req.rack_id is not None:
        return _in_rack(session, req, customer)
    passed: list[tuple[str, str]] = []  # racks looked at and left, with why: the reason names them
    if req.servers > 1 and req.kind is not Kind.RACK:
        looked: list[tuple[str, str, int]] = []
        for cap in _capacities(session, req, customer.racks):
            take, why = cap.servers(req, 0, _free_address_count(session, req, cap.rack, 0))
            if take == req.servers:
                return _claim(session, req, cap, take, 0, customer, [(rack, what) for rack, what, _ in looked])
            looked.append((cap.rack.name, f"room for {take} of {req.servers}" if take else str(why), take))
        passed = [(rack, what) for rack, what, take in looked if not take]  # spread: the partial racks are used
    placements: list[Placed] = []
    for cap in _capacities(session, req, customer.racks):
        take, why = cap.servers(req, len(placements),
                                _free_address_count(session, req, cap.rack, len(placements)))
        if take:
            placements += _claim(session, req, cap, take, len(placements), customer, passed)
        elif (cap.rack.name, str(why)) not in passed:
            passed.append((cap.rack.name, str(why)))
        if len(placements) == req.servers:
            return placements
    what = "empty racks" if req.kind is Kind.RACK else "slots"
    raise Refused(f"no room for {req.servers} {what} (found {len(placements)}): every qualifying rack is out of "
                  f"free fed units, power headroom, access ports or addresses; add capacity to the inventory, "
                  f"wait for a hold to expire, or sign fewer")


def _in_rack(session: Session, req: Request, customer: _Customer) -> list[Placed]:
    """All servers in the rack the technician chose, or a refusal saying what that rack lacks."""
    rack = session.get(Rack, req.rack_id)
    assert rack is not None
    cap = _capacity(session, req, rack)
    take, why = cap.servers(req, 0, _free_address_count(session, req, rack, 0))
    if take < req.servers:
        what = "an empty rack" if req.kind is Kind.RACK else f"{req.servers} server(s)"
        raise Refused(f"--rack {rack.name} cannot take {what}: {why} (room for {take}); nothing was allocated — "
                      f"choose another rack (`colo rack list`) or leave --rack out")
    return _claim(session, req, cap, take, 0, customer, [])


def _candidate_racks(session: Session, req: Request, own: set[int]) -> Iterator[Rack]:
    """Customer racks first, then the rest in inventory order, paged by position."""
    has_room = select(Unit.id).where(Unit.rack_id == Rack.id, placeable_unit(req.customer_key, req.now)).exists()
    base = select(Rack).where(has_room, Rack.site_id == site_id(session))  # never another site's rack
    if req.room_id is not None:
        base = base.where(Rack.room_id == req.room_id)
    if own:
        yield from session.scalars(base.where(Rack.id.in_(own)).order_by(Rack.position))
    position = -1
    while True:
        page = list(session.scalars(base.where(Rack.position > position, Rack.id.not_in(own))
                                    .order_by(Rack.position).limit(16)))
        yield from page
        if len(page) < 16:
            return
        position = page[-1].position


def _capacities(session: Session, req: Request, own: set[int]) -> Iterator[_Capacity]:
    for rack in _candidate_racks(session, req, own):
        yield _capacity(session, req, rack)


def _capacity(session: Session, req: Request, rack: Rack) -> _Capacity:
    units = list(session.scalars(select(Unit).where(Unit.rack_id == rack.id,
                                                    placeable_unit(req.customer_key, req.now)).order_by(Unit.u)))
    committed = session.scalar(select(func.coalesce(func.sum(Placement.power_w), 0)).where(
        Placement.rack_id == rack.id, Placement.released_at.is_(None))) or 0
    empty = True
    if req.kind is Kind.RACK:
        usable = session.scalar(select(func.count()).where(Unit.rack_id == rack.id, Unit.reserved.is_(False)))
        empty = not committed and len(units) == usable
    ports: list[int] = []
    for switch_id in _serving(session, SwitchRack.switch_id, SwitchRack.rack_id, rack.id):
        ports += session.scalars(select(Port.id).where(Port.switch_id == switch_id, Port.placement_id.is_(None))
                                 .order_by(Port.position).limit(req.servers - len(ports)))
        if len(ports) == req.servers:
            break
    return _Capacity(rack, units, rack.power_budget_w - committed, ports, empty)


def _serving(session: Session, column: Any, rack_column: Any, rack_id: int) -> list[int]:
    """Switches or pools serving a rack, looked up first so each one is then read on its own index.

    Joining the link table into the port or address query lets SQLite's planner scan
    the whole address table (262k rows on a /14: 90 ms a call); one indexed query
    per serving switch or pool stays flat however large the site grows.
    """
    return list(session.scalars(select(column).where(rack_column == rack_id).order_by(column)))


def _free_addresses(session: Session, req: Request, rack: Rack, limit: int) -> list[int]:
    found: list[int] = []
    for pool_id in _serving(session, PoolRack.pool_id, PoolRack.rack_id, rack.id) if limit else []:
        found += _free_in_pool(session, pool_id, req.now, limit - len(found))
        if len(found) == limit:
            break
    return found


def _free_in_pool(session: Session, pool_id: int, now: datetime, limit: int) -> list[int]:
    """Free addresses of one pool, lowest first: not held, not reserved, out of quarantine."""
    return list(session.scalars(
        select(Address.id).where(Address.pool_id == pool_id, Address.placement_id.is_(None),
                                 Address.reserved.is_(False),
                                 or_(Address.quarantine_until.is_(None), Address.quarantine_until <= now))
        .order_by(Address.ip_int).limit(limit)))


def add_addresses(session: Session, placement_id: int, count: int, now: datetime) -> None:
    """Give a placed server `count` more addresses from the pool its first address came from, or raise Refused.

    The same pool keeps the port in one VLAN and the server on one gateway; the same
    rules as signing apply (reserved and quarantined addresses are not free), under the
    caller's site lock, claimed with the same conditional UPDATE.
    """
    pool = session.scalar(select(Pool).join(Address, Address.pool_id == Pool.id)
                          .where(Address.placement_id == placement_id).order_by(Address.ip_int).limit(1))
    if pool is None:
        raise Refused(f"placement {placement_id} has no address, so no pool to add to: fix the contract's records")
    free = _free_in_pool(session, pool.id, now, count)
    if len(free) < count:
        raise Refused(f"pool {pool.name} has {len(free)} free address(es), {count} asked: nothing was allocated; "
                      f"ask for fewer or add addresses to the pool in the inventory")
    _claim_rows(session, Address, free, placement_id)


def _free_address_count(session: Session, req: Request, rack: Rack, first: int) -> int:
    wanted = sum(req.ips_for(i) for i in range(first, req.servers))
    return len(_free_addresses(session, req, rack, wanted))


def _claim(session: Session, req: Request, cap: _Capacity, take: int, first: int, customer: _Customer,
           passed: list[tuple[str, str]]) -> list[Placed]:
    """Claim `take` servers' units, ports and addresses in one rack, numbering from `first`.

    Units held for the customer go first (that is what the hold was for), the rest of
    the rack's free units after them, each part adjacent where it can be.
    """
    free = {u.u: u for u in cap.units}
    if req.kind is Kind.RACK:
        groups = [sorted(free)]
    else:
        held = sorted(u.u for u in cap.units if u.hold_id in customer.holds)
        first_held = choose_units(held, min(take, len(held)))
        rest = choose_units(sorted(set(free) - set(held)), take - len(first_held))
        groups = [[u] for u in sorted(first_held + rest)]
    used_hold = any(free[u].hold_id in customer.holds for group in groups for u in group)
    reason = customer.reason(cap.rack, used_hold, req, passed)
    addresses = _free_addresses(session, req, cap.rack, sum(req.ips_for(first + k) for k in range(take)))
    placements = []
    for k, group in enumerate(groups):
        index = first + k
        power = cap.rack.power_budget_w if req.kind is Kind.RACK else req.power_w
        placement = Placement(contract_id=req.contract_id, position=req.first_position + index, rack_id=cap.rack.id,
                              power_w=power)
        session.add(placement)
        session.flush()
        mine, addresses = addresses[:req.ips_for(index)], addresses[req.ips_for(index):]
        _claim_rows(session, Unit, [free[u].id for u in group], placement.id, clear_hold=True)
        _claim_rows(session, Port, [cap.ports[k]], placement.id)
        _claim_rows(session, Address, mine, placement.id)
        placements.append(Placed(placement, cap.rack.name, group, reason))
    return placements


def _claim_rows(session: Session, model: type, ids: list[int], placement_id: int, clear_hold: bool = False) -> None:
    values: dict[str, object] = {"placement_id": placement_id}
    if clear_hold:
        values["hold_id"] = None
    if model is Address:
        values["quarantine_until"] = None
    result = session.execute(update(model).where(model.id.in_(ids), model.placement_id.is_(None))  # type: ignore[attr-defined]
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        raise OperationFailed(f"allocation raced another writer on {model.__tablename__}: nothing was saved, "  # type: ignore[attr-defined]
                              f"run the command again")
