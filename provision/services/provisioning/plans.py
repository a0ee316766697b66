"""Plans: what a device change will do, computed against the devices as they are now.

A plan is plain JSON. It names devices, never secrets; it carries the exact commands
per switch and outlet, the state each port and outlet had when it was planned, and a
fingerprint of the store's records, so it can be reviewed in CI and applied later
exactly as reviewed — or refused, with what changed, if anything drifted since.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provision.domain.portconfig import Binding, PortIntent, port_description
from provision.domain.portfacts import PortFacts, released
from provision.drivers.switch.config import Stanza
from provision.drivers.switch.portsyntax import Desired
from provision.errors import BadInput, Refused
from provision.services.context import SiteInfo, site_id
from provision.services.contract_view import placements_view
from provision.services.contracts import customer_key, get_contract
from provision.services.provisioning import devices
from provision.store.schema import Customer, Outlet, Pdu, Placement, Rack, Unit

FORMAT = "colo-plan/2"  # 2: ports as facts, not lines
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class PortTarget:
    contract: str
    position: int  # 1-based, as technicians count servers
    switch: str
    intent: PortIntent


@dataclass(frozen=True)
class OutletTarget:
    contract: str
    position: int
    rack: str
    pdu: str
    outlets: tuple[int, ...]
    on: bool


@dataclass
class Targets:
    """Everything the store says the devices should hold for a set of contracts."""

    contracts: dict[str, str]  # id → fingerprint of the records the plan relies on
    ports: list[PortTarget]
    outlets: list[OutletTarget]
    ip_sheet: list[dict[str, Any]]
    racks: dict[str, dict[str, int]]  # rack → budget_w, committed_w (others), contract_w
    rack_outlets: dict[str, list[tuple[str, int]]]  # rack → every (pdu, outlet) feeding it
    release: bool = False  # decommission: ports back to the platform's clean default


def fingerprint(record: Any) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:16]


def targets(s: Session, site: SiteInfo, contract_ids: Sequence[str], states: Iterable[str], power_on: bool = True,
            port_up: bool = True, release: bool = False) -> Targets:
    """Read the intended device state of `contract_ids`, refusing contracts not in `states`.

    `port_up=False` is a suspended service: everything stays configured, the port is shut.
    """
    allowed = tuple(states)
    out = Targets({}, [], [], [], {}, {}, release)
    for cid in contract_ids:
        contract = get_contract(s, cid)
        if contract.state not in allowed:
            raise Refused(f"contract {contract.id} is {contract.state}: this needs it to be {' or '.join(allowed)}")
        customer = s.get(Customer, contract.customer_id)
        assert customer is not None
        live = [p for p in placements_view(s, site, contract.id) if p["released_at"] is None]
        out.contracts[contract.id] = fingerprint({"state": contract.state, "bandwidth": contract.bandwidth_mbps,
                                                  "customer": customer_key(customer.name),
                                                  "placements": [{k: p[k] for k in ("position", "rack", "units", "port",
                                                                                   "addresses", "outlets", "server")}
                                                                 for p in live]})
        for p in live:
            position = p["position"] + 1
            mac = p["server"]["mac"].replace(":", "") if p["server"] else None
            if p["port"] is not None:
                vlans = {a["vlan"] for a in p["addresses"]}
                if len(vlans) != 1:
                    raise BadInput(f"contract {contract.id} server {position}: its addresses span VLANs {sorted(vlans)}; "
                                   f"one access port carries one VLAN — fix the pools")
                intent = PortIntent(
                    interface=p["port"]["interface"], vlan=vlans.pop(),
                    description=port_description(contract.id, position, customer.name),
                    bandwidth_mbps=contract.bandwidth_mbps,
                    bindings=tuple(Binding(ipaddress.IPv4Address(a["ip"]), mac) for a in p["addresses"]),
                    enabled=port_up)
                out.ports.append(PortTarget(contract.id, position, p["port"]["switch"], intent))
            by_pdu: dict[str, list[int]] = {}
            for o in p["outlets"]:
                by_pdu.setdefault(o["pdu"], []).append(o["outlet"])
            out.outlets += [OutletTarget(contract.id, position, p["rack"], pdu, tuple(ns), power_on)
                            for pdu, ns in by_pdu.items()]
            for a in p["addresses"]:
                net = ipaddress.IPv4Network(f"{a['ip']}/{a['prefix_len']}", strict=False)
                out.ip_sheet.append({"contract": contract.id, "server": position, "address": a["ip"],
                                     "prefix_len": a["prefix_len"], "netmask": str(net.netmask),
                                     "gateway": a["gateway"], "dns": list(site.dns), "vlan": a["vlan"]})
            rack = out.racks.setdefault(p["rack"], {"budget_w": 0, "committed_w": 0, "contract_w": 0})
            rack["contract_w"] += p["power_w"]
    ids = list(out.contracts)
    for name, rack in out.racks.items():
        row = s.scalar(select(Rack).where(Rack.site_id == site_id(s), Rack.name == name))
        assert row is not None
        rack["budget_w"] = row.power_budget_w
        rack["committed_w"] = s.scalar(select(func.coalesce(func.sum(Placement.power_w), 0)).where(
            Placement.rack_id == row.id, Placement.released_at.is_(None), Placement.contract_id.not_in(ids))) or 0
        out.rack_outlets[name] = [(pdu, n) for pdu, n in s.execute(
            select(Pdu.name, Outlet.number).join(Outlet, Outlet.pdu_id == Pdu.id).join(Unit, Unit.outlet_id == Outlet.id)
            .where(Unit.rack_id == row.id))]
    return out


def parallel(items: Sequence[T], fn: Callable[[T], R], workers: int = 16) -> list[R]:
    """Run `fn` over devices in threads: one session per device, devices in parallel."""
    if len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))


@dataclass(frozen=True)
class DeviceInfo:
    switches: dict[str, devices.SwitchInfo]
    pdus: dict[str, devices.PduInfo]


def device_info(s: Session, switch_names: Iterable[str], pdu_names: Iterable[str]) -> DeviceInfo:
    """Look devices up while the store is open; their I/O happens after it is closed.

    A SQLite write transaction must never wait on a switch: every other technician's
    command would wait with it.
    """
    return DeviceInfo(devices.switches(s, sorted(set(switch_names))), devices.pdus(s, sorted(set(pdu_names))))


def info_for_targets(s: Session, t: Targets) -> DeviceInfo:
    return device_info(s, (p.switch for p in t.ports),
                       [o.pdu for o in t.outlets] + [pdu for r in t.rack_outlets.values() for pdu, _ in r])


def info_for_plan(s: Session, plan: dict[str, Any]) -> DeviceInfo:
    return device_info(s, (sw["switch"] for sw in plan["switches"]), (p["pdu"] for p in plan["pdus"]))


def build(kind: str, t: Targets, info: DeviceInfo, now: datetime) -> dict[str, Any]:
    """Read every device the targets touch and write down the exact change, per device."""
    sw_info, pdu_info = info.switches, info.pdus

    def plan_switch(name: str) -> dict[str, Any]:
        info = sw_info[name]
        driver = info.driver()
        running = driver.running()
        ports, needs = [], []
        for target in (p for p in t.ports if p.switch == name):
            current = driver.read(running, target.intent.interface)
            desired = Desired(released(current.facts)) if t.release else driver.render(target.intent)
            needs += [st for st in desired.prerequisites if st not in needs]
            ports.append({"contract": target.contract, "server": target.position, "interface": current.interface,
                          "before": current.facts.as_dict(), "after": desired.facts.as_dict(),
                          "diff": current.facts.differences(desired.facts),
                          "commands": driver.change(current, desired.facts),
                          "unmanaged": list(current.unmanaged), "notes": list(desired.notes)})
        missing = [st for st in needs if not driver.has_prerequisite(running, st)]
        return {"switch": name, "platform": info.platform, "ports": ports,
                "prerequisites": [{"header": st.header, "children": list(st.children)} for st in missing],
                "prerequisite_commands": driver.ensure(running, missing)}

    def read_pdu(name: str) -> dict[str, Any]:
        driver = pdu_info[name].driver()
        mine = sorted({n for o in t.outlets if o.pdu == name for n in o.outlets})
        feeding = sorted({n for r in t.rack_outlets.values() for pdu, n in r if pdu == name} | set(mine))
        return {"pdu": name, "platform": pdu_info[name].platform, "states": driver.outlet_states(mine) if mine else {},
                "watts": driver.outlet_power_w(feeding) if feeding else {}}

    switches = parallel(sorted(sw_info), plan_switch)
    # SNMP stays on this thread: a PDU's reads are a few milliseconds each
    pdu_reads = {name: read_pdu(name) for name in sorted(pdu_info)}
    pdus = []
    for name in sorted({o.pdu for o in t.outlets}):
        read = pdu_reads[name]
        outlets = {str(n): {"contract": o.contract, "server": o.position, "before": read["states"][n], "after": o.on}
                   for o in t.outlets if o.pdu == name for n in o.outlets}
        pdus.append({"pdu": name, "platform": read["platform"], "outlets": outlets,
                     "changes": sorted((int(n) for n, v in outlets.items() if v["before"] != v["after"]))})
    mine = {(o.pdu, n) for o in t.outlets for n in o.outlets}
    power = []
    for rack, r in sorted(t.racks.items()):
        measured = sum(pdu_reads[pdu]["watts"].get(n, 0.0) for pdu, n in t.rack_outlets[rack] if (pdu, n) not in mine)
        load = max(r["committed_w"], measured)
        power.append({"rack": rack, "budget_w": r["budget_w"], "committed_w": r["committed_w"],
                      "measured_w": round(measured, 1), "contract_w": r["contract_w"],
                      "headroom_w": round(r["budget_w"] - load - r["contract_w"], 1)})
    plan: dict[str, Any] = {"format": FORMAT, "kind": kind, "contracts": t.contracts, "planned_at": now.isoformat(),
            "switches": switches, "pdus": pdus, "power": power, "ip_sheet": t.ip_sheet}
    plan["changes"] = change_count(plan)
    plan["digest"] = digest(plan)
    return plan


def check_power(plan: dict[str, Any]) -> None:
    over = [p for p in plan["power"] if p["headroom_w"] < 0]
    if over:
        p = over[0]
        raise Refused(f"rack {p['rack']} power budget {p['budget_w']} W would be exceeded: load "
                      f"{max(p['committed_w'], p['measured_w'])} W + this contract's {p['contract_w']} W; "
                      f"move the contract to another rack or raise power_budget_w in the inventory")


def change_count(plan: dict[str, Any]) -> int:
    return (sum(1 for sw in plan["switches"] for p in sw["ports"] if p["commands"])
            + sum(1 for sw in plan["switches"] if sw["prerequisite_commands"])
            + sum(len(p["changes"]) for p in plan["pdus"]))


def digest(plan: dict[str, Any]) -> str:
    body = {k: v for k, v in plan.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def load(text: str, source: str) -> dict[str, Any]:
    """Parse a saved plan, refusing anything edited after review."""
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{source}: not a plan file ({e.msg} at line {e.lineno}); create one with "
                       f"`colo provision ID --dry-run --out FILE`") from None
    if not isinstance(plan, dict) or plan.get("format") != FORMAT:
        raise BadInput(f"{source}: not a {FORMAT} plan; create one with `colo provision ID --dry-run --out FILE`")
    if plan.get("digest") != digest(plan):
        raise Refused(f"{source}: the plan was changed after it was written (digest mismatch); "
                      f"plan again instead of editing it")
    return plan


def drift(plan: dict[str, Any], t: Targets, info: DeviceInfo) -> list[str]:
    """What differs between the plan's preconditions and the store and devices now."""
    found = []
    for cid, fp in plan["contracts"].items():
        if t.contracts.get(cid) != fp:
            found.append(f"contract {cid}: its records changed in the store since the plan (state, placement, "
                         f"addresses or server)")
    sw_info = info.switches

    def check_switch(sw: dict[str, Any]) -> list[str]:
        driver = sw_info[sw["switch"]].driver()
        running = driver.running()
        out = []
        for port in sw["ports"]:
            now = driver.read(running, port["interface"]).facts
            before = PortFacts.from_dict(port["before"])
            if now != before:
                out.append(f"{sw['switch']} {port['interface']} changed since the plan: "
                           + "; ".join(before.differences(now)))
        wanted_missing = [Stanza(p["header"], tuple(p["children"])) for p in sw["prerequisites"]]
        for st in wanted_missing:
            if driver.has_prerequisite(running, st):
                out.append(f"{sw['switch']}: '{st.header}' exists now but did not when planned")
        return out

    for lines in parallel(plan["switches"], check_switch):
        found += lines
    for p in plan["pdus"]:
        states = info.pdus[p["pdu"]].driver().outlet_states([int(n) for n in p["outlets"]])
        for n, o in p["outlets"].items():
            if states[int(n)] != o["before"]:
                found.append(f"{p['pdu']} outlet {n} is {'on' if states[int(n)] else 'off'} now, "
                             f"{'on' if o['before'] else 'off'} when planned")
    return found

