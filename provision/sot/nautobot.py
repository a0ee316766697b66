"""Nautobot as colo's source of truth, over its REST API with pynautobot.

Imported only by the commands that talk to Nautobot (`colo inventory import nautobot`,
`colo sot …`): pynautobot and requests stay out of every other command's start-up.
Related objects are written by natural key (`{"name": "Active"}`), which Nautobot resolves
on its side, so a batch of objects costs one request per endpoint, not one per reference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pynautobot
import requests

from provision.errors import BadInput, OperationFailed
from provision.sot.base import (
    DeviceFacts,
    Feed,
    Intent,
    Outlet,
    PrefixFacts,
    RackFacts,
    SiteFacts,
    SourceOfTruth,
    WriteReport,
)
from provision.sot.mapping import COLO_TAG, PDU_ROLE, PUBLIC_TAG, SWITCH_ROLE

TIMEOUT = 30  # seconds per request: a server that stopped answering fails the run instead of hanging it
PER_OBJECT = 1.0  # more seconds per object of a bulk write: Nautobot saves them one by one, an interface
#                   in ~0.3 s on a busy 2-core machine, so 100 of them outlast a flat 30 s (bench/sot.py)
SERVER_ROLE, SERVER_TYPE, MAKER = "colo-server", "colo-server", "colo"
Key = tuple[str, tuple[str, ...]]


class _Session(requests.Session):
    """pynautobot's session with a timeout on every request (longer for a list of objects) and a count of
    requests made."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        body = kwargs.get("json")
        kwargs.setdefault("timeout", TIMEOUT + PER_OBJECT * (len(body) if isinstance(body, list) else 0))
        self.count += 1
        return super().request(*args, **kwargs)


def _tags(obj: Any) -> tuple[str, ...]:
    return tuple(t["name"] if isinstance(t, dict) else getattr(t, "name", str(t)) for t in (obj.tags or []))


def _name(obj: Any, attr: str = "name") -> Any:
    return None if obj is None else getattr(obj, attr, None)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), max(size, 1)):
        yield items[i:i + max(size, 1)]


