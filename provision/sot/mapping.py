"""Nautobot objects ⇄ colo's inventory and contracts: pure functions, no I/O.

Inward (`inventory_of`): a location's facts become the inventory mapping `colo init`
reads, following the conventions an operator sets in the source of truth (README
"Source of truth"): device roles `colo-switch` and `colo-pdu`, interface tags
`colo-access` and `colo-uplink`, the gateway tagged `colo-gateway`, public prefixes tagged
`colo-public`, custom fields `colo_port`, `colo_unit`, `colo_feed`, `colo_snmp_port`,
`colo_snmp_credentials`, `colo_dns`, the device's secrets group as its credentials name. Whatever is
missing or ambiguous is one line per object; nothing is guessed.

Outward (`intents_of`): a contract's state in the store becomes the objects colo writes
back — the customer as tenant, a device per server in its units, the addresses, the switch
port's description, mode, VLAN and enabled state — or, once the contract has returned its
resources, their removal.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from typing import Any

from provision.sot.base import DeviceFacts, Intent, SiteFacts

SWITCH_ROLE, PDU_ROLE = "colo-switch", "colo-pdu"
ACCESS_TAG, UPLINK_TAG, GATEWAY_TAG, PUBLIC_TAG, COLO_TAG = "colo-access", "colo-uplink", "colo-gateway", "colo-public", "colo"
SWITCH_PLATFORMS = ("cisco_ios", "huawei_vrp", "hp_comware")
PDU_PLATFORMS = ("apc_rpdu2", "raritan_px2")
HOLDING = ("signed", "provisioned", "active", "suspended", "ended")  # states that still hold slot, port, address
PORT_UP = ("provisioned", "active")


def ranges(numbers: list[int]) -> str:
    """'3-40, 42': how an operator writes units and outlets, so the YAML stays reviewable."""
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in out)


def inventory_of(facts: SiteFacts) -> tuple[dict[str, Any], list[str]]:
    """The inventory mapping for `facts`, and one line per object that cannot become part of it."""
    problems: list[str] = []
    switches = [d for d in facts.devices if d.role == SWITCH_ROLE]
    pdus = [d for d in facts.devices if d.role == PDU_ROLE]
    pdu_entries, feeds_by_rack = _pdus(pdus, problems)
    rooms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    racks_of_group: dict[str, list[str]] = defaultdict(list)
    occupied = _occupied(facts.devices)
    for rack in facts.racks:
        if rack.room is None:
            problems.append(f"rack {rack.name}: stands at the site location itself: put it in a room (a child location)")
            continue
        primary = sum(f.watts for f in rack.feeds if f.kind == "primary")
        if not rack.feeds:
            problems.append(f"rack {rack.name}: has no power feeds: connect its power feeds (their available power is "
                            f"the rack's budget)")
        elif primary <= 0:
            problems.append(f"rack {rack.name}: its power feeds give no power: set voltage, amperage and max "
                            f"utilization on a primary feed")
        reserved = sorted(set(rack.reserved_units) | occupied.get(rack.name, set()))
        entry: dict[str, Any] = {"name": rack.name, "height_u": rack.height_u, "power_budget_w": max(primary, 1)}
        if reserved:
            entry["reserved_units"] = ranges(reserved)
        if feeds_by_rack.get(rack.name):
            entry["feeds"] = feeds_by_rack[rack.name]
        rooms[rack.room].append(entry)
        racks_of_group[rack.group or f"rack:{rack.name}"].append(rack.name)
    rack_group = {r.name: r.group or f"rack:{r.name}" for r in facts.racks}
    switch_entries = [e for e in (_switch(d, racks_of_group, rack_group, problems) for d in switches) if e]
    pools = _pools(facts, problems)
    site: dict[str, Any] = {"name": facts.location}
    if facts.time_zone:
        site["timezone"] = facts.time_zone
    if facts.dns:
        site["dns"] = list(facts.dns)
    inventory = {"site": site, "rooms": [{"name": room, "racks": rooms[room]} for room in facts.rooms if room in rooms],
                 "pdus": pdu_entries, "switches": switch_entries, "pools": pools}
    if not facts.racks:
        problems.append(f"location {facts.location}: holds no racks: racks belong in its room locations")
    return inventory, problems


def _occupied(devices: tuple[DeviceFacts, ...]) -> dict[str, set[int]]:
    """Units taken by the site's own equipment (switches, patch panels …): never for customers.
    Servers colo wrote back (tagged colo) are the customers' and are left out."""
    taken: dict[str, set[int]] = defaultdict(set)
    for d in devices:
        if d.rack and d.position and COLO_TAG not in d.tags:
            taken[d.rack].update(range(d.position, d.position + max(d.height_u, 1)))
    return taken


