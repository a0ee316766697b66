"""The datacenter inventory as the operator writes it: strict, typed, cross-checked.

Every model forbids unknown keys, so a typo ("heigth_u") is an error instead of a
silently ignored setting, and a secret pasted into the inventory is refused.
Units, outlets and ports may be written as ranges ("3-40", "GigabitEthernet1/0/1-44")
because a real site has thousands of them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from provision.domain.placement import expand_interfaces, expand_numbers

SECRET_KEYS = frozenset({"password", "secret", "community", "enable_password", "auth_key", "priv_key"})

# Bounds that keep a mistyped inventory from exhausting memory or time (each is said in its error).
MAX_RANGE = 4096             # numbers or ports one range may stand for ("1-1000000000" is a typo)
MAX_LISTED = 1_000_000       # units, outlets and ports of the whole inventory once ranges are written out
MAX_ADDRESSES = 2**20        # addresses of all pools: `colo init` stores each (a /12 takes ~30 s, a /8 hours)

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Loc = tuple[str | int, ...]


class Budget:
    """Units, outlets and ports the inventory may still list; load_inventory passes one as validation context."""

    def __init__(self, limit: int = MAX_LISTED) -> None:
        self.left = limit

    def take(self, n: int) -> bool:
        """Charge n items; False once spent (the first overdraft raises, later fields are just not expanded)."""
        if self.left < 0:
            return False
        self.left -= n
        if self.left < 0:
            raise ValueError(f"the inventory lists more than {MAX_LISTED:,} units, outlets and ports once ranges "
                             f"are written out: split the site or check the ranges")
        return True


_TAIL_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)\s*$")  # the range both expanders read: the numbers at the end


def _afford(pieces: list[str], info: ValidationInfo) -> bool:
    """Count what the pieces stand for before expanding them; a range over MAX_RANGE is refused by name."""
    total = 0
    for piece in pieces:
        m = _TAIL_RANGE.search(piece)
        n = int(m[2]) - int(m[1]) + 1 if m else 1
        if n > MAX_RANGE:
            raise ValueError(f"{piece.strip()!r} stands for {n:,} items; a range may list at most {MAX_RANGE:,}")
        total += max(n, 1)
    budget = info.context.get("listed") if isinstance(info.context, dict) else None
    return budget is None or budget.take(total)


def _numbers(value: object, info: ValidationInfo) -> list[int]:
    items = value if isinstance(value, list) else [value]
    specs = [item for item in items if isinstance(item, (int, str))]
    if len(specs) < len(items):
        raise ValueError("give a number, a range like 3-40, or a list of them")
    if not _afford([p for spec in specs for p in str(spec).split(",")], info):
        return []
    return [n for spec in specs for n in expand_numbers(spec)]


def _interfaces(value: object, info: ValidationInfo) -> list[str]:
    items = [str(item) for item in (value if isinstance(value, list) else [value])]
    if not _afford(items, info):
        return []
    return [name for item in items for name in expand_interfaces(item)]


Numbers = Annotated[list[int], BeforeValidator(_numbers)]
Interfaces = Annotated[list[str], BeforeValidator(_interfaces)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Feed(Strict):
    """PDU outlets feeding rack units, paired in order: outlets 1-24 -> units 3-26.

    `feed: ups` marks a second, UPS-backed feed beside a unit's mains feed: power is
    lost only when both are (DOMAIN §3).
    """

    pdu: Name
    outlets: Numbers
    units: Numbers
    feed: Literal["mains", "ups"] = "mains"


class Rack(Strict):
    name: Name
    height_u: int = Field(ge=1, le=60)
    reserved_units: Numbers = []
    power_budget_w: int = Field(gt=0, le=100_000)
    feeds: list[Feed] = []


class Room(Strict):
    name: Name
    racks: list[Rack] = Field(min_length=1)


class Device(Strict):
    """What switches and PDUs share: where to reach them and which secret opens them."""

    name: Name
    host: str
    port: int = Field(ge=1, le=65535)
    credentials: Name = Field(description="key of the secret in COLO_SECRETS / the environment")

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            if not re.fullmatch(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+", v):
                raise ValueError("give an IP address or a DNS name") from None
            if all(label.isdigit() for label in v.rstrip(".").split(".")):
                raise ValueError("looks like an IPv4 address but is not one: give an IP address or a DNS name") from None
        return v


class SnmpAccess(Strict):
    """Read-only SNMP (IF-MIB) on a switch: how link and admin state are verified."""

    port: int = Field(default=161, ge=1, le=65535)
    credentials: Name = Field(description="key of the SNMP community in COLO_SECRETS / the environment")


# The real switch models each platform can behave like; the first is the platform's default.
# Drivers and the lab's simulators key model-specific behaviour on these names.
PERSONALITIES: dict[str, tuple[str, ...]] = {
    "cisco_ios": ("catalyst-3560-ios15", "catalyst-9300-iosxe16"),
    "huawei_vrp": ("s5720-v200r", "s5700-v100r"),
    "hp_comware": ("s5130-comware7",),
}


class Switch(Device):
    platform: Literal["cisco_ios", "huawei_vrp", "hp_comware"]
    port: int = Field(default=22, ge=1, le=65535)
    snmp: SnmpAccess | None = None
    access_ports: Interfaces = Field(min_length=1)
    uplinks: Interfaces = []
    racks: list[Name] = Field(min_length=1)
    personality: str | None = Field(default=None, description="the switch model's CLI behaviour; see PERSONALITIES")

    @field_validator("personality")
    @classmethod
    def _personality(cls, v: str | None, info: ValidationInfo) -> str | None:
        """Only a personality of the switch's own platform: the wrong one would mislead the drivers."""
        allowed = PERSONALITIES.get(info.data.get("platform", ""), ())
        if v is not None and allowed and v not in allowed:
            raise ValueError(f"not a {info.data['platform']} personality: give one of {', '.join(allowed)}")
        return v

    def effective_personality(self) -> str:
        """The personality as written, else the platform's default (the first in PERSONALITIES)."""
        return self.personality or PERSONALITIES[self.platform][0]


