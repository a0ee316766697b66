"""How a platform prints and types each managed fact of a port: one mechanism, syntax as data.

A platform declares, per fact, the line that shows it (a pattern over what the device
prints, tolerant of the parameters real devices add), the line that sets a value, and
the command that returns it to the default (hier_config's idea: the differences between
platforms are declared rules, the tree walking is shared). Reading consumes the lines
that match a fact; every other line of the interface is the site's and is reported as
unmanaged, never removed. Commands are derived from the difference of two facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from provision.domain.portfacts import Bound, PortFacts
from provision.drivers.switch.config import RunningConfig, Stanza

# The order a port's facts are set in: a VLAN after the mode that allows it (Huawei
# refuses a default VLAN on a non-access port), the guard after the bindings it checks.
ORDER = ("description", "mode", "vlan", "rate_in_kbps", "rate_out_kbps", "egress_percent", "guard", "shutdown")


@dataclass(frozen=True)
class FactLine:
    """One scalar fact's line: `pattern` over the stripped printed line, `value` from its match.

    `set` renders a value as the line to type. `clear` returns the fact to the
    platform's default; None means the printed line itself must be negated because the
    device wants the value named (`no service-policy input NAME`), which also means a
    new value cannot simply overwrite the old one.
    """

    fact: str
    pattern: re.Pattern[str]
    value: Callable[[re.Match[str], RunningConfig], Any]
    set: Callable[[Any], str]
    clear: str | None


@dataclass(frozen=True)
class BindingLine:
    """Where a platform keeps an address binding: in the interface block or as a global line naming the port."""

    pattern: re.Pattern[str]  # groups: ip, mac (optional), vlan (optional), iface (global lines only)
    set: Callable[[Bound, str], str]  # (binding, interface) → line
    is_global: bool


@dataclass(frozen=True)
class Desired:
    """A port's intended facts on one platform, the shared objects they need, and what cannot be enforced."""

    facts: PortFacts
    prerequisites: tuple[Stanza, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortReading:
    """A port as read: its facts, the printed line behind each, and the site's own lines."""

    interface: str
    facts: PortFacts
    printed: dict[str, str] = field(default_factory=dict)            # scalar fact → the line that showed it
    binding_lines: dict[Bound, str] = field(default_factory=dict)     # binding → the line that showed it
    unmanaged: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortSyntax:
    """The declared syntax of one platform's access port."""

    negate_word: str
    exit_command: str
    lines: tuple[FactLine, ...]
    binding: BindingLine
    defaults: dict[str, Any] = field(default_factory=dict)  # facts a device does not print at their default
    always_printed: frozenset[str] = frozenset()            # lines on every port, neither managed nor the site's

    def read(self, running: RunningConfig, header: str, interface: str,
             same_port: Callable[[str], bool]) -> PortReading:
        """Facts of the port whose block is `header`; `same_port` tells a printed interface name is this port."""
        values: dict[str, Any] = dict(self.defaults)
        printed: dict[str, str] = {}
        bindings: dict[Bound, str] = {}
        unmanaged = []
        for line in (c.strip() for c in running.children(header) or ()):
            if line in self.always_printed:
                continue
            rule = next(((r, m) for r in self.lines if (m := r.pattern.fullmatch(line))), None)
            if rule is not None:
                values[rule[0].fact] = rule[0].value(rule[1], running)
                printed[rule[0].fact] = line
            elif not self.binding.is_global and (m := self.binding.pattern.fullmatch(line)):
                bindings[_bound(m)] = line
            else:
                unmanaged.append(line)
        if self.binding.is_global:
            for line in running.blocks:
                m = self.binding.pattern.fullmatch(line.strip())
                if m and m.group("iface") and same_port(m.group("iface")):
                    bindings[_bound(m)] = line.strip()
        facts = PortFacts(**values, bindings=tuple(bindings))
        return PortReading(interface, facts, printed, bindings, tuple(unmanaged))

    def commands(self, reading: PortReading, wanted: PortFacts) -> list[str]:
        """Commands taking the port from `reading` to `wanted`; empty when the facts already agree.

        Global bindings are added before the interface is touched and removed after it,
        and interface bindings are added before the guard changes and removed after, so
        the tenant's address is never unbound while a filter is on (no traffic gap when
        activation replaces an IP-only binding by one with the MAC).
        """
        now = reading.facts
        clears: list[str] = []
        for rule in sorted(self.lines, key=lambda r: ORDER.index(r.fact), reverse=True):
            old, new = getattr(now, rule.fact), getattr(wanted, rule.fact)
            if old == new:
                continue
            if rule.clear is None and rule.fact in reading.printed:
                clears.append(f"{self.negate_word} {reading.printed[rule.fact]}")
            elif new == self._default(rule.fact) and rule.clear is not None:
                clears.append(rule.clear)
        sets = {rule.fact: rule.set(getattr(wanted, rule.fact)) for rule in self.lines
                if getattr(now, rule.fact) != getattr(wanted, rule.fact)
                and getattr(wanted, rule.fact) != self._default(rule.fact)}
        before_guard = [sets[f] for f in ORDER[:ORDER.index("guard")] if f in sets]
        guard = [sets["guard"]] if "guard" in sets else []
        after_guard = [sets[f] for f in ORDER[ORDER.index("guard") + 1:] if f in sets]
        added = [self.binding.set(b, reading.interface) for b in wanted.bindings if b not in now.bindings]
        removed = [f"{self.negate_word} {reading.binding_lines[b]}" for b in now.bindings if b not in wanted.bindings]
        if self.binding.is_global:
            block = [*clears, *before_guard, *guard, *after_guard]
            head, tail = added, removed
        else:
            block = [*clears, *before_guard, *added, *guard, *removed, *after_guard]
            head, tail = [], []
        body = [f"interface {reading.interface}", *block, self.exit_command] if block else []
        return [*head, *body, *tail]

    def _default(self, name: str) -> Any:
        if name in self.defaults:
            return self.defaults[name]
        return next(f.default for f in fields(PortFacts) if f.name == name)


def _bound(m: re.Match[str]) -> Bound:
    groups = m.groupdict()
    vlan = groups.get("vlan")
    return Bound(groups["ip"], groups.get("mac"), int(vlan) if vlan else None)


def word(m: re.Match[str], running: RunningConfig) -> str:
    return m.group("v")


def number(m: re.Match[str], running: RunningConfig) -> int:
    return int(m.group("v"))


def text_or_none(m: re.Match[str], running: RunningConfig) -> str | None:
    """An empty `description` line is no description."""
    value = (m.group("v") or "").strip()
    return value or None


def present(m: re.Match[str], running: RunningConfig) -> bool:
    return True


def fact(name: str, pattern: str, value: Callable[[re.Match[str], RunningConfig], Any], set_: Callable[[Any], str] | str,
         clear: str | None) -> FactLine:
    """A FactLine from a pattern string and a format string (`{}` stands for the value)."""
    setter = set_ if callable(set_) else set_.format
    return FactLine(name, re.compile(pattern), value, setter, clear)
