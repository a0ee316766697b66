"""The source-of-truth adapter: one interface, one implementation per DCIM/IPAM product.

In the spirit of NAPALM's driver base: the getter returns normalised facts with a
documented shape, whatever the product's API calls things, and the writer takes
normalised objects (`Intent`) keyed by their natural key. Everything colo decides about
those facts and objects lives in `provision.sot.mapping` (pure, no I/O); an adapter only
moves them over the wire. Nautobot (pynautobot) is the first implementation; the README
says what a NetBox (pynetbox) one changes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Feed:
    """A power feed to a rack: primary feeds add to the rack's budget, redundant ones back them up."""

    name: str
    kind: str  # primary | redundant
    watts: int


@dataclass(frozen=True)
class RackFacts:
    name: str
    room: str | None  # the location the rack stands in, when it is below the site
    height_u: int
    group: str | None  # rack group: the racks an access switch of that group serves
    reserved_units: tuple[int, ...]  # rack reservations
    feeds: tuple[Feed, ...]


@dataclass(frozen=True)
class Outlet:
    number: int
    unit: int | None  # the rack unit it feeds (custom field colo_unit)
    feed: str  # mains | ups (custom field colo_feed)


@dataclass(frozen=True)
class DeviceFacts:
    name: str
    role: str
    platform: str | None  # the platform's network driver, else its name
    rack: str | None
    position: int | None
    height_u: int
    host: str | None  # primary IPv4 address, without its mask
    port: int | None  # custom field colo_port
    credentials: str | None  # the device's secrets group name
    snmp_port: int | None = None
    snmp_credentials: str | None = None
    tags: tuple[str, ...] = ()
    outlets: tuple[Outlet, ...] = ()
    interfaces: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, tags)


@dataclass(frozen=True)
class PrefixFacts:
    prefix: str
    vlan_vid: int | None
    vlan_name: str | None
    locations: tuple[str, ...]
    addresses: tuple[tuple[str, tuple[str, ...]], ...]  # (address without mask, tags) recorded inside it


@dataclass(frozen=True)
class SiteFacts:
    location: str
    time_zone: str | None
    rooms: tuple[str, ...]  # the site's descendant locations, parents first
    racks: tuple[RackFacts, ...]
    devices: tuple[DeviceFacts, ...]
    prefixes: tuple[PrefixFacts, ...]
    parents: dict[str, str | None] = field(default_factory=dict)  # location -> its parent (for prefix scope)
    dns: tuple[str, ...] = ()  # the site's resolvers (custom field colo_dns, comma-separated)


@dataclass(frozen=True)
class Intent:
    """One object as colo wants it: `kind` (tenant, server, ip, port), its natural key, and its fields.

    `remove` asks for the object to be returned: deleted where colo created it (server,
    address), reset where the site owns it (a switch port).
    """

    kind: str
    key: tuple[str, ...]
    fields: dict[str, Any]
    remove: bool = False


@dataclass
class WriteReport:
    requests: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"requests": self.requests, "created": self.created, "updated": self.updated, "deleted": self.deleted}


class SourceOfTruth(ABC):
    """What colo needs from a DCIM/IPAM product. Every method raises ColoError subclasses only:
    BadInput for a refused token or a missing location, OperationFailed when the server is
    unreachable or fails."""

    @abstractmethod
    def site(self, location: str) -> SiteFacts:
        """Everything under one location (by name or id) that an inventory is built from."""

    @abstractmethod
    def write(self, intents: Sequence[Intent], batch: int) -> WriteReport:
        """Make the objects match, `batch` objects per request; safe to repeat after any failure:
        every object is looked up by its natural key before it is created."""

    @abstractmethod
    def read(self, intents: Sequence[Intent]) -> dict[tuple[str, tuple[str, ...]], dict[str, Any] | None]:
        """The objects' current fields as the intents name them (None: absent), for drift."""
