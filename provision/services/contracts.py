"""Use cases on contracts: sign (with allocation), show, list, and state transitions.

Each use case is one transaction. Views are plain dicts with stable keys and ISO 8601
times in the site's timezone: the CLI's --json prints them as they are, the human
output and the Ansible modules read the same dicts.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from provision.domain.bounds import happened
from provision.domain.clocks import RULES, Clock, ContractFacts, Event, compute_clocks
from provision.domain.hardware import mac_colons, read_component
from provision.domain.lifecycle import HOLDS_RESOURCES, State, check_transition, event_kind
from provision.domain.money import parse_money
from provision.domain.terms import Customer as CustomerRecord
from provision.domain.terms import Kind, Payment, Terms, install_refund
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, SiteInfo, load_site, parse_time
from provision.services.provisioning.allocation import Request, allocate, reason_lines
from provision.store.schema import (
    Address,
    Contract,
    ContractEvent,
    Customer,
    Outlet,
    Pdu,
    Placement,
    Pool,
    Port,
    Rack,
    Room,
    Server,
    ServiceChange,
    SiteRow,
    StopNotice,
    Switch,
    Unit,
)

E = TypeVar("E", bound=Enum)


def iso(moment: datetime | None, site: SiteInfo) -> str | None:
    return None if moment is None else moment.astimezone(site.tz).isoformat(timespec="seconds")


def customer_key(name: str) -> str:
    return " ".join(name.split()).casefold()




@dataclass(frozen=True)
class SignOrder:
    """A signing as a technician or playbook states it: raw text where parsing needs the site."""

    customer: CustomerRecord
    kind: str
    quantity: int
    bandwidth_mbps: int
    fee: str
    payment: str
    ips: int | None = None
    term_months: int = 12
    power_w: int = 300
    signed_at: str | None = None
    room: str | None = None
    request_id: str | None = None
    install_fee: str | None = None  # CNY; none or 0: no install fee
    rack: str | None = None  # the one rack to place every server in; none: the allocator chooses

    def terms(self, site: SiteInfo, now: datetime) -> Terms:
        kind = _choice(Kind, self.kind, "--kind")
        signed_at = now if self.signed_at is None else parse_time(self.signed_at, site.tz, "--signed-at")
        return Terms(customer=self.customer, kind=kind, quantity=self.quantity, bandwidth_mbps=self.bandwidth_mbps,
                     ips=self.quantity if self.ips is None else self.ips, fee=parse_money(self.fee, "--fee"),
                     payment=_choice(Payment, self.payment, "--payment"), term_months=self.term_months,
                     signed_at=signed_at.astimezone(site.tz), power_w=self.power_w, room=self.room,
                     request_id=self.request_id, install_fee=_install_fee(self.install_fee))


def _install_fee(text: str | None) -> Decimal:
    """The install fee as given; 0 (or none) is a contract without one, which parse_money alone would refuse."""
    if text is None or re.fullmatch(r"0+(\.0{1,2})?", text.strip()):
        return Decimal("0.00")
    return parse_money(text, "--install-fee")


def _choice(enum: type[E], value: str, option: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not valid: use one of {', '.join(e.value for e in enum)}") from None


def _fingerprint(order: SignOrder) -> str:
    """The order as the caller stated it: a retry that again omits --signed-at is the same order.

    An order without an install fee or a rack hashes as it did before those existed, so a
    retry of a contract signed then is still recognised.
    """
    stated = {k: v for k, v in asdict(order).items() if not (k in ("install_fee", "rack") and v is None)}
    return hashlib.sha256(json.dumps(stated, sort_keys=True, default=str).encode()).hexdigest()


def sign(ctx: Context, order: SignOrder) -> dict[str, Any]:
    """Record the contract and allocate its servers, or change nothing.

    A repeated `request_id` with the same terms returns the first contract (safe
    retries from scripts and playbooks); with different terms it is refused.
    """
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        terms = order.terms(site, now)
        happened(terms.signed_at, now, "--signed-at")
        s.execute(select(SiteRow.id).where(SiteRow.id == 1).with_for_update())  # serialise allocators
        fingerprint = _fingerprint(order)
        if terms.request_id is not None:
            earlier = s.scalar(select(Contract).where(Contract.request_id == terms.request_id))
            if earlier is not None:
                if earlier.request_fingerprint != fingerprint:
                    raise Refused(f"--request-id {terms.request_id} already signed contract {earlier.id} with "
                                  f"different terms: use a new request id for a new contract")
                return contract_view(s, site, earlier, now) | {"allocation": _allocation(s, earlier.id),
                                                               "replayed": True}
        room_id = None
        if terms.room is not None:
            room_id = s.scalar(select(Room.id).where(Room.name == terms.room))
            if room_id is None:
                rooms = ", ".join(s.scalars(select(Room.name).order_by(Room.position)))
                raise NotFound(f"--room {terms.room!r} is not a room of this site: use one of {rooms}")
        rack_id = _chosen_rack(s, order.rack, room_id, terms.room)
        customer = _upsert_customer(s, terms)
        year = terms.signed_at.astimezone(site.tz).year
        seq = (s.scalar(select(func.max(Contract.seq)).where(Contract.year == year)) or 0) + 1
        contract = Contract(id=f"C{year}-{seq:04d}", year=year, seq=seq, customer_id=customer.id,
                            kind=terms.kind.value, quantity=terms.quantity, bandwidth_mbps=terms.bandwidth_mbps,
                            ips=terms.ips, fee=terms.fee, payment=terms.payment.value,
                            term_months=terms.term_months, power_w=terms.power_w, room_id=room_id,
                            state=State.SIGNED.value, signed_at=terms.signed_at, request_id=terms.request_id,
                            request_fingerprint=fingerprint, install_fee=terms.install_fee)
        s.add(contract)
        signed = ContractEvent(contract_id=contract.id, kind="signed", at=terms.signed_at, actor=ctx.actor,
                               months=0, detail="")
        s.add(signed)
        s.flush()
        placed = allocate(s, Request(contract.id, customer.id, customer.key, terms.kind, terms.quantity, terms.ips,
                                     terms.power_w, room_id, now, rack_id=rack_id))
        signed.detail = ALLOCATION_JOIN.join(reason_lines(placed))  # why, kept in the contract's history
        s.flush()
        return contract_view(s, site, contract, now) | {"allocation": _allocation(s, contract.id), "replayed": False}


ALLOCATION_JOIN = " / "  # between a signing's per-rack reasons; a reason itself may hold "; "


def _allocation(s: Session, contract_id: str) -> list[str]:
    """Why the signing put the servers where it did (`A03 U5-U6: held for Beta Cloud`), as its event recorded it.

    Read back from the history rather than recomputed, so a replayed request id says
    what the first signing decided; contracts signed before reasons were kept have none.
    """
    detail = s.scalar(select(ContractEvent.detail).where(ContractEvent.contract_id == contract_id,
                                                         ContractEvent.kind == "signed"))
    return detail.split(ALLOCATION_JOIN) if detail else []


def _chosen_rack(s: Session, name: str | None, room_id: int | None, room: str | None) -> int | None:
    """The rack `--rack` names, which must exist and lie in `--room` when both are given."""
    if name is None:
        return None
    rack = s.scalar(select(Rack).where(Rack.name == name.strip()))
    if rack is None:
        known = s.scalars(select(Rack.name).order_by(Rack.position).limit(12)).all()
        raise NotFound(f"--rack {name!r} is not a rack of this site: use one of {', '.join(known)}"
                       f"{' …' if len(known) == 12 else ''} (`colo rack list`)")
    if room_id is not None and rack.room_id != room_id:
        raise BadInput(f"--rack {rack.name} is not in --room {room}: give the rack alone, or a rack of that room")
    return rack.id


def _upsert_customer(s: Session, terms: Terms) -> Customer:
    """Customers are identified by name (case and spacing folded); given fields update the record."""
    record = {k: v for k, v in asdict(terms.customer).items() if v is not None}
    key = customer_key(terms.customer.name)
    customer = s.scalar(select(Customer).where(Customer.key == key))
    if customer is None:
        customer = Customer(key=key, **record)
        s.add(customer)
        s.flush()
    else:
        for field, value in record.items():
            setattr(customer, field, value)
    return customer


def transition(s: Session, contract: Contract, target: State, at: datetime, actor: str, detail: str = "") -> None:
    """Move a contract along its life, recording the event the clocks read.

    Leaving the states that hold resources returns slot, port and addresses to the
    pools (DOMAIN §5); addresses first sit in quarantine so a former customer's
    traffic, DNS and reputation never land on the next one.
    """
    current = State(contract.state)
    check_transition(contract.id, current, target)
    contract.state = target.value
    if current in HOLDS_RESOURCES and target not in HOLDS_RESOURCES:
        site = s.get(SiteRow, 1)
        assert site is not None
        freed = release(s, contract.id, at, timedelta(days=site.quarantine_days))
        detail = "; ".join(filter(None, [detail, f"released {freed}"]))
    s.add(ContractEvent(contract_id=contract.id, kind=event_kind(current, target), at=at, actor=actor, months=0, detail=detail))


def release(s: Session, contract_id: str, at: datetime, quarantine: timedelta) -> str:
    """Free the contract's units and ports now, its addresses after the quarantine; say what was freed.

    The summary goes into the event, so `contract show` still tells where the
    servers were after the rows are handed to the next customer.
    """
    freed = []
    for p in placements_view(s, None, contract_id):
        if p["released_at"] is None:
            port = f" {p['port']['switch']} {p['port']['interface']}" if p["port"] else ""
            freed.append(f"{p['rack']} U{','.join(map(str, p['units']))}{port} "
                         + " ".join(a["ip"] for a in p["addresses"]))
    held = select(Placement.id).where(Placement.contract_id == contract_id, Placement.released_at.is_(None))
    s.execute(update(Unit).where(Unit.placement_id.in_(held)).values(placement_id=None))
    s.execute(update(Port).where(Port.placement_id.in_(held)).values(placement_id=None))
    s.execute(update(Address).where(Address.placement_id.in_(held))
              .values(placement_id=None, quarantine_until=at + quarantine))
    s.execute(update(Placement).where(Placement.contract_id == contract_id, Placement.released_at.is_(None))
              .values(released_at=at).execution_options(synchronize_session=False))
    return "; ".join(s.strip() for s in freed)


def get_contract(s: Session, contract_id: str) -> Contract:
    contract = s.get(Contract, contract_id.strip().upper())
    if contract is None:
        raise NotFound(f"contract {contract_id!r} does not exist: see `colo contract list` for ids like C2026-0001")
    return contract


def show(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        site = load_site(s)
        return contract_view(s, site, get_contract(s, contract_id), ctx.now(site))


def list_contracts(ctx: Context, state: str | None = None) -> list[dict[str, Any]]:
    if state is not None and state not in {st.value for st in State}:
        raise BadInput(f"--state {state!r} is not a contract state: use one of {', '.join(st.value for st in State)}")
    with ctx.store.session() as s:
        site = load_site(s)
        query = select(Contract, Customer.name).join(Customer).order_by(Contract.year, Contract.seq)
        if state is not None:
            query = query.where(Contract.state == state)
        return [{"id": c.id, "state": c.state, "customer": name, "kind": c.kind, "quantity": c.quantity,
                 "bandwidth_mbps": c.bandwidth_mbps, "signed_at": iso(c.signed_at, site)}
                for c, name in s.execute(query)]


def facts(contract: Contract, events: list[ContractEvent], site: SiteInfo) -> ContractFacts:
    return ContractFacts(contract.id, contract.term_months,
                         tuple(Event(e.kind, e.at.astimezone(site.tz), e.ref, e.months) for e in events), contract.kind)


def clock_view(clock: Clock, site: SiteInfo, notice_stops: dict[datetime, datetime] | None = None) -> dict[str, Any]:
    """`notice_stops`: the contract's stop-service notices, issue time → the stop time they list."""
    return {"contract": clock.contract_id, "clock": clock.rule.key, "title": clock.rule.title,
            "clause": clock.rule.clause, "ref": clock.ref, "started_at": iso(clock.started_at, site),
            "deadline": iso(clock.deadline, site), "status": clock.status.value,
            "stopped_at": iso(clock.stopped_at, site), "seconds_left": int(clock.time_left.total_seconds()),
            "on_breach": clock.rule.on_breach, "closed": _closed(clock, site, notice_stops or {})}