class Nautobot(SourceOfTruth):
    def __init__(self, url: str, token: str, secret_name: str) -> None:
        self.url = url.rstrip("/")
        self.secret_name = secret_name
        self.api = pynautobot.api(self.url, token=token)
        self.session = _Session()
        self.session.headers.update(self.api.http_session.headers)
        self.api.http_session = self.session
        self._support_ready = False

    @property
    def requests(self) -> int:
        return self.session.count

    @contextmanager
    def _calls(self, doing: str) -> Iterator[None]:
        """Every failure of the API as one line naming the server and what to do; never the token."""
        try:
            yield
        except pynautobot.RequestError as e:
            status = e.req.status_code
            if status in (401, 403):
                raise BadInput(f"Nautobot at {self.url} refused the token in secret {self.secret_name!r} "
                               f"(HTTP {status}) while {doing}: put a valid API token in that secret") from None
            if status >= 500:
                raise OperationFailed(f"Nautobot at {self.url} failed (HTTP {status}) while {doing}: see its log, "
                                      f"then run the command again") from None
            raise OperationFailed(f"Nautobot at {self.url} rejected {doing} (HTTP {status}): {e.error}"[:600]) from None
        except requests.RequestException as e:
            reason = type(e).__name__
            raise OperationFailed(f"Nautobot at {self.url} is unreachable ({reason}) while {doing}: check --url "
                                  f"and that the server runs") from None

    # -- reading a site -------------------------------------------------------------------------------------

    def site(self, location: str) -> SiteFacts:
        with self._calls(f"reading location {location!r}"):
            return self._site(location)

    def _site(self, location: str) -> SiteFacts:
        every = list(self.api.dcim.locations.all(depth=1))
        matches = [loc for loc in every if location in (loc.name, str(loc.id))]
        if not matches:
            raise BadInput(f"--location {location!r}: no such location in Nautobot at {self.url}: give a location's "
                           f"name (or id)")
        if len(matches) > 1:
            ids = ", ".join(f"{m.id} (in {_name(m.parent) or 'no parent'})" for m in matches)
            raise BadInput(f"--location {location!r}: {len(matches)} locations have that name ({ids}): give the id")
        root = matches[0]
        parent_of = {str(loc.id): (str(loc.parent.id) if loc.parent else None) for loc in every}
        names = {str(loc.id): loc.name for loc in every}
        tree = [root_id := str(root.id)]
        changed = True  # the location's descendants, parents before children
        while changed:
            changed = False
            for lid, pid in parent_of.items():
                if pid in tree and lid not in tree:
                    tree.append(lid)
                    changed = True
        rooms = tuple(names[i] for i in tree[1:])
        racks = list(self.api.dcim.racks.filter(location=root_id, depth=1))
        reservations: dict[str, set[int]] = defaultdict(set)
        for r in self.api.dcim.rack_reservations.filter(location=root_id, depth=1):
            reservations[str(r.rack.id)].update(r.units)
        feeds: dict[str, list[Feed]] = defaultdict(list)
        for f in self.api.dcim.power_feeds.filter(location=root_id):
            if f.rack:
                feeds[str(f.rack.id)].append(Feed(f.name, str(getattr(f.type, "value", f.type)), int(f.available_power)))
        rack_facts = tuple(RackFacts(
            name=r.name, room=None if str(r.location.id) == root_id else names[str(r.location.id)],
            height_u=int(r.u_height), group=_name(r.rack_group), reserved_units=tuple(sorted(reservations[str(r.id)])),
            feeds=tuple(feeds[str(r.id)])) for r in racks)
        devices = self._devices(root_id)
        prefixes = self._prefixes(set(tree), names)
        parents = {names[i]: (names[p] if p in names and i != root_id else None) for i, p in parent_of.items() if i in tree}
        dns = tuple(a.strip() for a in ((root.custom_fields or {}).get("colo_dns") or "").split(",") if a.strip())
        return SiteFacts(root.name, getattr(root, "time_zone", None) or None, rooms, rack_facts, devices, prefixes,
                         parents, dns)

    def _devices(self, root_id: str) -> tuple[DeviceFacts, ...]:
        raw = list(self.api.dcim.devices.filter(location=root_id, depth=1))
        platforms = {str(p.id): (p.network_driver or p.name) for p in self.api.dcim.platforms.all()}
        by_role: dict[str, list[str]] = defaultdict(list)
        for d in raw:
            by_role[_name(d.role) or ""].append(str(d.id))
        outlets: dict[str, list[Outlet]] = defaultdict(list)
        for ids in _chunks(by_role[PDU_ROLE], 50):
            for o in self.api.dcim.power_outlets.filter(device=ids, depth=1):
                cf = o.custom_fields or {}
                if str(o.name).isdigit():
                    outlets[str(o.device.id)].append(Outlet(int(o.name), cf.get("colo_unit"), cf.get("colo_feed") or "mains"))
        interfaces: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for ids in _chunks(by_role[SWITCH_ROLE], 50):
            for i in self.api.dcim.interfaces.filter(device=ids, depth=1):
                interfaces[str(i.device.id)].append((i.name, _tags(i)))
        out = []
        for d in raw:
            cf = d.custom_fields or {}
            host = str(d.primary_ip4.host) if d.primary_ip4 else None
            out.append(DeviceFacts(
                name=d.name, role=_name(d.role) or "", platform=platforms.get(str(d.platform.id)) if d.platform else None,
                rack=_name(d.rack), position=d.position, height_u=int(_name(d.device_type, "u_height") or 1),
                host=host, port=cf.get("colo_port"), credentials=_name(d.secrets_group),
                snmp_port=cf.get("colo_snmp_port"), snmp_credentials=cf.get("colo_snmp_credentials"),
                tags=_tags(d), outlets=tuple(sorted(outlets[str(d.id)], key=lambda o: o.number)),
                interfaces=tuple(interfaces[str(d.id)])))
        return tuple(out)

    def _prefixes(self, tree: set[str], names: dict[str, str]) -> tuple[PrefixFacts, ...]:
        out = []
        for p in self.api.ipam.prefixes.filter(tags=PUBLIC_TAG, depth=1):
            located = [str(loc.id) for loc in (p.locations or [])]
            if not tree.intersection(located):
                continue
            addresses = tuple((str(a.host), _tags(a)) for a in self.api.ipam.ip_addresses.filter(prefix=str(p.prefix), depth=1))
            where = tuple(names[i] for i in located if i in names)
            out.append(PrefixFacts(str(p.prefix), _name(p.vlan, "vid"), _name(p.vlan), where, addresses))
        return tuple(out)

    # -- writing back ---------------------------------------------------------------------------------------

    def _support(self) -> None:
        """The tag, role, manufacturer and device type colo's own objects use: found by name, else created."""
        if self._support_ready:
            return
        a = self.api
        if not a.extras.tags.get(name=COLO_TAG):
            a.extras.tags.create(name=COLO_TAG, content_types=["dcim.device", "ipam.ipaddress", "tenancy.tenant"])
        if not a.extras.roles.get(name=SERVER_ROLE):
            a.extras.roles.create(name=SERVER_ROLE, content_types=["dcim.device"])
        maker = a.dcim.manufacturers.get(name=MAKER) or a.dcim.manufacturers.create(name=MAKER)
        if not a.dcim.device_types.get(model=SERVER_TYPE):
            kind = a.dcim.device_types.create(model=SERVER_TYPE, manufacturer=maker.id, u_height=1)
            a.dcim.interface_templates.create(device_type=kind.id, name="eth0", type="1000base-t")
        self._support_ready = True

    def write(self, intents: Sequence[Intent], batch: int) -> WriteReport:
        report = WriteReport()
        before = self.requests
        with self._calls("writing back"):
            self._support()
            by_kind: dict[tuple[str, bool], list[Intent]] = defaultdict(list)
            for it in intents:
                by_kind[it.kind, it.remove].append(it)
            # returned objects first: a new contract's server may take the units a decommissioned one left
            for chunk in _chunks(by_kind["ip", True], batch):
                self._delete(self.api.ipam.ip_addresses, self._found_ips(chunk), report)
            for chunk in _chunks(by_kind["server", True], batch):
                self._delete(self.api.dcim.devices, self._found_servers(chunk), report)
            for chunk in _chunks(by_kind["tenant", False], batch):
                self._tenants(chunk, report)
            for chunk in _chunks(by_kind["server", False], batch):
                self._servers(chunk, report)
            for chunk in _chunks(by_kind["ip", False], batch):
                self._addresses(chunk, report)
            for chunk in _chunks(by_kind["port", False] + by_kind["port", True], batch):
                self._ports(chunk, report)
        report.requests = self.requests - before
        return report

    def _tenants(self, chunk: list[Intent], report: WriteReport) -> None:
        have = {t.name for t in self.api.tenancy.tenants.filter(name=[it.key[0] for it in chunk])}
        new = [{"name": it.key[0], "tags": [{"name": COLO_TAG}]} for it in chunk if it.key[0] not in have]
        if new:
            self.api.tenancy.tenants.create(new)
            report.created += len(new)

    def _found_servers(self, chunk: list[Intent]) -> dict[str, Any]:
        return {d.name: d for d in self.api.dcim.devices.filter(name=[it.key[0] for it in chunk], depth=1)}

    def _server_body(self, f: dict[str, Any]) -> dict[str, Any]:
        return {"status": {"name": f["status"]}, "tenant": {"name": f["tenant"]}, "serial": f["serial"],
                "rack": {"name": f["rack"], "location__name": f["location"]}, "position": f["position"], "face": "front"}

    def _servers(self, chunk: list[Intent], report: WriteReport) -> None:
        have = self._found_servers(chunk)
        new, changed = [], []
        for it in chunk:
            f, d = it.fields, have.get(it.key[0])
            if d is None:
                new.append({"name": f["name"], "device_type": {"model": SERVER_TYPE}, "role": {"name": SERVER_ROLE},
                            "location": {"name": f["location"]}, "tags": [{"name": COLO_TAG}]} | self._server_body(f))
            elif _server_fields(d) != {k: f[k] for k in ("status", "tenant", "serial", "rack", "position")}:
                changed.append({"id": str(d.id)} | self._server_body(f))
        self._save(self.api.dcim.devices, new, changed, report)
        macs = {it.key[0]: it.fields["mac"] for it in chunk if it.fields.get("mac")}
        if macs:
            nics = self.api.dcim.interfaces.filter(device=list(macs), name="eth0", depth=1)
            fix = [{"id": str(n.id), "mac_address": macs[n.device.name]} for n in nics
                   if (n.mac_address or "").lower() != macs[n.device.name].lower()]
            self._save(self.api.dcim.interfaces, [], fix, report)

    def _found_ips(self, chunk: list[Intent]) -> dict[str, Any]:
        return {str(a.host): a for a in self.api.ipam.ip_addresses.filter(address=[it.key[0] for it in chunk], depth=1)}

    def _addresses(self, chunk: list[Intent], report: WriteReport) -> None:
        have = self._found_ips(chunk)
        new, changed = [], []
        for it in chunk:
            f, a = it.fields, have.get(it.key[0])
            body = {"status": {"name": f["status"]}, "tenant": {"name": f["tenant"]}, "description": f["description"]}
            if a is None:
                new.append(body | {"address": f["address"], "namespace": {"name": "Global"}, "tags": [{"name": COLO_TAG}]})
            elif _ip_fields(a) != {k: f[k] for k in ("status", "tenant", "description")}:
                changed.append({"id": str(a.id)} | body)
        self._save(self.api.ipam.ip_addresses, new, changed, report)
        have = self._found_ips(chunk) if new else have
        nics = {n.device.name: n for n in self.api.dcim.interfaces.filter(
            device=sorted({it.fields["server"] for it in chunk}), name="eth0", depth=1)}
        linked = {(str(x.ip_address.id), str(x.interface.id)) for x in self.api.ipam.ip_address_to_interface.filter(
            ip_address=[str(a.id) for a in have.values()], depth=1)} if have else set()
        links = [{"ip_address": str(have[it.key[0]].id), "interface": str(nics[it.fields["server"]].id)} for it in chunk
                 if it.key[0] in have and it.fields["server"] in nics
                 and (str(have[it.key[0]].id), str(nics[it.fields["server"]].id)) not in linked]
        self._save(self.api.ipam.ip_address_to_interface, links, [], report)

    def _found_ports(self, chunk: list[Intent]) -> dict[tuple[str, str], Any]:
        found = self.api.dcim.interfaces.filter(device=sorted({it.key[0] for it in chunk}),
                                                name=sorted({it.key[1] for it in chunk}), depth=1)
        return {(i.device.name, i.name): i for i in found}

    def _ports(self, chunk: list[Intent], report: WriteReport) -> None:
        have = self._found_ports(chunk)
        vlans = self._vlans({it.fields["vlan"] for it in chunk if it.fields.get("vlan") is not None})
        changed = []
        for it in chunk:
            i = have.get((it.key[0], it.key[1]))
            if i is None:
                raise OperationFailed(f"Nautobot at {self.url} has no interface {it.key[1]} on {it.key[0]}: "
                                      f"re-import the site, or add the interface")
            want = {k: it.fields[k] for k in ("description", "mode", "vlan", "enabled")}
            if _port_fields(i) != want:
                changed.append({"id": str(i.id), "description": want["description"], "mode": want["mode"] or "",
                                "enabled": want["enabled"],
                                "untagged_vlan": vlans[want["vlan"]] if want["vlan"] is not None else None})
        self._save(self.api.dcim.interfaces, [], changed, report)

    def _vlans(self, vids: set[int]) -> dict[int, str]:
        found = {int(v.vid): str(v.id) for v in self.api.ipam.vlans.filter(vid=sorted(vids))} if vids else {}
        missing = vids - set(found)
        if missing:
            raise OperationFailed(f"Nautobot at {self.url} has no VLAN {', '.join(map(str, sorted(missing)))}: "
                                  f"re-import the site, or add the VLAN")
        return found

    def _save(self, endpoint: Any, new: list[dict[str, Any]], changed: list[dict[str, Any]], report: WriteReport) -> None:
        if new:
            endpoint.create(new)
            report.created += len(new)
        if changed:
            endpoint.update(changed)
            report.updated += len(changed)

    def _delete(self, endpoint: Any, found: dict[Any, Any], report: WriteReport) -> None:
        if found:
            endpoint.delete([str(o.id) for o in found.values()])
            report.deleted += len(found)

    # -- reading back (drift) -------------------------------------------------------------------------------

    def read(self, intents: Sequence[Intent]) -> dict[Key, dict[str, Any] | None]:
        out: dict[Key, dict[str, Any] | None] = {}
        with self._calls("reading objects back"):
            for kind, find, fields in (("tenant", self._found_tenants, lambda t: {"name": t.name}),
                                       ("server", self._found_servers, self._server_read),
                                       ("ip", self._found_ips, _ip_fields),
                                       ("port", self._found_ports, _port_fields)):
                mine = [it for it in intents if it.kind == kind]
                for chunk in _chunks(mine, 100):
                    found = find(chunk)
                    for it in chunk:
                        obj = found.get(it.key if kind == "port" else it.key[0])
                        out[kind, it.key] = None if obj is None else fields(obj)
        return out

    def _found_tenants(self, chunk: list[Intent]) -> dict[str, Any]:
        return {t.name: t for t in self.api.tenancy.tenants.filter(name=[it.key[0] for it in chunk])}

    def _server_read(self, d: Any) -> dict[str, Any]:
        nic = self.api.dcim.interfaces.get(device=str(d.id), name="eth0")
        return _server_fields(d) | {"mac": (nic.mac_address or None) if nic else None}


def _server_fields(d: Any) -> dict[str, Any]:
    return {"status": _name(d.status), "tenant": _name(d.tenant), "serial": d.serial or "", "rack": _name(d.rack),
            "position": d.position}


def _ip_fields(a: Any) -> dict[str, Any]:
    return {"status": _name(a.status), "tenant": _name(a.tenant), "description": a.description or ""}


def _port_fields(i: Any) -> dict[str, Any]:
    mode = getattr(i.mode, "value", i.mode) or None
    return {"description": i.description or "", "mode": mode, "vlan": _name(i.untagged_vlan, "vid"),
            "enabled": bool(i.enabled)}