class Pdu(Device):
    platform: Literal["apc_rpdu2", "raritan_px2"]
    port: int = Field(default=161, ge=1, le=65535)
    outlets: int = Field(ge=1, le=96)


class Pool(Strict):
    name: Name
    prefix: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address
    vlan: int = Field(ge=2, le=4094)
    reserved: list[str] = []
    racks: list[Name] = Field(min_length=1)

    @field_validator("prefix", mode="before")
    @classmethod
    def _strict_prefix(cls, v: object) -> object:
        try:
            ipaddress.IPv4Network(str(v), strict=True)
        except ValueError as e:
            raise ValueError(f"not an IPv4 network with its host bits zero ({e})") from None
        return v

    def reserved_addresses(self) -> set[ipaddress.IPv4Address]:
        """Network, broadcast, gateway, plus the operator's list ('a', 'a-b' or CIDR)."""
        out = {self.prefix.network_address, self.prefix.broadcast_address, self.gateway}
        for item in self.reserved:
            first, last = _range_ends(item)
            out.update(ipaddress.IPv4Address(n) for n in range(int(first), int(last) + 1))
        return out


def _range_ends(item: str) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    """First and last address of 'a', 'a-b' or a CIDR; checked by its ends, never enumerated."""
    if "/" in item:
        net = ipaddress.IPv4Network(item, strict=True)
        return net.network_address, net.broadcast_address
    if "-" in item:
        first, last = (ipaddress.IPv4Address(p.strip()) for p in item.split("-", 1))
        if last < first:
            raise ValueError(f"address range {item!r} runs backwards")
        return first, last
    address = ipaddress.IPv4Address(item.strip())
    return address, address


class Site(Strict):
    name: Name
    timezone: str = "Asia/Shanghai"
    dns: list[ipaddress.IPv4Address] = Field(default=[], max_length=4)
    address_quarantine_days: int = Field(default=30, ge=0, le=365)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA timezone: give e.g. Asia/Shanghai") from None
        return v


