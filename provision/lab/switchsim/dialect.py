"""The CLI mechanism every simulated platform shares: modes, rules, confirmations, faults.

A dialect subclass declares prompts, rules per mode, its special commands (show,
save, mode changes) and how the configuration prints. Each input line is one command,
exactly as on a real terminal, which is what makes the injection tests meaningful.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from provision.inventory.model import PERSONALITIES
from provision.lab.switchsim.model import Device, Rule, find_rule, negation_rule, remove_line, set_line

GLOBAL = ""  # block holding top-level single lines


@dataclass
class Session:
    device: Device
    mode: str
    block: str = GLOBAL
    sub: str = ""  # a nested context inside a block (Cisco policy-map class)
    enable_secret: str = ""
    pending: Callable[[str], str] | None = None
    pending_prompt: str = ""
    closed: bool = False
    echo: bool = True
    changed: bool = False
    saved: bool = False
    faults: dict[str, list] = field(default_factory=dict)  # type: ignore[type-arg]
    monitor: bool = True  # logs shown on this terminal until `undo terminal monitor` (Huawei, H3C)
    logs: list[str] = field(default_factory=list)  # log lines the server writes after the next prompt
    prompt_shown: str = ""  # the prompt the line being typed follows (Comware's echo wraps with it)


Command = Callable[["Dialect", Session, re.Match[str]], str]


class Dialect:
    """One platform's CLI; `personality` picks the real model it behaves like (PERSONALITIES)."""

    platform: ClassVar[str]
    negate: ClassVar[str]
    config_modes: ClassVar[frozenset[str]]
    rules: ClassVar[dict[str, list[Rule]]]
    commands: ClassVar[dict[str, list[tuple[str, Command]]]]  # mode → (regex, handler); "*" applies everywhere
    order: ClassVar[dict[str, list[str]]] = {}  # mode → canonical order of line prefixes in its blocks

    def __init__(self, personality: str | None = None) -> None:
        names = PERSONALITIES[self.platform]
        if personality is not None and personality not in names:
            raise ValueError(f"{self.platform} has no personality {personality!r}: one of {', '.join(names)}")
        self.personality = personality or names[0]
        self.booted = time.time()  # the version commands print the uptime since the simulator started

    def uptime(self) -> tuple[int, int, int, int]:
        """Weeks, days, hours and minutes since boot, the units every platform's version command prints."""
        minutes = int(time.time() - self.booted) // 60
        return minutes // 10080, minutes // 1440 % 7, minutes // 60 % 24, minutes % 60

    def start_mode(self) -> str:
        return "user"

    def new_device(self, device: Device) -> None:
        """Factory state plus the site's standard lines a real switch of this model carries."""
        for name in device.interfaces:
            lines = device.block(f"interface {name}")
            lines += self.site_lines(device, name)
            lines.sort(key=self.sort_key("if"))

    def site_lines(self, device: Device, interface: str) -> list[str]:
        """Lines nobody types but every such port carries (site standard, model defaults that print)."""
        return []

    def line_order(self, mode: str) -> list[str]:
        """The order the device prints a block's lines in, by prefix; the personality may change it."""
        return self.order.get(mode, [])

    def sort_key(self, mode: str) -> Callable[[str], int]:
        order = self.line_order(mode)
        return lambda line: next((i for i, p in enumerate(order) if line == p or line.startswith(p + " ")),
                                 len(order))

    def echo(self, s: Session, line: str) -> str:
        """What the terminal echoes of a typed line (Comware wraps long ones)."""
        return line

    def prompt(self, s: Session) -> str:
        raise NotImplementedError

    def error(self, text: str) -> str:
        raise NotImplementedError

    def render(self, device: Device) -> str:
        raise NotImplementedError

    def help(self, text: str) -> str:
        return self.error(text)

    # ---- mechanism -----------------------------------------------------------------

    def handle(self, s: Session, line: str) -> str:
        """Run one input line; a port whose link went up or down logs it on monitoring terminals."""
        before = self.link_states(s)
        out = self.dispatch(s, line)
        after = self.link_states(s)
        for name, up in after.items():
            if before.get(name) != up and s.monitor:
                s.logs += self.link_log(s, name, up)
        return out

    def link_states(self, s: Session) -> dict[str, bool]:
        unplugged = set(s.faults.get("unplugged", []))
        return {name: "shutdown" not in s.device.blocks.get(f"interface {name}", []) and name not in unplugged
                for name in s.device.interfaces}

    def link_log(self, s: Session, interface: str, up: bool) -> list[str]:
        """The log lines the device prints when a port's link changes; none on a platform without."""
        return []

    def dispatch(self, s: Session, line: str) -> str:
        text = line.strip()
        if s.pending is not None:
            answer, s.pending, s.pending_prompt = s.pending, None, ""
            return answer(text)
        if not text:
            return ""
        if "?" in text:
            return self.help(text)
        for mode in (s.mode, "*"):
            for pattern, handler in self.commands.get(mode, []):
                m = re.fullmatch(pattern, text, re.IGNORECASE)
                if m:
                    if mode != "*" and s.mode in self.config_modes and self.rejected(s, text):
                        return self.error(text)
                    return handler(self, s, m)
        rules = self.rules.get(s.mode)
        if rules is None:
            return self.error(text)
        if self.rejected(s, text):
            return self.error(text)
        lines = s.device.block(s.block)
        if text.startswith(self.negate + " "):
            rest = text[len(self.negate) + 1:]
            rule = negation_rule(rules, rest)
            if rule is None:
                return self.error(text)
            problem = self.on_remove(s, rule, rest)
            if problem:
                return problem
            if remove_line(lines, rule, rest):
                self.sort(s, lines)
                s.changed = True
            return ""
        found = find_rule(rules, text)
        if found is None:
            return self.error(text)
        rule, m = found
        problem = rule.check(s.device, m) if rule.check else None
        if problem:
            return problem
        note = rule.note(s.device, m) if rule.note else ""
        set_line(lines, rule, text)
        self.sort(s, lines)
        s.changed = True
        return note

    def on_remove(self, s: Session, rule: Rule, rest: str) -> str | None:
        """A platform's refusal to remove a line (Huawei's link-type trap); None allows it."""
        return None

    def rejected(self, s: Session, text: str) -> bool:
        return any(re.search(p, text) for p in s.faults.get("reject", []))

    def sort(self, s: Session, lines: list[str]) -> None:
        """Stable: lines the order does not name keep their relative place (site lines, unknown ones)."""
        if self.line_order(s.mode):
            lines.sort(key=self.sort_key(s.mode))

    def confirm(self, s: Session, prompt: str, on_yes: Callable[[], str]) -> str:
        """Ask [Y/N] like the device does; anything but y/yes cancels."""

        def answer(text: str) -> str:
            return on_yes() if text.lower() in ("y", "yes") else ""

        s.pending, s.pending_prompt = answer, prompt
        return ""

    def interface_block(self, s: Session, typed: str) -> str | None:
        name = s.device.interface(typed)
        return None if name is None else f"interface {name}"


def vlan_range(value: int) -> bool:
    return 1 <= value <= 4094
