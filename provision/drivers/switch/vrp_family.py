"""What Huawei VRP and H3C Comware share: system view, `quit`/`return`, `undo`, `#`-separated config.

Both descend from the same CLI lineage; only the commands for the port itself differ,
and those stay in each platform's module.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from provision.domain.portconfig import PortIntent, mac_dotted, port_speed_mbps
from provision.domain.portfacts import Bound
from provision.drivers.switch.base import SwitchDriver
from provision.drivers.switch.config import RunningConfig, Stanza
from provision.drivers.switch.portsyntax import BindingLine, FactLine, PortSyntax, fact, number, present, text_or_none, word


def vrp_syntax(access_vlan: str, guard: FactLine, binding: BindingLine, **extra: Any) -> PortSyntax:
    """The port syntax both share; `access_vlan` is Huawei's `port default vlan` or H3C's `port access vlan`.

    `qos lr` is matched with whatever the device prints after the CIR: both add `cbs`.
    """
    return PortSyntax(negate_word="undo", exit_command="quit", binding=binding, **extra, lines=(
        fact("description", r"description(?: (?P<v>.*))?", text_or_none, "description {}", "undo description"),
        fact("mode", r"port link-type (?P<v>\S+)", word, "port link-type {}", "undo port link-type"),
        fact("vlan", rf"{access_vlan} (?P<v>\d+)", number, f"{access_vlan} {{}}", f"undo {access_vlan}"),
        fact("rate_in_kbps", r"qos lr inbound cir (?P<v>\d+)(?: .*)?", number, "qos lr inbound cir {}",
             "undo qos lr inbound"),
        fact("rate_out_kbps", r"qos lr outbound cir (?P<v>\d+)(?: .*)?", number, "qos lr outbound cir {}",
             "undo qos lr outbound"),
        guard,
        fact("shutdown", r"shutdown", present, lambda _: "shutdown", "undo shutdown"),
    ))


def mac_words(b: Bound) -> str:
    """` mac-address 0011-2233-4455`, or nothing for a binding without a MAC."""
    return f" mac-address {mac_dotted(b.mac, '-')}" if b.mac else ""


class VrpStyle(SwitchDriver):
    show_running = "display current-configuration"
    config_enter = ("system-view", r"\]\s*$")
    config_leave = ("return", r">\s*$")
    config_prompt_inline = r"\[{base}[^\]\r\n]*\]"
    # Log lines on the session would interleave with command output.
    session_setup = (("undo terminal monitor", r">\s*$"),)
    enters_mode = re.compile(r"^(interface|vlan \d+$)")
    min_rate_kbps: ClassVar[int]

    def rate_limits(self, intent: PortIntent, needs: list[Stanza], notes: list[str]) -> dict[str, int | None]:
        """`qos lr` both ways in kbit/s: inbound polices, outbound shapes."""
        kbps = intent.bandwidth_mbps * 1000
        if intent.bandwidth_mbps < port_speed_mbps(intent.interface) and kbps >= self.min_rate_kbps:
            return {"rate_in_kbps": kbps, "rate_out_kbps": kbps}
        notes.append(f"no rate limit: {intent.bandwidth_mbps} Mbit/s is the port's full speed")
        return {}

    def has_prerequisite(self, running: RunningConfig, stanza: Stanza) -> bool:
        vlan = re.fullmatch(r"vlan(?: batch)? (\d+)", stanza.header)
        if vlan is None:
            return super().has_prerequisite(running, stanza)
        return int(vlan.group(1)) in vlans(running)


def vlans(running: RunningConfig) -> set[int]:
    """VLAN ids of every `vlan batch 10 20 to 30` line and `vlan N` / `vlan N to M` block."""
    out: set[int] = set()
    for header in running.blocks:
        m = re.fullmatch(r"vlan (?:batch )?([\d to]+)", header)
        if m is None:
            continue
        words = m.group(1).split()
        i = 0
        while i < len(words):
            if i + 2 < len(words) and words[i + 1] == "to":
                out.update(range(int(words[i]), int(words[i + 2]) + 1))
                i += 3
            else:
                out.add(int(words[i]))
                i += 1
    return out
