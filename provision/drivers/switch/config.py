"""Running configurations as data: top-level blocks and the shared objects ports need.

All three platforms print an indentation-structured configuration (Cisco separates
blocks with `!`, Huawei and H3C with `#`), so one parser serves them. It reads what
real devices print, not what a simulator would: pager residue and terminal escapes,
trailing spaces, and older VRP's global lines indented by one space after a `#`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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


@dataclass
class RunningConfig:
    """Top-level blocks in device order: header → indented children (relative indentation kept)."""

    blocks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Reads the VLANs a device keeps outside the running config (Cisco's VLAN database in
    # VTP server or client mode), on first need only; None where the configuration lists them.
    vlan_reader: Callable[[], frozenset[int]] | None = field(default=None, repr=False, compare=False)
    _vlans: frozenset[int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str, skip: re.Pattern[str]) -> RunningConfig:
        blocks: dict[str, list[str]] = {}
        current: list[str] | None = None
        for raw in clean(text).splitlines():
            line = raw.rstrip()
            if not line.strip() or skip.match(line.lstrip()):
                current = None if not line.startswith(" ") else current
                continue
            if line.startswith(" "):
                if current is not None:
                    current.append(line[1:])
                else:  # older VRP indents the global lines of a `#` section by one space
                    blocks.setdefault(line.strip(), [])
                continue
            current = blocks.setdefault(line, [])
        return cls({h: tuple(c) for h, c in blocks.items()})

    def vlan_database(self) -> frozenset[int] | None:
        if self._vlans is None and self.vlan_reader is not None:
            self._vlans = self.vlan_reader()
        return self._vlans

    def children(self, header: str) -> tuple[str, ...] | None:
        return self.blocks.get(header)

    def top_lines(self, pattern: re.Pattern[str]) -> tuple[str, ...]:
        return tuple(h for h in self.blocks if pattern.search(h))

    def interface_headers(self) -> dict[str, str]:
        """Interface name as printed → its block header (`interface GigabitEthernet0/0/1`)."""
        return {h.split(None, 1)[1]: h for h in self.blocks if re.match(r"interface \S", h)}

    def has(self, stanza: Stanza, normal: Callable[[str], str] = str.strip) -> bool:
        """The block exists and holds each wanted child, both read through the platform's `normal` form."""
        have = self.blocks.get(stanza.header)
        if have is None:
            return False
        printed = {normal(c) for c in have}
        return all(normal(c) in printed for c in stanza.children)


_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A pager prompt, then the cursor moved back, spaces over the prompt, and back again
# (Huawei `  ---- More ----\x1b[42D<42 spaces>\x1b[42D`, Cisco ` --More-- ` with backspaces).
_PAGER = re.compile(r" *(?:-+ ?More ?-+|<--- More --->|--More--) *(?:(?:\x1b\[\d+D|\x08+) *(?:\x1b\[\d+D|\x08+))?")


def clean(text: str) -> str:
    """Output as the device meant it: no pager prompts, terminal escapes, backspaces or carriage returns."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ESCAPES.sub("", _PAGER.sub("", text))


def stanza_commands(stanzas: Iterable[Stanza], exit_command: str, enters_mode: re.Pattern[str]) -> list[str]:
    """Commands that create `stanzas`, climbing back to global configuration after each."""
    out: list[str] = []
    for st in stanzas:
        out.append(st.header)
        out.extend(child.strip() for child in st.children)
        levels = max(st.depth(), 1 if enters_mode.match(st.header) else 0)
        out.extend([exit_command] * levels)
    return out
