"""The managed facts of one access port, whatever the vendor prints.

Drivers read a device's configuration into these facts and write them back as
commands; plans, read-back verification, drift checks and undo compare facts, never
text. A device that adds `cbs` to a rate limit, abbreviates an interface name in a
binding or prints VLANs as ranges still holds the same facts, and every line on the
port that is not one of them belongs to the site and is left alone.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from provision.errors import BadInput


@dataclass(frozen=True, order=True)
class Bound:
    """An address the port lets through: the IP, and the MAC and VLAN where the binding names them."""

    ip: str
    mac: str | None = None   # 12 lowercase hex digits
    vlan: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ip", str(ipaddress.IPv4Address(self.ip)))
        if self.mac is not None:
            object.__setattr__(self, "mac", canonical_mac(self.mac))

    def text(self) -> str:
        return " ".join([self.ip, *([f"mac {self.mac}"] if self.mac else []),
                         *([f"vlan {self.vlan}"] if self.vlan is not None else [])])


@dataclass(frozen=True)
class PortFacts:
    """What a port does for its tenant. `None` / `False` / empty is the platform's default.

    `mode` is the switchport / link type; `guard` the anti-spoofing check in force as
    the platform names it ("ip" or "ip+mac" on Cisco and H3C, "user-bind" on Huawei);
    `egress_percent` is Catalyst's srr-queue share of the port speed, the only egress
    limit classic IOS has.
    """

    description: str | None = None
    mode: str | None = None
    vlan: int | None = None
    rate_in_kbps: int | None = None
    rate_out_kbps: int | None = None
    egress_percent: int | None = None
    guard: str | None = None
    bindings: tuple[Bound, ...] = field(default=())
    shutdown: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "bindings", tuple(sorted(set(self.bindings))))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortFacts:
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or not set(data) <= known:
            raise BadInput(f"not a port's facts: {sorted(set(data) - known) if isinstance(data, dict) else data!r}; "
                           f"plan again with this version of colo")
        return cls(**(data | {"bindings": tuple(Bound(**b) for b in data.get("bindings", ()))}))

    def differences(self, other: PortFacts) -> list[str]:
        """`fact: mine → theirs` per differing fact, bindings as `- binding …` / `+ binding …` (readable drift)."""
        out = []
        for f in fields(self):
            if f.name == "bindings":
                continue
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out.append(f"{f.name}: {_show(a)} → {_show(b)}")
        out += [f"- binding {b.text()}" for b in self.bindings if b not in other.bindings]
        out += [f"+ binding {b.text()}" for b in other.bindings if b not in self.bindings]
        return out


def released(current: PortFacts) -> PortFacts:
    """A port handed back to the pool: shut, no trace of its last tenant, still the kind of port it was.

    The mode stays: an access port of the customer pool remains one, and the site's
    own choice of mode is not the tenant's to take away.
    """
    return PortFacts(mode=current.mode, shutdown=True)


def canonical_mac(text: str) -> str:
    """Any of 0011.2233.4455, 0011-2233-4455, 00:11:22:33:44:55 → 001122334455."""
    digits = re.sub(r"[.:-]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{12}", digits):
        raise BadInput(f"MAC {text!r} is not a MAC address like 0011-2233-4455")
    return digits


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return repr(value) if isinstance(value, str) else str(value)

