"""What reached the lab's devices, changes made to them behind the toolkit's back, and the operation journal."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import Lab


def port_block(lab: Lab, switch: str, interface: str) -> list[str]:
    """The interface's lines as the simulator prints them in its running config."""
    return [line.strip() for line in _printed_block(lab, switch, interface)]


def _printed_block(lab: Lab, switch: str, interface: str) -> list[str]:
    lines = lab.running(switch).splitlines()
    start = lines.index(f"interface {interface}")
    block = []
    for line in lines[start + 1:]:
        if not line.startswith(" "):
            break
        block.append(line)
    return block


def state_files(lab: Lab) -> dict[str, str]:
    return {f.name: f.read_text() for f in sorted(lab.state.glob("*.json"))}


def by_hand(lab: Lab, switch: str, commands: list[str]) -> None:
    """A technician's change outside the toolkit, over the same SSH CLI."""
    from provision.services.provisioning.devices import SwitchInfo

    sw = next(s for s in yaml.safe_load((lab.inventory / "network.yaml").read_text())["switches"] if s["name"] == switch)
    driver = SwitchInfo(switch, sw["platform"], "127.0.0.1", sw["port"], sw["credentials"], None, None).driver()
    try:
        driver.push(commands)
    finally:
        driver.close()


def journal_operations(db: str) -> list[dict[str, Any]]:
    import sqlite3

    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT id, kind, state, error FROM operations ORDER BY id").fetchall()
    return [{"id": r[0], "kind": r[1], "state": r[2], "error": r[3]} for r in rows]


def journal_steps(db: str) -> list[dict[str, Any]]:
    import sqlite3

    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT operation_id, device, target, state, error FROM operation_steps ORDER BY id").fetchall()
    return [{"op": r[0], "device": r[1], "target": r[2], "state": r[3], "error": r[4]} for r in rows]


def port_reading(lab: Lab, switch: str, interface: str):  # type: ignore[no-untyped-def]
    """The port's facts and site lines as the driver reads them from what the simulator prints (no session)."""
    from provision.drivers.switch import switch_driver

    driver = switch_driver(lab.device(switch)["platform"], None)  # parsing only: no session
    return driver.read(driver.parse(lab.running(switch)), interface)


def site_lines(lab: Lab, switch: str, interface: str) -> list[str]:
    """The port's unmanaged lines exactly as printed (indentation and all): what must survive every change."""
    unmanaged = set(port_reading(lab, switch, interface).unmanaged)
    return [line for line in _printed_block(lab, switch, interface) if line.strip() in unmanaged]
