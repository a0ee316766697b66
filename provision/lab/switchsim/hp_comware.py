"""H3C Comware 7 (S5130/S5560) as the simulator speaks it (VENDOR-SYNTAX.md §3)."""

from __future__ import annotations

import re

from provision.lab.switchsim.dialect import Dialect, Session
from provision.lab.switchsim.model import Device, Rule
from provision.lab.switchsim.vrp_family import COMMON, VrpFamily, interface, system_view, vlan_view

MAC = r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
WRONG = "% Wrong parameter found at '^' position."


def _rate(d: Device, m: re.Match[str]) -> str | None:
    k = int(m.group("args").split()[-1])
    if not 8 <= k <= 1_048_576:
        return WRONG
    return None if k % 8 == 0 else "% The CIR value must be a multiple of 8."


def _vlan_exists(d: Device, m: re.Match[str]) -> str | None:
    vlan = m.group("args")
    return None if f"vlan {vlan}" in d.blocks else f"% VLAN {vlan} does not exist."


class HpComware(VrpFamily):
    platform = "hp_comware"
    error_prefix = "%"
    rules = {
        "if": [Rule("description", r".{1,255}"), Rule("port link-type", r"trunk|hybrid"),
               Rule("port access vlan", r"\d+", check=_vlan_exists),
               Rule("qos lr inbound", r"cir \d+", check=_rate), Rule("qos lr outbound", r"cir \d+", check=_rate),
               Rule("ip verify source", r"ip-address( mac-address)?"),
               Rule("ip source binding", rf"ip-address {IP}( mac-address {MAC})?( vlan \d+)?", multi=True),
               Rule("shutdown")],
        "vlan": [Rule("description", r".{1,80}")],
    }
    order = {"if": ["description", "port link-type", "port access vlan", "qos lr inbound", "qos lr outbound",
                    "ip verify source", "ip source binding", "shutdown"]}

    def new_device(self, device: Device) -> None:
        super().new_device(device)
        device.block("vlan 1")

    def interface_lines(self, d: Device, header: str) -> list[str]:
        return ["port link-mode bridge", *d.blocks[header]]

    def render_head(self, d: Device) -> list[str]:
        out = ["#", " version 7.1.070, Release 6328", "#", f" sysname {d.name}", "#"]
        for vlan in self.vlans(d):
            out += [f"vlan {vlan}", *(f" {line}" for line in d.blocks[f"vlan {vlan}"]), "#"]
        return out


def _access(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Access is Comware's default link type: setting it removes any other, and nothing is displayed."""
    if dl.rejected(s, m.group(0)):
        return dl.error(m.group(0))
    lines = s.device.block(s.block)
    lines[:] = [x for x in lines if not x.startswith("port link-type")]
    s.changed = True
    return ""


def _default(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def restore() -> str:
        s.device.blocks[s.block] = []
        s.changed = True
        return ""

    return dl.confirm(s, "This command will restore the default settings. Continue? [Y/N]:", restore)


def _undo_vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.device.blocks.pop(f"vlan {m.group(1)}", None)
    s.changed = True
    return ""


def _save_force(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.saved = True
    return "Validating file. Please wait...\nSaved the current configuration to mainboard device successfully."


def _save(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return dl.confirm(s, "The current configuration will be written to the device. Are you sure? [Y/N]:",
                      lambda: _save_force(dl, s, m))


def _ok(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return ""


HpComware.commands = {
    "*": [*COMMON, (r"save force", _save_force), (r"save", _save)],  # Comware saves from any view
    "user": [(r"screen-length disable", _ok), (r"system-view", system_view)],
    "system": [(r"vlan (\d+)", vlan_view), (r"undo vlan (\d+)", _undo_vlan), (r"interface (\S+ ?\S*)", interface)],
    "if": [(r"port link-type access", _access), (r"default", _default), (r"interface (\S+ ?\S*)", interface)],
}
