"""What a customer's switch port should carry, independent of any vendor's syntax.

A contract reaches a device command line only through this module: the description
is rebuilt from a strict alphabet, so a customer name can never add a configuration
line, answer a confirmation prompt or open a help screen on the switch.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from provision.errors import BadInput

DESCRIPTION_MAX = 64
# Letters, digits, space and punctuation that no platform treats specially. Excluded on
# purpose: `?` (help), `!` and `#` (comment / block separators), quotes, `|` (pipes),
# `\`, `;`, `%`, `$`, `<>`, `[]`, `{}`, control characters and everything non-ASCII.
_SAFE = re.compile(r"[^A-Za-z0-9 ._,()/&+@:=-]")
_SPACES = re.compile(r"\s+")


def port_description(contract_id: str, position: int, customer: str) -> str:
    """`C2026-0001 s1 ACME Hosting`: the contract id first so a technician can find it.

    Non-ASCII names (most Chinese company names) are transliterated where Unicode has
    a decomposition and dropped otherwise; the contract id alone still identifies the
    port, so nothing depends on the name surviving.
    """
    if not re.fullmatch(r"C\d{4}-\d{4}", contract_id):
        raise BadInput(f"contract id {contract_id!r} cannot go into a port description")
    folded = unicodedata.normalize("NFKD", customer).encode("ascii", "ignore").decode("ascii")
    name = _SPACES.sub(" ", _SAFE.sub(" ", folded)).strip(" .,-:=")
    head = f"{contract_id} s{position}"
    text = f"{head} {name}" if name else head
    return text[:DESCRIPTION_MAX].rstrip()


@dataclass(frozen=True)
class Binding:
    """One customer address on the port, with the server's MAC once it is recorded."""

    address: ipaddress.IPv4Address
    mac: str | None  # 12 lowercase hex digits


@dataclass(frozen=True)
class PortIntent:
    """The whole managed state of one dedicated access port."""

    interface: str
    vlan: int
    description: str
    bandwidth_mbps: int
    bindings: tuple[Binding, ...]
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.vlan <= 4094:
            raise BadInput(f"VLAN {self.vlan} is outside 1-4094: fix the pool's vlan in the inventory")
        if not 1 <= self.bandwidth_mbps <= 100_000:
            raise BadInput(f"bandwidth {self.bandwidth_mbps} Mbit/s is not a port rate: give 1-100000")
        if _SAFE.search(self.description) or len(self.description) > DESCRIPTION_MAX:
            raise BadInput(f"description {self.description!r} is not device-safe: build it with port_description()")
        if not re.fullmatch(r"[A-Za-z][A-Za-z-]*\d+(/\d+)*", self.interface):
            raise BadInput(f"interface {self.interface!r} is not an interface name like GigabitEthernet1/0/1")
        for b in self.bindings:
            if b.mac is not None and not re.fullmatch(r"[0-9a-f]{12}", b.mac):
                raise BadInput(f"MAC {b.mac!r} is not 12 lowercase hex digits")


def port_speed_mbps(interface: str) -> int:
    """Nominal speed from the interface type; what percent-based limits are computed against."""
    name = interface.lower()
    for prefix, speed in (("hundredgig", 100_000), ("fortygig", 40_000), ("twentyfivegig", 25_000),
                          ("tengig", 10_000), ("ten-gig", 10_000), ("xgig", 10_000), ("gig", 1000),
                          ("fastethernet", 100), ("ethernet", 10)):
        if name.startswith(prefix):
            return speed
    raise BadInput(f"interface {interface!r}: unknown port type, cannot tell its speed")


def mac_dotted(mac: str, sep: str) -> str:
    """`001122334455` → `0011.2233.4455` (Cisco, sep '.') or `0011-2233-4455` (Huawei, H3C)."""
    return sep.join(mac[i:i + 4] for i in range(0, 12, 4))
