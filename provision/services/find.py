"""`colo find`: the contract behind whatever a technician has in hand.

A call, a ticket or a cable gives one handle — a customer's name, an address, a MAC off
a sticker, a serial, a switch port, a rack unit, an outlet, a record number — and the
question is always "whose is it, and in what state?". The text is tried as every kind
of handle it could be (an `A1` is an abuse case and also part of a customer's name);
each match is one result naming what matched.

Every lookup is an indexed equality (contract, record ids, address, MAC, serial, rack
and unit, switch and port, PDU and outlet); only the customer name is a substring
scan, over the customers table alone, so a site of thousands of contracts answers in
milliseconds. Ports compare as the switch's platform spells them (`Gi1/0/1` is
GigabitEthernet1/0/1 on a Cisco), through the driver's own port_key.

A server (MAC, serial) is found after its contract ended too: the box is then in
storage, and the contract says so. Addresses, ports, units and outlets name only their
current holder: once freed they belong to nobody (the contract's history keeps them).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from provision.domain.bounds import one_line
from provision.domain.hardware import mac_colons, normalise_mac
from provision.domain.refs import PREFIX
from provision.domain.terms import customer_key
from provision.errors import BadInput
from provision.services.context import Context, site_row
from provision.store.rows import Reader, like_fragment

LIMIT = 100  # results listed; the rest are counted


@dataclass(frozen=True)
class Hit:
    kind: str
    matched: str
    contract: str
    server: int | None = None  # 1-based, as technicians count servers


# records that belong to a contract, by the prefix the toolkit prints them with (domain.refs): T3, K2, A1, E5 …
RECORDS: dict[str, tuple[str, str]] = {PREFIX[kind]: (shown, table) for kind, shown, table in (
    ("ticket", "ticket", "fault_tickets"), ("complaint", "complaint", "complaints"), ("case", "abuse", "abuse_cases"),
    ("emergency", "emergency", "emergencies"), ("outage", "outage", "outages"), ("visit", "visit", "visits"),
    ("authorization", "authorization", "authorizations"), ("notice", "notice", "stop_notices"))}
_RECORD = re.compile(rf"({'|'.join(sorted(RECORDS, key=len, reverse=True))})(\d{{1,9}})", flags=re.IGNORECASE)


def find(ctx: Context, text: str, limit: int = LIMIT) -> dict[str, Any]:
    query = " ".join(one_line("TEXT", text, "give a customer name, an address, a MAC, a serial, `SWITCH PORT`, "
                                            "`RACK U12`, `PDU:OUTLET`, a contract id or a record id like T3").split())
    with ctx.store.reading() as conn:
        here = int(site_row(conn).id)
        hits = list(dict.fromkeys(hit for match in MATCHERS for hit in match(conn, here, query)))
        mine = set(conn.scalars("SELECT id FROM contracts WHERE site_id = :site AND id IN :ids",
                                site=here, ids={h.contract for h in hits}))
        hits = [h for h in hits if h.contract in mine]  # another site's contracts are found under its --site
        shown = hits[:limit]
        about = {cid: (state, name) for cid, state, name in conn.rows(
            "SELECT contracts.id, contracts.state, customers.name FROM contracts "
            "JOIN customers ON customers.id = contracts.customer_id WHERE contracts.id IN :ids",
            ids={h.contract for h in shown})}
    return {"query": query, "count": len(hits), "more": len(hits) - len(shown),
            "matches": [{"kind": h.kind, "matched": h.matched, "contract": h.contract, "server": h.server,
                         "state": about[h.contract][0], "customer": about[h.contract][1]} for h in shown]}


def _contract(s: Reader, here: int, q: str) -> Iterator[Hit]:
    if re.fullmatch(r"C\d{4}-\d{1,9}", q, flags=re.IGNORECASE) and s.scalar(
            "SELECT id FROM contracts WHERE id = :id", id=q.upper()) is not None:
        yield Hit("contract", f"contract {q.upper()}", q.upper())


def _record(s: Reader, here: int, q: str) -> Iterator[Hit]:
    m = _RECORD.fullmatch(q)
    if m is None:
        return
    kind, records = RECORDS[m.group(1).upper()]
    row = s.first(f"SELECT id, contract_id FROM {records} WHERE id = :id", id=int(m.group(2)))
    if row is not None:
        yield Hit(kind, f"{kind} {m.group(1).upper()}{row.id}", row.contract_id)


def _placed(s: Reader, kind: str, matched: str, placement_ids: list[int]) -> Iterator[Hit]:
    for contract_id, position in s.rows("SELECT contract_id, position FROM placements WHERE id IN :ids ORDER BY id",
                                        ids=placement_ids):
        yield Hit(kind, matched, contract_id, position + 1)


def _address(s: Reader, here: int, q: str) -> Iterator[Hit]:
    try:
        ip = str(ipaddress.IPv4Address(q))
    except ValueError:
        return
    held = s.scalar("SELECT placement_id FROM addresses WHERE ip = :ip", ip=ip)
    if held is not None:
        yield from _placed(s, "address", f"address {ip}", [held])


def _mac(s: Reader, here: int, q: str) -> Iterator[Hit]:
    if not re.fullmatch(r"[0-9a-f]{12}", re.sub(r"[\s:.-]", "", q.lower())):
        return
    try:
        mac = normalise_mac(q)
    except BadInput:
        return
    yield from _placed(s, "mac", f"MAC {mac_colons(mac)}",
                       s.scalars("SELECT placement_id FROM servers WHERE mac = :mac", mac=mac))


def _serial(s: Reader, here: int, q: str) -> Iterator[Hit]:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}", q):
        return
    rows = s.rows("SELECT placement_id, serial FROM servers WHERE serial IN :serials ORDER BY placement_id",
                  serials={q, q.upper(), q.lower()})
    for placement_id, serial in rows:
        yield from _placed(s, "serial", f"serial {serial}", [placement_id])


def _named(s: Reader, here: int, devices: str, name: str) -> Any:
    """A rack, switch or PDU (`devices`: its table) by name: exactly as the inventory spells it, or failing that
    in any case."""
    return (s.first(f"SELECT * FROM {devices} WHERE site_id = :site AND name = :name", site=here, name=name)
            or s.first(f"SELECT * FROM {devices} WHERE site_id = :site AND lower(name) = :name",
                       site=here, name=name.lower()))


def _unit(s: Reader, here: int, q: str) -> Iterator[Hit]:
    m = re.fullmatch(r"(\S+?)[ /]?U(\d{1,3})", q, flags=re.IGNORECASE)
    rack = _named(s, here, "racks", m.group(1)) if m else None
    if m is None or rack is None:
        return
    held = s.scalar("SELECT placement_id FROM units WHERE rack_id = :rack AND u = :u", rack=rack.id, u=int(m.group(2)))
    if held is not None:
        yield from _placed(s, "unit", f"unit {rack.name} U{int(m.group(2))}", [held])


def _port(s: Reader, here: int, q: str) -> Iterator[Hit]:
    parts = q.split(" ", 1)
    switch = _named(s, here, "switches", parts[0]) if len(parts) == 2 else None
    if switch is None:
        return
    from provision.drivers.switch import PLATFORMS  # only a switch-port query pays for the driver import

    driver = PLATFORMS[switch.platform](None)
    wanted = driver.port_key(parts[1])
    for name, held in s.rows("SELECT name, placement_id FROM ports WHERE switch_id = :switch", switch=switch.id):
        if held is not None and driver.port_key(name) == wanted:
            yield from _placed(s, "port", f"port {switch.name} {name}", [held])


def _outlet(s: Reader, here: int, q: str) -> Iterator[Hit]:
    m = re.fullmatch(r"(\S+?)(?::| )(\d{1,3})", q)
    pdu = _named(s, here, "pdus", m.group(1)) if m else None
    if m is None or pdu is None:
        return
    held = s.scalar("SELECT units.placement_id FROM units JOIN outlets ON outlets.id = units.outlet_id "
                    "WHERE outlets.pdu_id = :pdu AND outlets.number = :n", pdu=pdu.id, n=int(m.group(2)))
    if held is not None:
        yield from _placed(s, "outlet", f"outlet {pdu.name}:{int(m.group(2))}", [held])


def _customer(s: Reader, here: int, q: str) -> Iterator[Hit]:
    # the customers matching first, over the key's own index alone, then their contracts by index: the one scan
    # of a find reads the fewest pages
    rows = s.rows("SELECT contracts.id, customers.name FROM customers "
                  "JOIN contracts ON contracts.customer_id = customers.id "
                  "WHERE customers.id IN (SELECT id FROM customers WHERE key LIKE :pattern ESCAPE '/') "
                  "ORDER BY customers.name, contracts.year, contracts.seq", pattern=like_fragment(customer_key(q)))
    for contract_id, name in rows:
        yield Hit("customer", f"customer {name}", contract_id)


# most specific first: an id or address names one thing, a name fragment may name many
MATCHERS: tuple[Callable[[Reader, int, str], Iterator[Hit]], ...] = (
    _contract, _record, _address, _mac, _serial, _port, _unit, _outlet, _customer)