def _device(d: DeviceFacts, platforms: tuple[str, ...], default_port: int, problems: list[str]) -> dict[str, Any] | None:
    """What switches and PDUs share: platform, address, port, credentials; None (and a problem each) when unusable."""
    bad = []
    if d.platform not in platforms:
        shown = "no platform" if d.platform is None else f"platform {d.platform!r}"
        bad.append(f"{shown} has no colo driver: set the platform's network driver to one of {', '.join(platforms)}")
    if d.host is None:
        bad.append("has no primary IPv4 address: set one (its management address)")
    if d.credentials is None:
        bad.append("has no secrets group: assign one named after the secret colo reads (COLO_SECRETS)")
    problems.extend(f"device {d.name}: {b}" for b in bad)
    if bad:
        return None
    return {"name": d.name, "platform": d.platform, "host": d.host, "port": d.port or default_port,
            "credentials": d.credentials}


def _pdus(pdus: list[DeviceFacts], problems: list[str]) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    entries: list[dict[str, Any]] = []
    feeds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in pdus:
        entry = _device(d, PDU_PLATFORMS, 161, problems)
        if entry is None:
            continue
        if not d.outlets:
            problems.append(f"device {d.name}: has no power outlets: add them (named by number)")
            continue
        entries.append(entry | {"outlets": max(o.number for o in d.outlets)})
        wired = [o for o in d.outlets if o.unit is not None]
        if wired and d.rack is None:
            problems.append(f"device {d.name}: feeds units but is in no rack: mount it in the rack it feeds")
            continue
        for kind in ("mains", "ups"):
            pairs = sorted((o.number, o.unit) for o in wired if o.feed == kind)
            if pairs:
                feeds[str(d.rack)].append({"pdu": d.name, "outlets": ranges([n for n, _ in pairs]),
                                           "units": ranges([u for _, u in pairs]), "feed": kind})
    return entries, feeds


def _switch(d: DeviceFacts, racks_of_group: dict[str, list[str]], rack_group: dict[str, str],
            problems: list[str]) -> dict[str, Any] | None:
    entry = _device(d, SWITCH_PLATFORMS, 22, problems)
    if entry is None:
        return None
    access = [name for name, tags in d.interfaces if ACCESS_TAG in tags]
    uplinks = [name for name, tags in d.interfaces if UPLINK_TAG in tags]
    if not access:
        problems.append(f"device {d.name}: has no interface tagged {ACCESS_TAG}: tag the ports customers get")
        return None
    if d.rack is None or d.rack not in rack_group:
        problems.append(f"device {d.name}: is in no rack of this location: mount it in a rack of the racks it serves")
        return None
    entry |= {"access_ports": access, "racks": racks_of_group[rack_group[d.rack]]}
    if uplinks:
        entry["uplinks"] = uplinks
    if d.snmp_credentials:
        entry["snmp"] = {"port": d.snmp_port or 161, "credentials": d.snmp_credentials}
    return entry