class Inventory(Strict):
    site: Site
    calendar: dict[date, Literal["workday", "holiday"]] = {}
    rooms: list[Room] = Field(min_length=1)
    switches: list[Switch] = []
    pdus: list[Pdu] = []
    pools: list[Pool] = []

    def racks(self) -> Iterator[tuple[Room, Rack]]:
        for room in self.rooms:
            for rack in room.racks:
                yield room, rack


def cross_check(inv: Inventory) -> list[tuple[Loc, str]]:
    """References and overlaps that a single field cannot see; each with its location."""
    problems: list[tuple[Loc, str]] = []
    rack_locs = {rack.name: ("rooms", ri, "racks", ki) for ri, room in enumerate(inv.rooms)
                 for ki, rack in enumerate(room.racks)}
    _unique(problems, [(("rooms", i), r.name) for i, r in enumerate(inv.rooms)], "room")
    _unique(problems, [(("rooms", ri, "racks", ki), rack.name) for ri, room in enumerate(inv.rooms)
                       for ki, rack in enumerate(room.racks)], "rack")
    _unique(problems, [(("switches", i), s.name) for i, s in enumerate(inv.switches)], "switch")
    _unique(problems, [(("pdus", i), p.name) for i, p in enumerate(inv.pdus)], "PDU")
    _unique(problems, [(("pools", i), p.name) for i, p in enumerate(inv.pools)], "pool")

    pdus = {p.name: p for p in inv.pdus}
    outlet_owner: dict[tuple[str, int], str] = {}
    for ri, room in enumerate(inv.rooms):
        for ki, rack in enumerate(room.racks):
            _check_rack(problems, ("rooms", ri, "racks", ki), rack, pdus, outlet_owner)

    for si, sw in enumerate(inv.switches):
        _check_ports(problems, ("switches", si), sw)
        for ri, name in enumerate(sw.racks):
            if name not in rack_locs:
                problems.append((("switches", si, "racks", ri), f"rack {name!r} is not in any room: add it or fix the name"))

    for pi, pool in enumerate(inv.pools):
        _check_pool(problems, ("pools", pi), pool, rack_locs)
    _check_overlaps(problems, inv.pools)
    _check_pool_sizes(problems, inv.pools)
    return problems


def _check_reserved(problems: list[tuple[Loc, str]], loc: Loc, pool: Pool) -> None:
    """Reserved entries lie inside the pool and, since `colo init` writes each out, add up to no more than it."""
    reserved = 0
    for i, item in enumerate(pool.reserved):
        try:
            first, last = _range_ends(item)
        except ValueError as e:
            problems.append((loc + ("reserved", i), f"{item!r}: {e}; give an address, a-b range or CIDR"))
            continue
        if first not in pool.prefix or last not in pool.prefix:
            outside = first if first not in pool.prefix else pool.prefix.broadcast_address + 1
            problems.append((loc + ("reserved", i), f"{item!r} reaches outside {pool.prefix} ({outside}): "
                                                    f"reserve only addresses of the pool"))
            continue
        reserved += int(last) - int(first) + 1
        if reserved > pool.prefix.num_addresses:
            problems.append((loc + ("reserved", i), f"the reserved ranges add up to more than the "
                                                    f"{pool.prefix.num_addresses:,} addresses of {pool.prefix}: "
                                                    f"list each range once"))
            return


def _check_overlaps(problems: list[tuple[Loc, str]], pools: list[Pool]) -> None:
    """Pools must be disjoint. Two CIDR blocks overlap only when one holds the other, so in address
    order each pool is compared with the one reaching furthest before it: n log n, not every pair."""
    widest: tuple[int, Pool] | None = None
    for i, pool in sorted(enumerate(pools), key=lambda e: (int(e[1].prefix.network_address), e[1].prefix.prefixlen)):
        if widest is not None and pool.prefix.overlaps(widest[1].prefix):
            (_, first), (b, second) = sorted([widest, (i, pool)], key=lambda e: e[0])
            problems.append((("pools", b, "prefix"), f"{second.prefix} overlaps pool {first.name} "
                                                     f"({first.prefix}): pools must be disjoint"))
        if widest is None or pool.prefix.broadcast_address > widest[1].prefix.broadcast_address:
            widest = (i, pool)


