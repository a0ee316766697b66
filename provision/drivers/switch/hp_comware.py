"""H3C Comware 7 (S5130/S5560) access-port syntax. Sources: VENDOR-SYNTAX.md §3.

Everything for the port lives in the interface block, bindings included. Comware
hides defaults (`port link-type access`) and always shows `port link-mode bridge`, so
those lines are neither pushed nor compared.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from provision.domain.portconfig import PortIntent, mac_dotted, port_speed_mbps
from provision.drivers.switch.config import Desired, PortState, RunningConfig, Stanza
from provision.drivers.switch.vrp_family import VrpStyle


class HpComware(VrpStyle):
    platform = "hp_comware"
    device_type = "hp_comware"
    skip_line = re.compile(r"^(#|return$| version |sysname )")
    single_valued = frozenset({"description", "port link-type", "port access vlan", "qos lr inbound",
                               "qos lr outbound", "ip verify source"})
    hidden_defaults = frozenset({"port link-mode bridge"})
    # netmiko turns echo checking off on Comware because long lines wrap at the terminal
    # width it cannot set; every line this driver sends stays under 80 columns, and
    # without the check each line waits 2 s for output to settle.
    netmiko_options: ClassVar[dict[str, Any]] = {"global_cmd_verify": True}
    error_pattern = r"^\s*%.*"  # Comware prefixes errors with %, and informational lines never

    def render(self, intent: PortIntent) -> Desired:
        lines = [f"description {intent.description}", f"port access vlan {intent.vlan}"]
        notes = []
        speed = port_speed_mbps(intent.interface)
        if intent.bandwidth_mbps < speed:
            kbps = intent.bandwidth_mbps * 1000  # a multiple of 8, as the S5130 requires
            lines += [f"qos lr inbound cir {kbps}", f"qos lr outbound cir {kbps}"]
        else:
            notes.append(f"no rate limit: {intent.bandwidth_mbps} Mbit/s is the port's full speed")
        if intent.bindings:
            with_mac = all(b.mac for b in intent.bindings)
            lines.append("ip verify source ip-address mac-address" if with_mac else "ip verify source ip-address")
            for b in intent.bindings:
                mac = f" mac-address {mac_dotted(b.mac, '-')}" if b.mac else ""
                lines.append(f"ip source binding ip-address {b.address}{mac} vlan {intent.vlan}")
            if not with_mac:
                notes.append("addresses filtered without a MAC until the server is recorded; activation adds it")
        if not intent.enabled:
            lines.append("shutdown")
        return Desired(PortState(tuple(lines)), (Stanza(f"vlan {intent.vlan}"),), tuple(notes))

    def port_globals(self, running: RunningConfig, interface: str) -> tuple[str, ...]:
        return ()
