"""The server record kept per hosted server (hosting contract §1), and the NIC's MAC.

Every part — CPU, motherboard, memory, each disk model — is a model and a count, written
'MODEL xN' (a bare model counts once), which is also how the store keeps it: a motherboard
recorded before it had a count reads as one.

The MAC matters beyond bookkeeping: Cisco's IP source binding cannot be written
without it, and Huawei/H3C bindings are stronger with it, so the anti-spoofing on
the customer's port is completed from this record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provision.errors import BadInput

_COMPONENT = re.compile(r"^(?P<model>.*?\S)(?:\s*[xX×*]\s*(?P<count>\d+))?$")
_PRINTABLE = re.compile(r"^[\x20-\x7e\u00a0-\uffff]+$")


@dataclass(frozen=True)
class Component:
    model: str
    count: int = 1

    def __str__(self) -> str:
        return self.model if self.count == 1 else f"{self.model} x{self.count}"


def parse_component(text: str, option: str) -> Component:
    """'Xeon Silver 4310 x2' -> Component('Xeon Silver 4310', 2); a bare model counts once."""
    m = _COMPONENT.match(text.strip())
    if not m or not _PRINTABLE.match(text.strip()) or len(text) > 120:
        raise BadInput(f"{option} {text!r} is not 'MODEL' or 'MODEL xCOUNT': give e.g. 'Xeon Silver 4310 x2'")
    count = int(m.group("count") or 1)
    if not 1 <= count <= 64:
        raise BadInput(f"{option} {text!r}: count {count} is out of range, give 1 to 64")
    return Component(m.group("model"), count)


def read_component(stored: str) -> Component:
    """A part as the store keeps it (checked when recorded): 'MODEL xN', or a bare model counted once."""
    m = _COMPONENT.match(stored.strip())
    count = int(m.group("count") or 1) if m else 0
    return Component(m.group("model"), count) if m and count >= 1 else Component(stored.strip(), 1)


def normalise_mac(text: str) -> str:
    """Twelve lowercase hex digits from any common notation; refuse group and all-zero addresses."""
    digits = re.sub(r"[\s:.-]", "", text.strip()).lower()
    if not re.fullmatch(r"[0-9a-f]{12}", digits):
        raise BadInput(f"--mac {text!r} is not 12 hex digits: give e.g. 00:11:22:33:44:55 or 0011.2233.4455")
    if int(digits[1], 16) & 1:
        raise BadInput(f"--mac {text!r} is a multicast or broadcast address: give the server NIC's own MAC")
    if digits == "0" * 12:
        raise BadInput(f"--mac {text!r} is all zeros: give the server NIC's own MAC")
    return digits


def mac_colons(mac: str) -> str:
    return ":".join(mac[i:i + 2] for i in range(0, 12, 2))


@dataclass(frozen=True)
class ServerRecord:
    serial: str
    mac: str
    cpu: Component | None = None
    board: Component | None = None
    memory: Component | None = None
    disks: tuple[Component, ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}", self.serial):
            raise BadInput(f"--serial {self.serial!r} is invalid: use 1-64 letters, digits, . _ / -")
