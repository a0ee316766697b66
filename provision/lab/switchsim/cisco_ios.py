"""Classic Catalyst IOS as the simulator speaks it (VENDOR-SYNTAX.md §1)."""

from __future__ import annotations

import re

from provision.lab.switchsim.dialect import GLOBAL, Dialect, Session, vlan_range
from provision.lab.switchsim.model import Device, Rule

MAC = r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}"
IP = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"


def _vlan_ok(d: Device, m: re.Match[str]) -> str | None:
    return None if vlan_range(int(m.group("args").split()[-1])) else "% Invalid input detected at '^' marker."


def _creates_vlan(d: Device, m: re.Match[str]) -> str:
    vlan = m.group("args")
    if f"vlan {vlan}" in d.blocks:
        return ""
    d.block(f"vlan {vlan}")
    return f"% Access VLAN does not exist. Creating vlan {vlan}"


def _policy_exists(d: Device, m: re.Match[str]) -> str | None:
    return None if f"policy-map {m.group('args')}" in d.blocks else f"Policy map {m.group('args')} not configured"


def _percent(d: Device, m: re.Match[str]) -> str | None:
    return None if 10 <= int(m.group("args")) <= 90 else "% Invalid input detected at '^' marker."


def _binding(d: Device, m: re.Match[str]) -> str | None:
    parts = m.group("args").split()
    if d.interface(parts[-1]) != parts[-1]:
        return "% Invalid input detected at '^' marker."
    return None if vlan_range(int(parts[2])) else "% Invalid input detected at '^' marker."


def _police_range(d: Device, m: re.Match[str]) -> str | None:
    bps, burst = (int(x) for x in m.group("args").split()[:2])
    ok = 1_000_000 <= bps <= 1_000_000_000 and 8000 <= burst <= 1_000_000
    return None if ok else "% Invalid input detected at '^' marker."


class CiscoIos(Dialect):
    platform = "cisco_ios"
    negate = "no"
    config_modes = frozenset({"config", "if", "vlan", "acl", "cmap", "pmap", "pmapc"})
    rules = {
        "config": [Rule("mls qos"), Rule("ip dhcp snooping"),
                   Rule("ip dhcp snooping vlan", r"\d+", multi=True, check=_vlan_ok),
                   Rule("ip source binding", rf"{MAC} vlan \d+ {IP} interface \S+", multi=True, check=_binding)],
        "if": [Rule("description", r".{1,240}"), Rule("switchport mode", r"access|trunk"),
               Rule("switchport access vlan", r"\d+", check=_vlan_ok, note=_creates_vlan),
               Rule("srr-queue bandwidth limit", r"\d+", check=_percent),
               Rule("service-policy input", r"\S+", check=_policy_exists), Rule("ip verify source"),
               Rule("shutdown")],
        "vlan": [Rule("name", r"\S{1,32}")],
        "acl": [Rule("permit", r".+", multi=True), Rule("deny", r".+", multi=True)],
        "cmap": [Rule("match access-group name", r"\S+")],
        "pmapc": [Rule("police", r"\d+ \d+ exceed-action drop", check=_police_range)],
    }
    order = {"if": ["description", "switchport access vlan", "switchport mode", "srr-queue", "ip verify source",
                    "service-policy", "shutdown"]}

    def prompt(self, s: Session) -> str:
        if s.pending is not None:
            return s.pending_prompt
        suffix = {"user": ">", "enable": "#", "config": "(config)#", "if": "(config-if)#", "vlan": "(config-vlan)#",
                  "acl": "(config-ext-nacl)#", "cmap": "(config-cmap)#", "pmap": "(config-pmap)#",
                  "pmapc": "(config-pmap-c)#"}[s.mode]
        return s.device.name + suffix

    def error(self, text: str) -> str:
        return "                ^\n% Invalid input detected at '^' marker.\n"

    def render(self, d: Device) -> str:
        globals_ = d.blocks.get(GLOBAL, [])
        out = ["!", "version 15.2", f"hostname {d.name}", "!"]
        out += [line for line in globals_ if line == "mls qos"]
        out += sorted(line for line in globals_ if line.startswith("ip dhcp snooping"))
        out.append("!")
        kinds = ("vlan ", "ip access-list", "class-map", "policy-map", "interface ")
        for kind in kinds:
            headers = [h for h in d.blocks if h.startswith(kind)]
            if kind == "vlan ":
                headers.sort(key=lambda h: int(h.split()[1]))
            for header in headers:
                out.append(header)
                out += [f" {line}" for line in d.blocks[header]]
                out.append("!")
        out += [line for line in globals_ if line.startswith("ip source binding")]
        out += ["!", "end"]
        body = "\n".join(out)
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}\n"