def _pools(facts: SiteFacts, problems: list[str]) -> list[dict[str, Any]]:
    """Public prefixes: gateway, VLAN, the racks of the locations they are assigned to, and every other
    address recorded inside them kept from customers (reserved), except those colo wrote back itself."""
    pools = []
    racks_in: dict[str, list[str]] = defaultdict(list)
    for rack in facts.racks:
        where: str | None = rack.room
        while where is not None:
            racks_in[where].append(rack.name)
            where = facts.parents.get(where)
    for p in facts.prefixes:
        gateways = [a for a, tags in p.addresses if GATEWAY_TAG in tags]
        bad = []
        if p.vlan_vid is None or not p.vlan_name:
            bad.append("has no VLAN: assign the customers' VLAN to the prefix")
        if len(gateways) != 1:
            bad.append(f"has {len(gateways)} addresses tagged {GATEWAY_TAG}: tag exactly one (the gateway)")
        racks = sorted({r for loc in p.locations for r in racks_in.get(loc, [])})
        if not racks:
            bad.append("is assigned to no location of this site that holds racks: assign it to the room or site")
        problems.extend(f"prefix {p.prefix}: {b}" for b in bad)
        if bad:
            continue
        reserved = sorted((a for a, tags in p.addresses if GATEWAY_TAG not in tags and COLO_TAG not in tags),
                          key=lambda a: int(ipaddress.IPv4Address(a)))
        pools.append({"name": p.vlan_name, "prefix": p.prefix, "gateway": gateways[0], "vlan": p.vlan_vid,
                      "reserved": reserved, "racks": racks})
    return pools


def server_name(contract_id: str, number: int) -> str:
    """The device of server `number` (counted from 1, as `--server` and the port description count)."""
    return f"{contract_id}-s{number}"


def intents_of(snapshot: dict[str, Any]) -> list[Intent]:
    """The objects a contract's snapshot (`provision.sot.outbox.snapshot`) asks for, in write order."""
    cid, state, customer = snapshot["contract"], snapshot["state"], snapshot["customer"]
    keep = state in HOLDING
    out: list[Intent] = []
    if keep:
        out.append(Intent("tenant", (customer,), {"name": customer}))
    for p in snapshot["placements"]:
        number = p["position"] + 1
        name = server_name(cid, number)
        server = p.get("server") or {}
        out.append(Intent("server", (name,), {
            "name": name, "rack": p["rack"], "location": p["room"], "position": min(p["units"]) if p["units"] else None,
            "tenant": customer, "serial": server.get("serial") or "", "mac": server.get("mac"),
            "status": "Planned" if state == "signed" else "Active"}, remove=not keep))
        for a in p["addresses"]:
            out.append(Intent("ip", (a["ip"],), {
                "address": f"{a['ip']}/{a['prefix_len']}", "status": "Reserved" if state == "signed" else "Active",
                "tenant": customer, "server": name, "description": cid}, remove=not keep))
        if p.get("port"):
            vlan = p["addresses"][0]["vlan"] if p["addresses"] else None
            port = p["port"]
            fields: dict[str, Any] = ({"description": f"{cid} s{number} {customer}"[:200], "mode": "access",
                                       "vlan": vlan, "enabled": state in PORT_UP} if keep
                                      else {"description": "", "mode": None, "vlan": None, "enabled": False})
            out.append(Intent("port", (port["switch"], port["interface"]), fields | {"location": p["room"]},
                              remove=not keep))
    return out


def latest(intents: list[Intent]) -> list[Intent]:
    """The last intent per object, in first-seen order: entries delivered together may name one object
    several times (an address returned by one contract and given to the next), and the newest wins."""
    last: dict[tuple[str, tuple[str, ...]], Intent] = {}
    for it in intents:
        last.pop((it.kind, it.key), None)
        last[it.kind, it.key] = it
    return list(last.values())


def drift(intents: list[Intent], current: dict[tuple[str, tuple[str, ...]], dict[str, Any] | None]) -> list[str]:
    """One line per object whose fields in the source of truth differ from what colo holds."""
    lines = []
    for it in intents:
        have = current.get((it.kind, it.key))
        label = f"{it.kind} {' '.join(it.key)}"
        if it.remove and it.kind != "port":
            if have is not None:
                lines.append(f"{label}: still present, colo returned it")
            continue
        if have is None:
            lines.append(f"{label}: missing")
            continue
        for k, want in it.fields.items():
            if k in have and have[k] != want:
                lines.append(f"{label}: {k} is {have[k]!r}, colo has {want!r}")
    return lines
