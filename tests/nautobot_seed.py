"""Seeding a live Nautobot through its REST API (pynautobot) with a site laid out as colo's conventions say.

`seed(api, inventory)` writes a colo inventory mapping (e.g. the example site, or the
lab's copy of it on free ports) into Nautobot the way an operator would record it: a site
location with room locations, rack groups for the racks an access switch serves, power
panels and feeds whose available power is each rack's budget, rack reservations, PDUs with
numbered outlets carrying `colo_unit`/`colo_feed`, switches with tagged access and uplink
interfaces, secrets groups named after the credentials, VLANs and tagged public prefixes
with their gateway and reserved addresses. The import test then reads it back.

Each kind of object goes in a list per request (Nautobot's bulk create), so the 200-rack
location of `bench/sot.py` seeds in minutes rather than one request per rack, outlet and
port. Each distinct management host is one address, assigned to the interfaces of the
devices it names: one address assigned to hundreds of interfaces makes every further
assignment slower in Nautobot.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from provision.domain.placement import expand_interfaces, expand_numbers

MGMT_PREFIX = "127.0.0.0/8"


def _numbers(spec: Any) -> list[int]:
    items = spec if isinstance(spec, list) else [spec]
    return [n for item in items for part in str(item).split(",") if part.strip() for n in expand_numbers(part)]


def _ports(spec: Any) -> list[str]:
    items = spec if isinstance(spec, list) else [spec]
    return [name for item in items for name in expand_interfaces(str(item))]


def _get_or_create(endpoint: Any, lookup: dict[str, Any], **fields: Any) -> Any:
    return endpoint.get(**lookup) or endpoint.create(**lookup, **fields)


def conventions(api: Any) -> None:
    """The tags, custom fields, location types and roles the conventions name (idempotent)."""
    for tag, types in (("colo-access", ["dcim.interface"]), ("colo-uplink", ["dcim.interface"]),
                       ("colo-gateway", ["ipam.ipaddress"]), ("colo-public", ["ipam.prefix"])):
        _get_or_create(api.extras.tags, {"name": tag}, content_types=types)
    for key, kind, types in (("colo_port", "integer", ["dcim.device"]), ("colo_snmp_port", "integer", ["dcim.device"]),
                             ("colo_snmp_credentials", "text", ["dcim.device"]),
                             ("colo_dns", "text", ["dcim.location"]),
                             ("colo_unit", "integer", ["dcim.poweroutlet"]), ("colo_feed", "text", ["dcim.poweroutlet"])):
        _get_or_create(api.extras.custom_fields, {"label": key}, key=key, type=kind, content_types=types)
    site_type = _get_or_create(api.dcim.location_types, {"name": "Site"}, content_types=[
        "dcim.rack", "dcim.device", "dcim.powerpanel", "ipam.prefix", "ipam.vlan"])
    _get_or_create(api.dcim.location_types, {"name": "Room"}, parent=site_type.id, content_types=[
        "dcim.rack", "dcim.device", "dcim.powerpanel", "dcim.rackgroup", "ipam.prefix", "ipam.vlan"])
    for role in ("colo-switch", "colo-pdu", "patch-panel"):
        _get_or_create(api.extras.roles, {"name": role}, content_types=["dcim.device"])
    maker = _get_or_create(api.dcim.manufacturers, {"name": "Lab"})
    for model, height in (("lab-switch", 1), ("lab-pdu", 0), ("patch-1U", 1)):
        _get_or_create(api.dcim.device_types, {"model": model}, manufacturer=maker.id, u_height=height)
    for driver in ("cisco_ios", "huawei_vrp", "hp_comware", "apc_rpdu2", "raritan_px2", "juniper_junos"):
        _get_or_create(api.dcim.platforms, {"name": driver}, network_driver=driver)
    _get_or_create(api.ipam.prefixes, {"prefix": MGMT_PREFIX}, status="Active", type="network")


def _bulk(endpoint: Any, rows: list[dict[str, Any]], batch: int) -> list[Any]:
    """Create `rows` a list per request (Nautobot's bulk create), the created records in the same order."""
    made: list[Any] = []
    for i in range(0, len(rows), batch):
        made += endpoint.create(rows[i:i + batch])
    return made


def _outlet_feeds(inv: dict[str, Any]) -> dict[str, dict[int, tuple[int, str]]]:
    """PDU -> outlet -> (unit it feeds, mains|ups), from the racks' feeds."""
    feeds: dict[str, dict[int, tuple[int, str]]] = {}
    for room in inv["rooms"]:
        for rack in room["racks"]:
            for f in rack.get("feeds", []):
                for o, u in zip(_numbers(f["outlets"]), _numbers(f["units"]), strict=True):
                    feeds.setdefault(f["pdu"], {})[o] = (u, f.get("feed", "mains"))
    return feeds


def seed(api: Any, inv: dict[str, Any], batch: int = 500) -> dict[str, Any]:
    """Write the inventory mapping `inv` into Nautobot, a list of objects per request; returns the ids tests
    refer to and how many objects were written (`objects`)."""
    conventions(api)
    site_type, room_type = api.dcim.location_types.get(name="Site"), api.dcim.location_types.get(name="Room")
    site = api.dcim.locations.create(name=inv["site"]["name"], location_type=site_type.id, status="Active",
                                     time_zone=inv["site"].get("timezone", "Asia/Shanghai"),
                                     custom_fields={"colo_dns": ",".join(inv["site"].get("dns", []))})
    user = list(api.users.users.all())[0]
    pdu_rack = {f["pdu"]: rack["name"] for room in inv["rooms"] for rack in room["racks"] for f in rack.get("feeds", [])}
    group_of = {r: f"{sw['name']}-racks" for sw in inv.get("switches", []) for r in sw["racks"]}
    all_racks = [rack for room in inv["rooms"] for rack in room["racks"]]
    rack_room = {rack["name"]: room["name"] for room in inv["rooms"] for rack in room["racks"]}
    room_names = [room["name"] for room in inv["rooms"]]
    rooms = dict(zip(room_names, _bulk(api.dcim.locations, [
        {"name": name, "location_type": room_type.id, "parent": site.id, "status": "Active"} for name in room_names],
        batch), strict=True))
    panels = dict(zip(room_names, _bulk(api.dcim.power_panels, [
        {"name": f"{name}-panel", "location": rooms[name].id} for name in room_names], batch), strict=True))
    group_room = {group_of[r["name"]]: rack_room[r["name"]] for r in reversed(all_racks) if r["name"] in group_of}
    groups = dict(zip(group_room, _bulk(api.dcim.rack_groups, [
        {"name": group, "location": rooms[room].id} for group, room in group_room.items()], batch), strict=True))
    racks = dict(zip(rack_room, _bulk(api.dcim.racks, [
        {"name": r["name"], "location": rooms[rack_room[r["name"]]].id, "status": "Active", "u_height": r["height_u"],
         "rack_group": groups[group_of[r["name"]]].id if r["name"] in group_of else None} for r in all_racks], batch),
        strict=True))
    feeds, reservations = [], []
    for r in all_racks:
        watts = r["power_budget_w"]
        volts, amps = (220, watts // 220) if watts % 220 == 0 else (watts, 1)
        feeds.append({"name": f"{r['name']}-A", "power_panel": panels[rack_room[r["name"]]].id, "rack": racks[r["name"]].id,
                      "status": "Active", "type": "primary", "voltage": volts, "amperage": amps, "max_utilization": 100})
        reserved = _numbers(r.get("reserved_units", []))
        if reserved:
            reservations.append({"rack": racks[r["name"]].id, "units": reserved, "user": user.id,
                                 "description": "site equipment"})
    _bulk(api.dcim.power_feeds, feeds, batch)
    _bulk(api.dcim.rack_reservations, reservations, batch)
    for group in sorted({d["credentials"] for d in [*inv.get("pdus", []), *inv.get("switches", [])]}):
        _get_or_create(api.extras.secrets_groups, {"name": group})
    pdus, switches = inv.get("pdus", []), inv.get("switches", [])
    first_rack = {sw["name"]: next(r for r in all_racks if r["name"] == sw["racks"][0]) for sw in switches}
    rows = [{"name": pdu["name"], "role": {"name": "colo-pdu"}, "device_type": {"model": "lab-pdu"},
             "platform": {"name": pdu["platform"]}, "location": rooms[rack_room[pdu_rack[pdu["name"]]]].id,
             "rack": racks[pdu_rack[pdu["name"]]].id, "status": "Active", "secrets_group": {"name": pdu["credentials"]},
             "custom_fields": {"colo_port": pdu["port"]}} for pdu in pdus]
    rows += [{"name": sw["name"], "role": {"name": "colo-switch"}, "device_type": {"model": "lab-switch"},
              "platform": {"name": sw["platform"]}, "location": rooms[rack_room[sw["racks"][0]]].id,
              "rack": racks[sw["racks"][0]].id, "position": max(_numbers(first_rack[sw["name"]].get("reserved_units", [1]))),
              "face": "front", "status": "Active", "secrets_group": {"name": sw["credentials"]},
              "custom_fields": {"colo_port": sw.get("port", 22), "colo_snmp_port": (sw.get("snmp") or {}).get("port"),
                                "colo_snmp_credentials": (sw.get("snmp") or {}).get("credentials")}} for sw in switches]
    devices = {d.name: d for d in _bulk(api.dcim.devices, rows, batch)}
    wired = _outlet_feeds(inv)
    outlets = [{"device": devices[pdu["name"]].id, "name": str(n), "custom_fields": {
        "colo_unit": wired.get(pdu["name"], {}).get(n, (None, None))[0],
        "colo_feed": wired.get(pdu["name"], {}).get(n, (None, None))[1]}}
        for pdu in pdus for n in range(1, pdu["outlets"] + 1)]
    _bulk(api.dcim.power_outlets, outlets, batch)
    ports = [{"device": devices[sw["name"]].id, "name": p, "tags": [{"name": tag}], "type": "1000base-t",
              "status": "Active"} for sw in switches for key, tag in (("access_ports", "colo-access"),
                                                                       ("uplinks", "colo-uplink"))
             for p in _ports(sw.get(key, []))]
    _bulk(api.dcim.interfaces, ports, batch)
    _management(api, list(devices.values()), {d["name"]: d["host"] for d in [*pdus, *switches]}, batch)
    for pool in inv.get("pools", []):
        vlan = api.ipam.vlans.create(vid=pool["vlan"], name=pool["name"], status="Active")
        pool_rooms = sorted({rooms[rack_room[r]].id for r in pool["racks"]})
        prefix = api.ipam.prefixes.create(prefix=pool["prefix"], status="Active", type="network", vlan=vlan.id,
                                          tags=[{"name": "colo-public"}])
        api.ipam.prefix_location_assignments.create([{"prefix": prefix.id, "location": room} for room in pool_rooms])
        net = ipaddress.IPv4Network(pool["prefix"])
        addresses = [{"address": f"{pool['gateway']}/{net.prefixlen}", "status": "Active",
                      "tags": [{"name": "colo-gateway"}]}]
        for item in pool.get("reserved", []):
            if "/" in str(item):
                hosts = list(ipaddress.IPv4Network(str(item)))
            else:
                first, _, last = str(item).partition("-")
                lo, hi = int(ipaddress.IPv4Address(first.strip())), int(ipaddress.IPv4Address((last or first).strip()))
                hosts = [ipaddress.IPv4Address(n) for n in range(lo, hi + 1)]
            addresses += [{"address": f"{h}/{net.prefixlen}", "status": "Reserved"} for h in hosts]
        api.ipam.ip_addresses.create([a | {"namespace": {"name": "Global"}} for a in addresses])
    written = (len(rooms) + len(panels) + len(groups) + len(racks) + len(feeds) + len(reservations) + 2 * len(devices)
               + len(outlets) + len(ports))  # 2 per device: it and its management interface
    return {"site": site, "rooms": rooms, "racks": racks, "devices": devices, "objects": written}


def _management(api: Any, devices: list[Any], hosts: dict[str, str], batch: int) -> None:
    """A management interface per device holding its address (the inventory's host, in the loopback
    management prefix), made the device's primary IPv4. Devices sharing a host share its address."""
    nics = _bulk(api.dcim.interfaces, [{"device": d.id, "name": "mgmt0", "type": "virtual", "status": "Active",
                                        "mgmt_only": True} for d in devices], batch)
    wanted = sorted(set(hosts.values()))
    have = {str(a.host): a for a in api.ipam.ip_addresses.filter(address=wanted)}
    have |= {str(a.host): a for a in _bulk(api.ipam.ip_addresses, [
        {"address": f"{h}/8", "status": "Active", "namespace": {"name": "Global"}} for h in wanted if h not in have],
        batch)}
    _bulk(api.ipam.ip_address_to_interface, [{"ip_address": have[hosts[d.name]].id, "interface": nic.id}
                                             for d, nic in zip(devices, nics, strict=True)], batch)
    for i in range(0, len(devices), batch):
        api.dcim.devices.update([{"id": d.id, "primary_ip4": have[hosts[d.name]].id} for d in devices[i:i + batch]])
