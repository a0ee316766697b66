"""Huawei VRP V200R0xx (S5700/S5735/S6700) access-port syntax. Sources: VENDOR-SYNTAX.md §2.

Rates are kbit/s in both directions (`qos lr`), the static binding lives in system
view and takes the MAC optionally, and VLANs show up merged in one `vlan batch` line.
"""

from __future__ import annotations

import re

from provision.domain.portconfig import PortIntent, mac_dotted, port_speed_mbps
from provision.drivers.switch.config import Desired, PortState, RunningConfig, Stanza
from provision.drivers.switch.vrp_family import VrpStyle

LR_MIN_KBPS = 64


class HuaweiVrp(VrpStyle):
    platform = "huawei_vrp"
    device_type = "huawei"
    skip_line = re.compile(r"^(#|return$|!|sysname )")
    single_valued = frozenset({"description", "port link-type", "port default vlan", "qos lr inbound",
                               "qos lr outbound"})
    error_pattern = r"^\s*Error:.*"

    def render(self, intent: PortIntent) -> Desired:
        lines = [f"description {intent.description}", "port link-type access", f"port default vlan {intent.vlan}"]
        notes = []
        speed = port_speed_mbps(intent.interface)
        kbps = intent.bandwidth_mbps * 1000
        if intent.bandwidth_mbps < speed and kbps >= LR_MIN_KBPS:
            lines += [f"qos lr inbound cir {kbps}", f"qos lr outbound cir {kbps}"]
        else:
            notes.append(f"no rate limit: {intent.bandwidth_mbps} Mbit/s is the port's full speed")
        globals_ = []
        if intent.bindings:
            lines.append("ip source check user-bind enable")
            for b in intent.bindings:
                mac = f" mac-address {mac_dotted(b.mac, '-')}" if b.mac else ""
                globals_.append(f"user-bind static ip-address {b.address}{mac} interface {intent.interface} "
                                f"vlan {intent.vlan}")
            if any(b.mac is None for b in intent.bindings):
                notes.append("address bound to the port without a MAC until the server is recorded; "
                             "activation adds the MAC")
        if not intent.enabled:
            lines.append("shutdown")
        return Desired(PortState(tuple(lines), tuple(globals_)), (Stanza(f"vlan batch {intent.vlan}"),), tuple(notes))

    def has_prerequisite(self, running: RunningConfig, stanza: Stanza) -> bool:
        m = re.fullmatch(r"vlan batch (\d+)", stanza.header)
        if m is None:
            return super().has_prerequisite(running, stanza)
        return int(m.group(1)) in vlans(running)

    def port_globals(self, running: RunningConfig, interface: str) -> tuple[str, ...]:
        return running.top_lines(re.compile(rf"^user-bind static .* interface {re.escape(interface)}( |$)"))


def vlans(running: RunningConfig) -> set[int]:
    """VLAN ids of every `vlan batch 10 20 to 30` line and `vlan N` block."""
    out: set[int] = set()
    for header in running.blocks:
        if header.startswith("vlan batch "):
            words = header.split()[2:]
            i = 0
            while i < len(words):
                if i + 2 < len(words) and words[i + 1] == "to":
                    out.update(range(int(words[i]), int(words[i + 2]) + 1))
                    i += 3
                else:
                    out.add(int(words[i]))
                    i += 1
        elif re.fullmatch(r"vlan \d+", header):
            out.add(int(header.split()[1]))
    return out
