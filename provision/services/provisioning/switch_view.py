"""What the toolkit reads from one switch port: from a saved configuration, or live from the device.

A technician checks a backup before trusting the toolkit with a switch (`colo switch
parse`), or looks at a port as the toolkit sees it now (`colo switch show`); both go
through the very code that plans, verifies and undoes changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from provision.drivers.switch import PLATFORMS, switch_driver
from provision.drivers.switch.portsyntax import PortReading
from provision.errors import BadInput
from provision.services.context import Context, site_id
from provision.services.provisioning import devices
from provision.services.site_scope import elsewhere
from provision.store.schema import Switch


def facts_json(reading: PortReading) -> dict[str, Any]:
    """The documented shape: interface (canonical), the managed facts, the site's lines as `unmanaged`."""
    f = reading.facts
    return {"interface": reading.interface, "mode": f.mode, "vlan": f.vlan, "description": f.description,
            "shutdown": f.shutdown, "rate_in_kbps": f.rate_in_kbps, "rate_out_kbps": f.rate_out_kbps,
            "egress_percent": f.egress_percent, "guard": f.guard,
            "bindings": [{"ip": b.ip, "mac": b.mac, "vlan": b.vlan} for b in f.bindings],
            "unmanaged": list(reading.unmanaged)}


def parse_saved(platform: str, interface: str, path: str) -> dict[str, Any]:
    if platform not in PLATFORMS:
        raise BadInput(f"platform {platform!r} is not one of {', '.join(PLATFORMS)}")
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise BadInput(f"{path}: cannot be read ({e.strerror}); give the path of a saved configuration") from None
    driver = switch_driver(platform, None)
    running = driver.check_file(text, path)
    return {"source": path, "platform": platform} | facts_json(driver.read(running, interface))


def show_live(ctx: Context, switch: str, interface: str) -> dict[str, Any]:
    with ctx.store.session() as s:
        found = devices.switches(s, [switch])
        here = Switch.site_id == site_id(s)
        if switch not in found:
            known = ", ".join(s.scalars(select(Switch.name).where(here).order_by(Switch.name))) or "none: run `colo init`"
            raise BadInput(f"no switch {switch!r} in the store; known: {known}")
        if (other := s.scalar(select(Switch.site_id).where(Switch.name == switch, ~here))) is not None:
            raise elsewhere(s, f"switch {switch}", other)
        info = found[switch]
    with devices.sessions():
        driver = info.driver()
        reading = driver.read(driver.running(), interface)
    return {"switch": switch, "platform": info.platform} | facts_json(reading)
