"""A switch's configuration as the simulator keeps it, and the grammar that edits it.

Every platform's CLI is the same machine underneath: modes, each with rules that set,
add or remove lines in a block. A dialect declares the rules, prompts, messages and
how the configuration prints; this module applies them and keeps the state file other
lab parts (the IF-MIB agent, tests) read.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Check = Callable[["Device", re.Match[str]], str | None]  # an error message, or None when fine


@dataclass(frozen=True)
class Rule:
    """One configurable line: literal words, an argument pattern, and what must hold for it.

    Single-valued rules replace the line with the same prefix; `multi` rules coexist
    and are told apart by their whole text (bindings, VLAN lists).
    """

    prefix: str
    args: str | None = None
    multi: bool = False
    check: Check | None = None
    note: Callable[[Device, re.Match[str]], str] | None = None  # informational output (Cisco's "Creating vlan")

    def match(self, text: str) -> re.Match[str] | None:
        pattern = re.escape(self.prefix) + (rf" (?P<args>{self.args})" if self.args else "")
        return re.fullmatch(pattern, text)


@dataclass
class Device:
    """Running configuration: top-level blocks in creation order, each a header and its child lines."""

    name: str
    platform: str
    interfaces: list[str]
    blocks: dict[str, list[str]] = field(default_factory=dict)
    saved: str | None = None
    uplinks: list[str] = field(default_factory=list)  # the rest are access ports, which carry site lines

    def block(self, header: str) -> list[str]:
        return self.blocks.setdefault(header, [])

    def interface(self, text: str) -> str | None:
        """Canonical interface name for a typed one (case-insensitive, common abbreviations)."""
        wanted = re.sub(r"\s+", "", text).lower()
        for name in self.interfaces:
            full = name.lower()
            if wanted == full:
                return name
            m = re.match(r"([a-z-]+)([\d/]+)$", wanted)
            n = re.match(r"([a-z-]+)([\d/]+)$", full)
            if m and n and m.group(2) == n.group(2) and len(m.group(1)) >= 2 and n.group(1).startswith(m.group(1)):
                return name
            if m and n and m.group(2) == n.group(2) and m.group(1) == "ge" and n.group(1) == "gigabitethernet":
                return name
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"blocks": self.blocks, "saved": self.saved}


def set_line(lines: list[str], rule: Rule, line: str) -> None:
    """Put `line` in a block, replacing a single-valued rule's old value in place."""
    if line in lines:
        return
    if not rule.multi:
        for i, old in enumerate(lines):
            if old == rule.prefix or old.startswith(rule.prefix + " "):
                lines[i] = line
                return
    lines.append(line)


def remove_line(lines: list[str], rule: Rule, text: str) -> bool:
    """Remove what `no/undo <text>` names: a multi rule's exact line, a single rule's line by prefix."""
    before = len(lines)
    if rule.multi:
        lines[:] = [line for line in lines if line != text]
    else:
        lines[:] = [line for line in lines if line != rule.prefix and not line.startswith(rule.prefix + " ")]
    return len(lines) != before


def find_rule(rules: list[Rule], text: str) -> tuple[Rule, re.Match[str]] | None:
    for rule in rules:
        m = rule.match(text)
        if m:
            return rule, m
    return None


def negation_rule(rules: list[Rule], text: str) -> Rule | None:
    """The rule a `no`/`undo` names: multi rules need their full line, single ones just the words."""
    for rule in rules:
        if rule.multi and rule.match(text):
            return rule
        if not rule.multi and (text == rule.prefix or text.startswith(rule.prefix + " ")):
            return rule
    return None


class StateFile:
    """`<state_dir>/<name>.json`: written after every change, reloaded when somebody else changed it."""

    def __init__(self, state_dir: str, name: str) -> None:
        self.path = Path(state_dir) / f"{name}.json"
        self.written: int | None = None

    def load(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return dict(data)

    def changed_elsewhere(self) -> bool:
        try:
            return self.path.stat().st_mtime_ns != self.written
        except FileNotFoundError:
            return True

    def save(self, data: dict[str, Any]) -> None:
        old = self.load() or {}
        data = data | {"faults": old.get("faults", {})}
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
        self.written = self.path.stat().st_mtime_ns


def read_state(state_dir: str, name: str) -> dict[str, Any]:
    return dict(json.loads((Path(state_dir) / f"{name}.json").read_text(encoding="utf-8")))


def write_faults(state_dir: str, name: str, faults: dict[str, Any]) -> None:
    """Make a simulated switch reject or stall commands from its next login on."""
    path = Path(state_dir) / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}  # factory state: the switch builds it at the next login and keeps these faults
    data["faults"] = faults
    for name, port in data.get("interfaces", {}).items():
        port["oper"] = link(port["admin"], name, faults)
    tmp = path.with_suffix(".faults.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def link(admin: str, interface: str, faults: dict[str, Any]) -> str:
    """Operational state: up when enabled and its (simulated) cable is plugged in."""
    return "up" if admin == "up" and interface not in faults.get("unplugged", []) else "down"
