"""A contract as `colo contract show` and every use case's answer show it: terms, clocks, placements, refunds.

Read in plain SQL through store.rows, never the ORM (nor SQLAlchemy at all), so the everyday
read loads neither. Use cases that write pass their session (`context.reader` reads on its
connection after flushing it), so what they return includes what they wrote.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from provision.domain.clocks import RULES, Clock, ContractFacts, Event, compute_clocks
from provision.domain.hardware import mac_colons, read_component
from provision.domain.terms import Kind, install_refund
from provision.errors import NotFound
from provision.services.context import Context, SiteInfo, iso, load_site, reader
from provision.store.rows import Reader

Row = Any  # a store.rows row or an ORM object: the views read columns by attribute, which both offer


def show(ctx: Context, contract_id: str) -> dict[str, Any]:
    with ctx.store.reading() as conn:
        site = load_site(conn)
        return contract_view(conn, site, read_contract(conn, site, contract_id), ctx.now(site))


def contract_missing(contract_id: str) -> NotFound:
    return NotFound(f"contract {contract_id!r} does not exist: see `colo contract list` for ids like C2026-0001")


def other_site(s: Any, contract: Row) -> NotFound:
    """A contract of another site than the one this run works on, named with the option that reaches it."""
    other = reader(s).scalar("SELECT name FROM site WHERE id = :id", id=contract.site_id) or contract.site_id
    return NotFound(f"contract {contract.id} is site {other}'s, not this site's: give --site {other}")


def read_contract(conn: Reader, site: SiteInfo, contract_id: str) -> Row:
    row = conn.first("SELECT * FROM contracts WHERE id = :id", id=contract_id.strip().upper())
    if row is None:
        raise contract_missing(contract_id)
    if row.site_id != site.id:
        raise other_site(conn, row)
    return row


def facts(contract: Row, events: list[Row], site: SiteInfo) -> ContractFacts:
    return ContractFacts(contract.id, contract.term_months,
                         tuple(Event(e.kind, e.at.astimezone(site.tz), e.ref, e.months) for e in events), contract.kind)


def events_of(conn: Reader, contract_id: str) -> list[Row]:
    return conn.rows("SELECT * FROM contract_events WHERE contract_id = :id ORDER BY at, id", id=contract_id)


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


def notice_stops(conn: Reader, which: str, **params: Any) -> dict[str, dict[datetime, datetime]]:
    """Per contract (`which`: an SQL condition on stop_notices, with its `params`), each stop-service notice's
    issue time and the stop time it lists (for `clock_view`)."""
    found: dict[str, dict[datetime, datetime]] = {}
    for contract_id, issued_at, stop_at in conn.rows(
            f"SELECT contract_id, issued_at, stop_at FROM stop_notices WHERE {which}", **params):
        found.setdefault(contract_id, {})[issued_at] = stop_at
    return found


def install_clock(s: Any, site: SiteInfo, contract: Row, now: datetime) -> Clock | None:
    conn = reader(s)
    clocks = compute_clocks(facts(contract, events_of(conn, contract.id), site), site.calendar, now,
                            [r for r in RULES if r.key == "install"])
    return clocks[0] if clocks else None


def install_refund_due(s: Any, site: SiteInfo, contract: Row, now: datetime) -> str | None:
    """The install fee refund the contract is owed (SLA §3.2), in words, or None."""
    clock = install_clock(s, site, contract, now)
    return install_refund(contract.install_fee, clock.status.value if clock else None)


def pending_install_refund(s: Any, site: SiteInfo, contract: Row, now: datetime) -> dict[str, Any] | None:
    """The install fee owed for a missed guarantee (SLA §3.2), not yet kept as a row (it is kept when paid):
    the refund row's fields.

    Derived from the install clock rather than written when the clock closes, so it is right
    however the clock closed (provisioning, `install record`) or if it is still breached.
    """
    conn = reader(s)
    if not contract.install_fee or conn.scalar("SELECT id FROM refunds WHERE contract_id = :id AND kind = 'install_fee'",
                                               id=contract.id):
        return None
    clock = install_clock(conn, site, contract, now)
    if clock is None or clock.status.value not in ("late", "breached"):
        return None
    return {"contract_id": contract.id, "kind": "install_fee", "amount": contract.install_fee,
            "lines": json.dumps([{"item": "install fee (SLA §3.2)", "amount": str(contract.install_fee)}]),
            "basis": f"install guarantee missed ({clock.status.value}): deadline {iso(clock.deadline, site)}",
            "due_since": clock.deadline}


def refund_view(s: Any, site: SiteInfo, contract: Row, now: datetime) -> dict[str, Any] | None:
    """What the contract is owed back, kept or found due: None when nothing was ever owed."""
    conn = reader(s)
    sheets = [_refund_row_view(r, site) for r in conn.rows(
        "SELECT * FROM refunds WHERE contract_id = :id AND due_since <= :now ORDER BY id", id=contract.id, now=now)]
    pending = pending_install_refund(conn, site, contract, now)
    if pending is not None:
        sheets.append(_refund_row_view(SimpleNamespace(**pending, id=None, recorded_by="", paid_at=None,
                                                       paid_ref=None, paid_by=None), site))
    if not sheets:
        return None
    due = sum((Decimal(r["amount"]) for r in sheets if r["paid_at"] is None), Decimal("0.00"))
    return {"due": str(due), "refunds": sheets}


def _refund_row_view(r: Row, site: SiteInfo) -> dict[str, Any]:
    return {"refund": r.id, "kind": r.kind, "amount": str(r.amount), "lines": json.loads(r.lines), "basis": r.basis,
            "due_since": iso(r.due_since, site), "recorded_by": r.recorded_by or None,
            "paid_at": iso(r.paid_at, site), "paid_ref": r.paid_ref, "paid_by": r.paid_by}


def _install_status(clocks: list[Clock]) -> str | None:
    return next((c.status.value for c in clocks if c.rule.key == "install"), None)


def contract_view(s: Any, site: SiteInfo, contract: Row, now: datetime) -> dict[str, Any]:
    conn = reader(s)
    customer = conn.one("SELECT * FROM customers WHERE id = :id", id=contract.customer_id)
    events = events_of(conn, contract.id)
    clocks = compute_clocks(facts(contract, events, site), site.calendar, now)
    deadline = {c.rule.key: c.deadline for c in clocks}
    stops = notice_stops(conn, "contract_id = :id", id=contract.id).get(contract.id)
    room = conn.scalar("SELECT name FROM rooms WHERE id = :id", id=contract.room_id) if contract.room_id else None
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
        "room": room,
        "signed_at": iso(contract.signed_at, site),
        "install_deadline": iso(deadline.get("install"), site),
        "install_fee": str(contract.install_fee),
        "install_refund": install_refund(contract.install_fee, _install_status(clocks)),
        "refund": refund_view(conn, site, contract, now),
        "payment_due": iso(deadline.get("payment"), site),
        "term_end": iso(deadline.get("term"), site),
        "request_id": contract.request_id,
        "service_rep": contract.service_rep,
        "engineer": contract.engineer,
        "stop_reason": contract.stop_reason,
        "placements": placements_view(conn, site, contract.id),
        "service_changes": [change_view(r, site) for r in conn.rows(
            "SELECT * FROM service_changes WHERE contract_id = :id ORDER BY id", id=contract.id)],
        "clocks": [clock_view(c, site, stops) for c in clocks],
        "events": [{"kind": e.kind, "at": iso(e.at, site), "actor": e.actor, "ref": e.ref, "detail": e.detail}
                   for e in events],
    }


def change_view(row: Row, site: SiteInfo) -> dict[str, Any]:
    pairs = (("bandwidth_mbps", row.bandwidth_before, row.bandwidth_after), ("ips", row.ips_before, row.ips_after),
             ("slots", row.slots_before, row.slots_after), ("fee", str(row.fee_before), str(row.fee_after)))
    return {"change": row.id, "contract": row.contract_id, "at": iso(row.at, site), "actor": row.actor,
            "request_id": row.request_id, "operation": row.operation_id,
            "terms": [{"term": t, "before": b, "after": a} for t, b, a in pairs],
            "fee_from": iso(row.fee_from, site), "fee_from_period": row.fee_from_period + 1, "detail": row.detail}


def _parts(server: Row) -> list[dict[str, Any]]:
    """Each recorded part as a model and a count (hosting §1.1)."""
    listed = [("cpu", server.cpu), ("board", server.board), ("memory", server.memory),
              *(("disk", d) for d in server.disks.split("; "))]
    return [{"part": part, "model": c.model, "count": c.count}
            for part, text in listed if text for c in [read_component(text)]]


def placements_view(s: Any, site: SiteInfo | None, contract_id: str) -> list[dict[str, Any]]:
    conn = reader(s)
    out = []
    placements = conn.rows(
        "SELECT placements.*, racks.name AS rack, rooms.name AS room FROM placements "
        "JOIN racks ON racks.id = placements.rack_id JOIN rooms ON rooms.id = racks.room_id "
        "WHERE placements.contract_id = :id ORDER BY placements.position", id=contract_id)
    for p in placements:
        units = conn.rows("SELECT u, outlet_id FROM units WHERE placement_id = :p ORDER BY u", p=p.id)
        outlets = conn.rows("SELECT pdus.name, outlets.number FROM pdus JOIN outlets ON outlets.pdu_id = pdus.id "
                            "WHERE outlets.id IN :ids ORDER BY pdus.name, outlets.number",
                            ids=[u.outlet_id for u in units if u.outlet_id])
        port = conn.first("SELECT switches.name, switches.platform, ports.name FROM switches "
                          "JOIN ports ON ports.switch_id = switches.id WHERE ports.placement_id = :p", p=p.id)
        server = conn.first("SELECT * FROM servers WHERE placement_id = :p", p=p.id)
        addresses = conn.rows("SELECT addresses.ip, pools.prefix, pools.gateway, pools.vlan FROM addresses "
                              "JOIN pools ON pools.id = addresses.pool_id WHERE addresses.placement_id = :p "
                              "ORDER BY addresses.ip_int", p=p.id)
        out.append({
            "position": p.position,
            "rack": p.rack,
            "room": p.room,
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