def _check_pool_sizes(problems: list[tuple[Loc, str]], pools: list[Pool]) -> None:
    """`colo init` stores every address of every pool: a /8 would keep it busy for hours."""
    total = 0
    for i, pool in enumerate(pools):
        total += pool.prefix.num_addresses
        if total > MAX_ADDRESSES:
            problems.append((("pools", i, "prefix"), f"{pool.prefix} brings the pools to {total:,} addresses; a site "
                                                     f"may have at most {MAX_ADDRESSES:,} (one /12, or four /14s): "
                                                     f"give the pools the customers' share only"))
            return


def _unique(problems: list[tuple[Loc, str]], entries: list[tuple[Loc, str]], what: str) -> None:
    seen: set[str] = set()
    for loc, name in entries:
        if name in seen:
            problems.append((loc + ("name",), f"{what} {name!r} is defined twice: rename one"))
        seen.add(name)


def _check_rack(problems: list[tuple[Loc, str]], loc: Loc, rack: Rack, pdus: dict[str, Pdu],
                outlet_owner: dict[tuple[str, int], str]) -> None:
    for u in rack.reserved_units:
        if not 1 <= u <= rack.height_u:
            problems.append((loc + ("reserved_units",), f"unit {u} is outside the rack's 1-{rack.height_u}"))
    fed: dict[str, set[int]] = {"mains": set(), "ups": set()}
    for fi, feed in enumerate(rack.feeds):
        floc = loc + ("feeds", fi)
        pdu = pdus.get(feed.pdu)
        if pdu is None:
            problems.append((floc + ("pdu",), f"PDU {feed.pdu!r} is not in pdus: add it or fix the name"))
        if len(feed.outlets) != len(feed.units):
            problems.append((floc, f"{len(feed.outlets)} outlets for {len(feed.units)} units: "
                                   "outlets and units pair one to one"))
        for outlet in feed.outlets:
            if pdu is not None and not 1 <= outlet <= pdu.outlets:
                problems.append((floc + ("outlets",), f"outlet {outlet} does not exist on {pdu.name} (1-{pdu.outlets})"))
            if (feed.pdu, outlet) in outlet_owner:
                problems.append((floc + ("outlets",), f"outlet {feed.pdu}:{outlet} already feeds rack "
                                                      f"{outlet_owner[feed.pdu, outlet]}: each outlet feeds one unit"))
            outlet_owner[feed.pdu, outlet] = rack.name
        for u in feed.units:
            if not 1 <= u <= rack.height_u:
                problems.append((floc + ("units",), f"unit {u} is outside the rack's 1-{rack.height_u}"))
            elif u in fed[feed.feed]:
                problems.append((floc + ("units",), f"unit {u} has two {feed.feed} feeds: give each unit one "
                                                    f"mains outlet and at most one ups outlet"))
            fed[feed.feed].add(u)
    for u in sorted(fed["ups"] - fed["mains"]):
        problems.append((loc + ("feeds",), f"unit {u} has a ups feed but no mains feed: feed it from mains too"))


def _check_ports(problems: list[tuple[Loc, str]], loc: Loc, sw: Switch) -> None:
    seen: set[str] = set()
    for port in sw.access_ports:
        if port.lower() in seen:
            problems.append((loc + ("access_ports",), f"port {port} is listed twice: list each port once"))
        seen.add(port.lower())
    for port in sw.uplinks:
        if port.lower() in seen:
            problems.append((loc + ("uplinks",), f"uplink {port} is also an access port: "
                                                 "uplinks are never handed to customers, remove it from access_ports"))


def _check_pool(problems: list[tuple[Loc, str]], loc: Loc, pool: Pool, rack_locs: Mapping[str, Loc]) -> None:
    if pool.gateway not in pool.prefix or pool.gateway in (pool.prefix.network_address, pool.prefix.broadcast_address):
        problems.append((loc + ("gateway",), f"gateway {pool.gateway} is not a host address of {pool.prefix}"))
    _check_reserved(problems, loc, pool)
    for ri, name in enumerate(pool.racks):
        if name not in rack_locs:
            problems.append((loc + ("racks", ri), f"rack {name!r} is not in any room: add it or fix the name"))
