"""The lab's SNMP agents: snmpsim serving PDUs and switch IF-MIB from generated `.snmprec` data.

One snmpsim responder per device, each on its own UDP port: snmpsim picks data by
community, and every lab device shares one community name as real sites often do.
Helpers here let tests set what a device draws and which faults it shows.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _path(state_dir: str, device: str) -> Path:
    return Path(state_dir) / f"{device}.json"


def read_pdu_state(state_dir: str, pdu: str) -> dict[str, Any]:
    try:
        return dict(json.loads(_path(state_dir, pdu).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


def _write(state_dir: str, pdu: str, data: dict[str, Any]) -> None:
    path = _path(state_dir, pdu)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def set_outlet_watts(state_dir: str, pdu: str, watts: dict[int, float]) -> None:
    data = read_pdu_state(state_dir, pdu)
    outlets = data.setdefault("outlets", {})
    for n, w in watts.items():
        outlets.setdefault(str(n), {"on": True})["watts"] = w
    _write(state_dir, pdu, data)


def write_pdu_faults(state_dir: str, pdu: str, faults: dict[str, Any]) -> None:
    """Faults: `refuse_set` / `stuck` (outlet numbers) fail or ignore SETs; `reads` ({"N": raw}) misreports a state."""
    data = read_pdu_state(state_dir, pdu)
    data["faults"] = faults
    _write(state_dir, pdu, data)


def set_traffic(state_dir: str, switch: str, **settings: Any) -> None:
    """A lab switch's traffic settings (see traffic.py): `clock`, `boot`, `offset`, `stall`, `rates`."""
    data = read_pdu_state(state_dir, switch)
    data.setdefault("faults", {}).setdefault("traffic", {}).update(settings)
    _write(state_dir, switch, data)


@contextmanager
def agent_paused(state_dir: str, device: str) -> Iterator[None]:
    """One device's SNMP agent frozen (SIGSTOP) for the block: it stops answering, as a hung or unplugged PDU does.

    Frozen rather than killed because the lab stops every agent when one exits; thawed
    on leaving the block, it answers again (requests that arrived meanwhile are stale).
    """
    pid = int((Path(state_dir).parent / "snmp" / device / "agent.pid").read_text(encoding="utf-8"))
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)
