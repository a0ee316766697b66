"""What Huawei VRP and H3C Comware share: system view, `quit`/`return`, `undo`, `#`-separated config.

Both descend from the same CLI lineage; only the commands for the port itself differ,
and those stay in each platform's module.
"""

from __future__ import annotations

import re
from typing import ClassVar

from provision.domain.portconfig import PortIntent, port_speed_mbps
from provision.drivers.switch.base import SwitchDriver
from provision.drivers.switch.config import RunningConfig, Stanza


class VrpStyle(SwitchDriver):
    show_running = "display current-configuration"
    config_enter = ("system-view", r"\]\s*$")
    config_leave = ("return", r">\s*$")
    config_prompt = r"\]\s*$"
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
