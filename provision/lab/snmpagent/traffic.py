"""The lab's port traffic: counters that grow like a hosted server's, with the faults real counters show.

Each port of a lab switch carries a steady rate (from 2 to 40 Mbit/s in, derived from
its name) shaped by the day — quiet before dawn, busiest in the evening, site time —
so a graph has the curve customers know. The octet counters are that rate's integral
since the switch booted. A test or a technician can set in the switch's state file,
under faults["traffic"]: `clock` (epoch seconds: the lab's now, for what-if polls),
`boot` (epoch of the last boot: a reboot restarts sysUpTime and every counter),
`offset` ({interface: octets} added before the 64-bit wrap: a wrap in the next minutes),
`stall` ({interface: epoch}: the counter froze then) and `rates` ({interface: bit/s}).
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

DAY = 86_400
SHAPE = 0.6                      # the evening peak is 1.6x the mean, the small hours 0.4x
PEAK_UTC_HOUR = 12               # 20:00 in Shanghai
DEFAULT_BOOT = 1_767_225_600     # 2026-01-01T00:00Z: the lab switches have been up all year
COUNTER64 = 2 ** 64
TICKS32 = 2 ** 32


def settings(state: dict[str, Any]) -> dict[str, Any]:
    return dict(state.get("faults", {}).get("traffic", {}))


def now(state: dict[str, Any]) -> float:
    return float(settings(state).get("clock", time.time()))


def uptime_ticks(state: dict[str, Any]) -> int:
    s = settings(state)
    return int((now(state) - float(s.get("boot", DEFAULT_BOOT))) * 100) % TICKS32


def base_bps(device: str, interface: str, direction: str) -> float:
    """A port's mean rate: 2-40 Mbit/s from the server, a third of that towards it."""
    digest = hashlib.sha256(f"{device}/{interface}".encode()).digest()
    inbound = 2e6 + int.from_bytes(digest[:4], "big") % 38_000_000
    return inbound if direction == "in" else inbound / 3


def _integral(mean: float, t: float) -> float:
    """∫ mean·(1 + SHAPE·cos(2π(t − peak)/DAY)) dt, in bits."""
    phase = 2 * math.pi * (t - PEAK_UTC_HOUR * 3600) / DAY
    return mean * (t + SHAPE * DAY / (2 * math.pi) * math.sin(phase))


def octets(state: dict[str, Any], device: str, interface: str, direction: str) -> int:
    s = settings(state)
    boot = float(s.get("boot", DEFAULT_BOOT))
    at = min(now(state), float(s.get("stall", {}).get(interface, math.inf)))
    mean = float(s.get("rates", {}).get(interface, base_bps(device, interface, direction)))
    if direction == "out" and interface in s.get("rates", {}):
        mean /= 3
    bits = _integral(mean, at) - _integral(mean, boot) if at > boot else 0.0
    return (int(bits // 8) + int(s.get("offset", {}).get(interface, 0))) % COUNTER64
