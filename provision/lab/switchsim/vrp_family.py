"""What Huawei VRP and H3C Comware share on the simulator: views, `#` blocks, display, quit/return."""

from __future__ import annotations

import re

from provision.lab.switchsim.dialect import GLOBAL, Dialect, Session, vlan_range
from provision.lab.switchsim.model import Device


class VrpFamily(Dialect):
    negate = "undo"
    config_modes = frozenset({"system", "if", "vlan"})
    error_prefix = "Error:"
    software = ""

    def prompt(self, s: Session) -> str:
        if s.pending is not None:
            return s.pending_prompt
        if s.mode == "user":
            return f"<{s.device.name}>"
        if s.mode == "system":
            return f"[{s.device.name}]"
        return f"[{s.device.name}-{s.block.split()[1] if s.mode == 'if' else 'vlan' + s.block.split()[1]}]"

    def error(self, text: str) -> str:
        return f"                ^\n{self.error_prefix} Unrecognized command found at '^' position.\n"

    def vlans(self, d: Device) -> list[int]:
        return sorted(int(h.split()[1]) for h in d.blocks if re.fullmatch(r"vlan \d+", h))

    def interface_lines(self, d: Device, header: str) -> list[str]:
        return d.blocks[header]

    def render_head(self, d: Device) -> list[str]:
        raise NotImplementedError

    def render(self, d: Device) -> str:
        out = self.render_head(d)
        globals_ = d.blocks.get(GLOBAL, [])
        if globals_:
            out += globals_ + ["#"]
        for header in (h for h in d.blocks if h.startswith("interface ")):
            out += [header, *(f" {line}" for line in self.interface_lines(d, header)), "#"]
        return "\n".join([*out, "return"]) + "\n"

    def display_version(self, d: Device) -> str:
        """`display version`: what network_cli's cliconf reads the release and model from."""
        raise NotImplementedError

    def render_interface(self, d: Device, header: str) -> str:
        return "\n".join(["#", header, *(f" {line}" for line in self.interface_lines(d, header)), "#", "return"]) + "\n"


def to(mode: str):  # type: ignore[no-untyped-def]
    def go(dl: Dialect, s: Session, m: re.Match[str]) -> str:
        s.mode, s.block = mode, GLOBAL
        return ""

    return go


def quit_view(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    if s.mode == "user":
        s.closed = True
    elif s.mode == "system":
        s.mode = "user"
    else:
        s.mode, s.block = "system", GLOBAL
    return ""


def system_view(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.mode, s.block = "system", GLOBAL
    return "Enter system view, return user view with Ctrl+Z."


def interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))
    s.mode, s.block = "if", block
    return ""


def vlan_view(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    vlan = int(m.group(1))
    if not vlan_range(vlan):
        return dl.error(m.group(0))
    s.device.block(f"vlan {vlan}")
    s.mode, s.block, s.changed = "vlan", f"vlan {vlan}", True
    return ""


def display(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    assert isinstance(dl, VrpFamily)
    if m.group(1):
        block = dl.interface_block(s, m.group(1))
        return dl.error(m.group(0)) if block is None else dl.render_interface(s.device, block)
    return dl.render(s.device)


def terminal_monitor(on: str, off: str):  # type: ignore[no-untyped-def]
    """`terminal monitor` / `undo terminal monitor` (user view): log lines on this session or not."""

    def go(dl: Dialect, s: Session, m: re.Match[str]) -> str:
        s.monitor = not m.group(0).lower().startswith("undo")
        return on if s.monitor else off

    return go


def display_this(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    assert isinstance(dl, VrpFamily)
    return dl.render_interface(s.device, s.block) if s.mode == "if" else dl.render(s.device)


def display_version(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    assert isinstance(dl, VrpFamily)
    return dl.display_version(s.device)


COMMON = [(r"display current-configuration(?: interface (\S+ ?\S*))?", display), (r"display this", display_this),
          (r"dis(play)? ver(sion)?", display_version),
          (r"return", to("user")), (r"quit", quit_view)]
