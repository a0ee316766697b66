"""Use cases on contracts: sign (with allocation), show, list, and state transitions.

Each use case is one transaction. Views are plain dicts with stable keys and ISO 8601
times in the site's timezone: the CLI's --json prints them as they are, the human
output and the Ansible modules read the same dicts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from provision.domain.bounds import happened
from provision.domain.lifecycle import HOLDS_RESOURCES, State, check_transition, event_kind
from provision.domain.terms import Terms, customer_key
from provision.errors import BadInput, NotFound, Refused
from provision.services.context import Context, iso, load_site, lock_site, reader, site_id
from provision.services.contract_view import contract_missing, contract_view, other_site, placements_view
from provision.services.orders import SignOrder
from provision.services.provisioning.allocation import Request, allocate, reason_lines
from provision.sot import outbox
from provision.store.schema import (
    Address,
    Contract,
    ContractEvent,
    Customer,
    Placement,
    Port,
    Rack,
    Room,
    SiteRow,
    Unit,
)


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
        lock_site(s)  # serialise this site's allocators
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
            room_id = s.scalar(select(Room.id).where(Room.site_id == site.id, Room.name == terms.room))
            if room_id is None:
                rooms = ", ".join(s.scalars(select(Room.name).where(Room.site_id == site.id).order_by(Room.position)))
                raise NotFound(f"--room {terms.room!r} is not a room of this site: use one of {rooms}")
        rack_id = _chosen_rack(s, order.rack, room_id, terms.room)
        customer = _upsert_customer(s, terms)
        contract = _numbered(s, terms.signed_at.astimezone(site.tz).year, dict(
            site_id=site.id, customer_id=customer.id,
            kind=terms.kind.value, quantity=terms.quantity, bandwidth_mbps=terms.bandwidth_mbps,
            ips=terms.ips, fee=terms.fee, payment=terms.payment.value,
            term_months=terms.term_months, power_w=terms.power_w, room_id=room_id,
            state=State.SIGNED.value, signed_at=terms.signed_at, request_id=terms.request_id,
            request_fingerprint=fingerprint, install_fee=terms.install_fee))
        signed = ContractEvent(contract_id=contract.id, kind="signed", at=terms.signed_at, actor=ctx.actor,
                               months=0, detail="")
        s.add(signed)
        s.flush()
        placed = allocate(s, Request(contract.id, customer.id, customer.key, terms.kind, terms.quantity, terms.ips,
                                     terms.power_w, room_id, now, rack_id=rack_id))
        signed.detail = ALLOCATION_JOIN.join(reason_lines(placed))  # why, kept in the contract's history
        s.flush()
        outbox.enqueue(s, contract, "signed", now)
        return contract_view(s, site, contract, now) | {"allocation": _allocation(s, contract.id), "replayed": False}


def _numbered(s: Session, year: int, columns: dict[str, Any]) -> Contract:
    """The contract under the year's next number, unique across the store.

    Each site's signings queue on their own site's lock, so two sites may take the same
    number at once; the unique (year, seq) index makes the later one wait and fail, and it
    takes the following number inside a savepoint, so its transaction carries on.
    """
    while True:
        seq = (s.scalar(select(func.max(Contract.seq)).where(Contract.year == year)) or 0) + 1
        contract = Contract(id=f"C{year}-{seq:04d}", year=year, seq=seq, **columns)
        try:
            with s.begin_nested():
                s.add(contract)
            return contract
        except IntegrityError:
            if s.scalar(select(Contract.id).where(Contract.year == year, Contract.seq == seq)) is None:
                raise  # not the number: another unique column (a request id) — let it surface


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
    rack = s.scalar(select(Rack).where(Rack.site_id == site_id(s), Rack.name == name.strip()))
    if rack is None:
        known = s.scalars(select(Rack.name).where(Rack.site_id == site_id(s)).order_by(Rack.position).limit(12)).all()
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
    outbox.enqueue(s, contract, target.value, at)  # before the release: what it returns is written back as returned
    if current in HOLDS_RESOURCES and target not in HOLDS_RESOURCES:
        site = s.get(SiteRow, contract.site_id)
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
        raise contract_missing(contract_id)
    if contract.site_id != site_id(s):
        raise other_site(reader(s), contract)
    return contract


def list_contracts(ctx: Context, state: str | None = None) -> list[dict[str, Any]]:
    if state is not None and state not in {st.value for st in State}:
        raise BadInput(f"--state {state!r} is not a contract state: use one of {', '.join(st.value for st in State)}")
    with ctx.store.session() as s:
        site = load_site(s)
        query = (select(Contract, Customer.name).join(Customer).where(Contract.site_id == site.id)
                 .order_by(Contract.year, Contract.seq))
        if state is not None:
            query = query.where(Contract.state == state)
        return [{"id": c.id, "state": c.state, "customer": name, "kind": c.kind, "quantity": c.quantity,
                 "bandwidth_mbps": c.bandwidth_mbps, "signed_at": iso(c.signed_at, site)}
                for c, name in s.execute(query)]
