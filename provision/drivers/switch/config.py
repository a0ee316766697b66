"""Running configurations as data: parse, compare and turn differences into commands.

All three platforms print an indentation-structured configuration (Cisco separates
blocks with `!`, Huawei and H3C with `#`), so one parser serves them; what differs —
the words for "remove", which lines are single-valued, which defaults a device hides —
is the syntax each driver declares.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stanza:
    """A global object a port depends on (VLAN, QoS policy): created if missing, never removed by a port change.

    Children keep their indentation relative to the header (one space per level), which
    is how the device prints them and how many levels the push must climb back out of.
    """

    header: str
    children: tuple[str, ...] = ()

    def depth(self) -> int:
        if not self.children:
            return 0
        last = self.children[-1]
        return 1 + (len(last) - len(last.lstrip(" ")))


@dataclass(frozen=True)
class PortState:
    """What the device holds for one port: lines inside the interface, port-specific global lines."""

    interface: tuple[str, ...]
    globals: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {"interface": list(self.interface), "globals": list(self.globals)}

    @classmethod
    def from_dict(cls, data: dict[str, list[str]]) -> PortState:
        return cls(tuple(data["interface"]), tuple(data.get("globals", ())))

    def same_as(self, other: PortState) -> bool:
        return set(self.interface) == set(other.interface) and set(self.globals) == set(other.globals)

    def differences(self, other: PortState) -> list[str]:
        """`- line` for what only self has, `+ line` for what only other has (a readable drift report)."""
        out = [f"- {line}" for line in (*self.interface, *self.globals)
               if line not in other.interface and line not in other.globals]
        out += [f"+ {line}" for line in (*other.interface, *other.globals)
                if line not in self.interface and line not in self.globals]
        return out


@dataclass(frozen=True)
class Desired:
    """A port's intended state on one platform, the shared objects it needs, and what cannot be enforced."""

    state: PortState
    prerequisites: tuple[Stanza, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class RunningConfig:
    """Top-level blocks in device order: header → indented children (relative indentation kept)."""

    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, skip: re.Pattern[str]) -> RunningConfig:
        blocks: dict[str, list[str]] = {}
        current: list[str] | None = None
        for raw in text.splitlines():
            line = raw.rstrip()
            if not line.strip() or skip.match(line):
                current = None if not line.startswith(" ") else current
                continue
            if line.startswith(" "):
                if current is not None:
                    current.append(line[1:])
                continue
            current = blocks.setdefault(line, [])
        return cls({h: tuple(c) for h, c in blocks.items()})

    def children(self, header: str) -> tuple[str, ...] | None:
        return self.blocks.get(header)

    def top_lines(self, pattern: re.Pattern[str]) -> tuple[str, ...]:
        return tuple(h for h in self.blocks if pattern.search(h))

    def has(self, stanza: Stanza) -> bool:
        have = self.blocks.get(stanza.header)
        return have is not None and all(c in have for c in stanza.children)


def diff_lines(current: Sequence[str], wanted: Sequence[str], key: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """Lines to remove (in reverse device order) and to add (in wanted order).

    A line whose key is still wanted is not removed: setting the new value replaces it,
    which is both fewer commands and the order devices with dependent settings need.
    """
    wanted_keys = {key(line) for line in wanted}
    removals = [line for line in reversed(current) if line not in wanted and key(line) not in wanted_keys]
    additions = [line for line in wanted if line not in current]
    return removals, additions


def stanza_commands(stanzas: Iterable[Stanza], exit_command: str, enters_mode: re.Pattern[str]) -> list[str]:
    """Commands that create `stanzas`, climbing back to global configuration after each."""
    out: list[str] = []
    for st in stanzas:
        out.append(st.header)
        out.extend(child.strip() for child in st.children)
        levels = max(st.depth(), 1 if enters_mode.match(st.header) else 0)
        out.extend([exit_command] * levels)
    return out