def _closed(clock: Clock, site: SiteInfo, notice_stops: dict[datetime, datetime]) -> dict[str, Any] | None:
    """How a closed clock ended, as the fact it is: when, and what that was (an end, a notice and its stop time)."""
    if clock.stopped_at is None:
        return None
    stop_at = notice_stops.get(clock.stopped_at) if clock.rule.key == "stop-notice" else None
    outcome = ("ended" if clock.rule.key == "term" else "notice issued" if stop_at
               else "paid" if clock.rule.key == "stop-notice" else clock.status.value)
    return {"at": iso(clock.stopped_at, site), "outcome": outcome, "stop_at": iso(stop_at, site)}


def notice_stops(s: Session, which: Any) -> dict[str, dict[datetime, datetime]]:
    """Per contract (`which`: a condition on StopNotice), each stop-service notice's issue time and the stop
    time it lists (for `clock_view`)."""
    found: dict[str, dict[datetime, datetime]] = {}
    for n in s.scalars(select(StopNotice).where(which)):
        found.setdefault(n.contract_id, {})[n.issued_at] = n.stop_at
    return found


def _install_status(clocks: list[Clock]) -> str | None:
    return next((c.status.value for c in clocks if c.rule.key == "install"), None)


def install_clock(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> Clock | None:
    events = list(s.scalars(select(ContractEvent).where(ContractEvent.contract_id == contract.id)))
    clocks = compute_clocks(facts(contract, events, site), site.calendar, now,
                            [r for r in RULES if r.key == "install"])
    return clocks[0] if clocks else None


def install_refund_due(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> str | None:
    """The install fee refund the contract is owed (SLA §3.2), in words, or None."""
    clock = install_clock(s, site, contract, now)
    return install_refund(contract.install_fee, clock.status.value if clock else None)


def contract_view(s: Session, site: SiteInfo, contract: Contract, now: datetime) -> dict[str, Any]:
    from provision.services.money.payments import refund_view  # money builds on contracts, not the other way

    customer = s.get(Customer, contract.customer_id)
    assert customer is not None
    events = list(s.scalars(select(ContractEvent).where(ContractEvent.contract_id == contract.id)
                            .order_by(ContractEvent.at, ContractEvent.id)))
    clocks = compute_clocks(facts(contract, events, site), site.calendar, now)
    deadline = {c.rule.key: c.deadline for c in clocks}
    stops = notice_stops(s, StopNotice.contract_id == contract.id).get(contract.id)
    room = s.get(Room, contract.room_id) if contract.room_id else None
    return {
        "id": contract.id,
        "state": contract.state,
        "customer": customer.name,
        "customer_record": {k: getattr(customer, k) for k in ("id_number", "address", "phone", "mobile", "im",
                                                              "email", "admin_name", "admin_id_number",
                                                              "admin_phone", "purpose")},
        "kind": contract.kind,
        "slots" if contract.kind != Kind.RACK.value else "racks": contract.quantity,
        "bandwidth_mbps": contract.bandwidth_mbps,
        "ips": contract.ips,
        "fee": str(contract.fee),
        "payment": contract.payment,
        "term_months": contract.term_months,
        "power_w": contract.power_w,
        "room": room.name if room else None,
        "signed_at": iso(contract.signed_at, site),
        "install_deadline": iso(deadline.get("install"), site),
        "install_fee": str(contract.install_fee),
        "install_refund": install_refund(contract.install_fee, _install_status(clocks)),
        "refund": refund_view(s, site, contract, now),
        "payment_due": iso(deadline.get("payment"), site),
        "term_end": iso(deadline.get("term"), site),
        "request_id": contract.request_id,
        "service_rep": contract.service_rep,
        "engineer": contract.engineer,
        "stop_reason": contract.stop_reason,
        "placements": placements_view(s, site, contract.id),
        "service_changes": [change_view(r, site) for r in s.scalars(
            select(ServiceChange).where(ServiceChange.contract_id == contract.id).order_by(ServiceChange.id))],
        "clocks": [clock_view(c, site, stops) for c in clocks],
        "events": [{"kind": e.kind, "at": iso(e.at, site), "actor": e.actor, "ref": e.ref, "detail": e.detail}
                   for e in events],
    }


def change_view(row: ServiceChange, site: SiteInfo) -> dict[str, Any]:
    pairs = (("bandwidth_mbps", row.bandwidth_before, row.bandwidth_after), ("ips", row.ips_before, row.ips_after),
             ("slots", row.slots_before, row.slots_after), ("fee", str(row.fee_before), str(row.fee_after)))
    return {"change": row.id, "contract": row.contract_id, "at": iso(row.at, site), "actor": row.actor,
            "request_id": row.request_id, "operation": row.operation_id,
            "terms": [{"term": t, "before": b, "after": a} for t, b, a in pairs],
            "fee_from": iso(row.fee_from, site), "fee_from_period": row.fee_from_period + 1, "detail": row.detail}


def _parts(server: Server) -> list[dict[str, Any]]:
    """Each recorded part as a model and a count (hosting §1.1)."""
    listed = [("cpu", server.cpu), ("board", server.board), ("memory", server.memory),
              *(("disk", d) for d in server.disks.split("; "))]
    return [{"part": part, "model": c.model, "count": c.count}
            for part, text in listed if text for c in [read_component(text)]]


def placements_view(s: Session, site: SiteInfo | None, contract_id: str) -> list[dict[str, Any]]:
    out = []
    for p in s.scalars(select(Placement).where(Placement.contract_id == contract_id).order_by(Placement.position)):
        rack = s.get(Rack, p.rack_id)
        assert rack is not None
        units = list(s.scalars(select(Unit).where(Unit.placement_id == p.id).order_by(Unit.u)))
        outlets = s.execute(select(Pdu.name, Outlet.number).join(Outlet, Outlet.pdu_id == Pdu.id)
                            .where(Outlet.id.in_([u.outlet_id for u in units if u.outlet_id]))
                            .order_by(Pdu.name, Outlet.number)).all()
        port = s.execute(select(Switch.name, Switch.platform, Port.name).join(Port, Port.switch_id == Switch.id)
                         .where(Port.placement_id == p.id)).first()
        server = s.get(Server, p.id)
        addresses = s.execute(select(Address.ip, Pool.prefix, Pool.gateway, Pool.vlan)
                              .join(Pool, Pool.id == Address.pool_id)
                              .where(Address.placement_id == p.id).order_by(Address.ip_int)).all()
        out.append({
            "position": p.position,
            "rack": rack.name,
            "room": s.scalar(select(Room.name).where(Room.id == rack.room_id)),
            "units": [u.u for u in units],
            "power_w": p.power_w,
            "outlets": [{"pdu": pdu, "outlet": n} for pdu, n in outlets],
            "port": {"switch": port[0], "platform": port[1], "interface": port[2]} if port else None,
            "addresses": [{"ip": ip, "prefix_len": int(prefix.split("/")[1]), "gateway": gw, "vlan": vlan}
                          for ip, prefix, gw, vlan in addresses],
            "server": None if server is None else {
                "serial": server.serial, "mac": mac_colons(server.mac), "cpu": server.cpu, "board": server.board,
                "memory": server.memory, "disks": [d for d in server.disks.split("; ") if d],
                "parts": _parts(server), "recorded_by": server.recorded_by},
            "released_at": iso(p.released_at, site) if site else p.released_at,
        })
    return out