def _enable(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def check(text: str) -> str:
        s.echo = True
        if text == s.enable_secret:
            s.mode = "enable"
            return ""
        return "% Access denied\n"

    s.echo = False
    s.pending, s.pending_prompt = check, "Password: "
    return ""


def _to(mode: str, block: str = GLOBAL):  # type: ignore[no-untyped-def]
    def go(dl: Dialect, s: Session, m: re.Match[str]) -> str:
        s.mode, s.block = mode, block
        return ""

    return go


def _exit(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    up = {"user": None, "enable": None, "config": "enable", "if": "config", "vlan": "config", "acl": "config",
          "cmap": "config", "pmap": "config", "pmapc": "pmap"}[s.mode]
    if up is None:
        s.closed = True
    elif up == "pmap":
        s.mode = "pmap"
    else:
        s.mode, s.block = up, GLOBAL
    return ""


def _interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))
    s.mode, s.block = "if", block
    return ""


def _named_block(mode: str, prefix: str):  # type: ignore[no-untyped-def]
    def enter(dl: Dialect, s: Session, m: re.Match[str]) -> str:
        header = f"{prefix} {m.group(1)}"
        s.device.block(header)
        s.mode, s.block = mode, header
        s.changed = True
        return ""

    return enter


def _vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    if not vlan_range(int(m.group(1))):
        return dl.error(m.group(0))
    return _named_block("vlan", "vlan")(dl, s, m)  # type: ignore[no-any-return]


def _no_vlan(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.device.blocks.pop(f"vlan {m.group(1)}", None)
    s.changed = True
    return ""


def _class(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    lines = s.device.block(s.block)
    if f"class {m.group(1)}" not in lines:
        lines.append(f"class {m.group(1)}")
        s.changed = True
    s.mode, s.sub = "pmapc", f"class {m.group(1)}"
    return ""


def _police(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    """Under a policy-map class the policer is one nested line, replaced when set again."""
    problem = _police_range(s.device, re.fullmatch(r"police (?P<args>.+)", m.group(0)))  # type: ignore[arg-type]
    if problem:
        return problem
    lines = s.device.block(s.block)
    at = lines.index(s.sub) + 1
    if at < len(lines) and lines[at].startswith(" police"):
        lines[at] = f" {m.group(0)}"
    else:
        lines.insert(at, f" {m.group(0)}")
    s.changed = True
    return ""


def _default_interface(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    block = dl.interface_block(s, m.group(1))
    if block is None:
        return dl.error(m.group(0))
    s.device.blocks[block] = []
    s.changed = True
    return f"Interface {block.split()[1]} set to default configuration"


def _show_run(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    if m.group(1):
        block = dl.interface_block(s, m.group(1))
        if block is None:
            return dl.error(m.group(0))
        lines = [block, *(f" {line}" for line in s.device.blocks[block]), "end"]
        body = "\n".join(["!", *lines])
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}\n"
    return dl.render(s.device)


def _write(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    s.saved = True
    return "Building configuration...\n[OK]"


def _copy(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    def dest(text: str) -> str:
        s.saved = True
        return "Building configuration...\n[OK]"

    s.pending, s.pending_prompt = dest, "Destination filename [startup-config]? "
    return ""


def _ok(dl: Dialect, s: Session, m: re.Match[str]) -> str:
    return ""


CiscoIos.commands = {
    "user": [(r"enable", _enable), (r"exit|logout|quit", _exit), (r"terminal (width \d+|length \d+)", _ok)],
    "enable": [(r"terminal (width \d+|length \d+)", _ok), (r"conf(igure)?( t(erminal)?)?", _to("config")),
               (r"show running-config(?: interface (\S+))?", _show_run), (r"write( mem(ory)?)?", _write),
               (r"copy running-config startup-config", _copy), (r"exit|logout|disable", _exit)],
    "config": [(r"interface (\S+ ?\S*)", _interface), (r"vlan (\d+)", _vlan), (r"no vlan (\d+)", _no_vlan),
               (r"ip access-list extended (\S+)", _named_block("acl", "ip access-list extended")),
               (r"class-map match-all (\S+)", _named_block("cmap", "class-map match-all")),
               (r"policy-map (\S+)", _named_block("pmap", "policy-map")),
               (r"default interface (\S+)", _default_interface), (r"end", _to("enable")), (r"exit", _exit),
               (r"do show running-config(?: interface (\S+))?", _show_run)],
    "if": [(r"interface (\S+)", _interface), (r"exit", _exit), (r"end", _to("enable"))],
    "vlan": [(r"exit", _exit), (r"end", _to("enable"))],
    "acl": [(r"exit", _exit), (r"end", _to("enable"))],
    "cmap": [(r"exit", _exit), (r"end", _to("enable"))],
    "pmap": [(r"class (\S+)", _class), (r"exit", _exit), (r"end", _to("enable"))],
    "pmapc": [(r"police \d+ \d+ exceed-action drop", _police), (r"exit", _exit), (r"end", _to("enable"))],
}
