"""Huawei VRP V200R0xx (S5700 family) as the simulator speaks it (VENDOR-SYNTAX.md §2)."""

from __future__ import annotations

import re

from provision.lab.switchsim.dialect import Dialect, Session, vlan_range
from provision.lab.switchsim.model import Device, Rule
from provision.lab.switchsim.vrp_family import COMMON, VrpFamily, interface, system_view, vlan_view

MAC = r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"
WRONG = "Error: Wrong parameter found at '^' position."


def _rate(d: Device, m: re.Match[str]) -> str | None:
    return None if 64 <= int(m.group("args").split()[-1]) <= 1_000_000 else WRONG


def _default_vlan(d: Device, m: re.Match[str]) -> str | None:
    return None if vlan_range(int(m.group("args"))) else WRONG


def _bind(d: Device, m: re.Match[str]) -> str | None:
    iface = re.search(r"interface (\S+)", m.group("args"))
    return None if iface and d.interface(iface.group(1)) == iface.group(1) else WRONG


def _runs(vlans: list[int]) -> str:
    out, i = [], 0
    while i < len(vlans):
        j = i
        while j + 1 < len(vlans) and vlans[j + 1] == vlans[j] + 1:
            j += 1
        out.append(str(vlans[i]) if j == i else f"{vlans[i]} to {vlans[j]}")
        i = j + 1
    return " ".join(out)


class HuaweiVrp(VrpFamily):
    platform = "huawei_vrp"
    rules = {
        "system": [Rule("user-bind static", rf"ip-address {IP}( mac-address {MAC})? interface \S+ vlan \d+",
                        multi=True, check=_bind)],
        "if": [Rule("description", r"[^?]{1,242}"), Rule("port link-type", r"access|trunk|hybrid"),
               Rule("port default vlan", r"\d+", check=_default_vlan),
               Rule("qos lr inbound", r"cir \d+", check=_rate), Rule("qos lr outbound", r"cir \d+", check=_rate),
               Rule("ip source check user-bind enable"), Rule("shutdown")],
        "vlan": [Rule("description", r"[^?]{1,80}")],
    }
    order = {"if": ["description", "port link-type", "port default vlan", "ip source check", "qos lr inbound",
                    "qos lr outbound", "shutdown"]}

    def handle(self, s: Session, line: str) -> str:
        text = line.strip()
        lines = s.device.blocks.get(s.block, [])
        if s.mode == "if" and s.pending is None and re.fullmatch(r"port (default vlan \d+|link-type \w+)", text):
            link = next((x for x in lines if x.startswith("port link-type")), None)
            if text.startswith("port default vlan") and link != "port link-type access":
                return "Error: Please configure the link type of the port to access first.\n"
            if text.startswith("port link-type") and text != link and any(x.startswith("port default vlan") for x in lines):
                return "Error: Please renew the default configurations.\n"
        return super().handle(s, line)

    def on_remove(self, s: Session, rule: Rule, rest: str) -> str | None:
        lines = s.device.blocks.get(s.block, [])
        if rule.prefix == "port link-type" and any(x.startswith("port default vlan") for x in lines):
            return "Error: Please renew the default configurations.\n"
        return None

    def render_head(self, d: Device) -> list[str]:
        vlans = self.vlans(d)
        return ["!Software Version V200R021C10SPC600", "#", f"sysname {d.name}", "#",
                *([f"vlan batch {_runs(vlans)}", "#"] if vlans else [])]


def _vlan_batch(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    ids = _ids(m.group(1))
    if ids is None:
        return WRONG
    for vlan in ids:
        s.device.block(f"vlan {vlan}")
    s.changed = True
    return "Info: This operation may take a few seconds. Please wait for a moment...done."


def _undo_vlan_batch(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    ids = _ids(m.group(1))
    if ids is None:
        return WRONG
    for vlan in ids:
        s.device.blocks.pop(f"vlan {vlan}", None)
    s.changed = True
    return ""


def _ids(text: str) -> list[int] | None:
    words, out, i = text.split(), list[int](), 0
    while i < len(words):
        if not words[i].isdigit():
            return None
        if i + 2 < len(words) and words[i + 1] == "to" and words[i + 2].isdigit():
            out += range(int(words[i]), int(words[i + 2]) + 1)
            i += 3
        else:
            out.append(int(words[i]))
            i += 1
    return out if out and all(vlan_range(v) for v in out) else None


def _clear_interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))

    def clear() -> str:
        count = len(s.device.blocks[block]) + 1
        s.device.blocks[block] = ["shutdown"]
        s.changed = True
        return f"Info: Total execute {count} command(s), {count} successful, 0 failed."

    return dl.confirm(s, "Warning: All configurations of the interface will be cleared, and its state will be "
                         "shutdown. Continue? [Y/N] :", clear)


def _save(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def save() -> str:
        s.saved = True
        return "Now saving the current configuration to the slot 0.\nInfo: Save the configuration successfully."

    return dl.confirm(s, "Warning: The current configuration will be written to the device. Continue? [Y/N]:", save)


def _paging(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return "Info: The configuration takes effect on the current user terminal interface only."


HuaweiVrp.commands = {
    "*": COMMON,
    "user": [(r"screen-length 0 temporary", _paging), (r"system-view", system_view), (r"save", _save)],
    "system": [(r"vlan batch (.+)", _vlan_batch), (r"undo vlan batch (.+)", _undo_vlan_batch),
               (r"vlan (\d+)", vlan_view), (r"interface (\S+ ?\S*)", interface),
               (r"clear configuration interface (\S+)", _clear_interface)],
    "if": [(r"interface (\S+ ?\S*)", interface)],
}
