"""Cisco IOS (classic Catalyst 2960/3560/3750) access-port syntax. Sources: VENDOR-SYNTAX.md §1.

Egress on classic Catalyst is limited only in percent of port speed (10-90 %), and
ingress only by an MQC policer; the IP source guard needs the server's MAC. Each of
these limits is stated in the plan instead of being papered over.
"""

from __future__ import annotations

import math
import re

from provision.domain.portconfig import PortIntent, mac_dotted, port_speed_mbps
from provision.drivers.switch.base import SwitchDriver
from provision.drivers.switch.config import Desired, PortState, RunningConfig, Stanza

ANY = "COLO-ANY"


class CiscoIos(SwitchDriver):
    platform = "cisco_ios"
    device_type = "cisco_ios"
    needs_enable = True
    show_running = "show running-config"
    skip_line = re.compile(r"^(!|end$|Building configuration|Current configuration|version |hostname )")
    config_enter = ("configure terminal", r"\(config\)#")
    config_leave = ("exit", r"#\s*$")  # every batch ends at global level; `end` is missing on some IOS clones
    exit_command = "exit"
    negate_word = "no"
    single_valued = frozenset({"description", "switchport access vlan", "switchport mode", "srr-queue bandwidth limit",
                               "service-policy input"})
    removed_with_argument = frozenset({"service-policy input"})  # 'no service-policy input NAME'
    enters_mode = re.compile(r"^(interface|vlan \d|ip access-list|class-map|policy-map)")
    # The informational "% Access VLAN does not exist. Creating vlan N" must not count as an error.
    error_pattern = (r"% ?(Invalid|Incomplete|Ambiguous|Unknown|Bad|Error).*|% .*not supported.*"
                     r"|Command rejected.*|No such command.*")

    def render(self, intent: PortIntent) -> Desired:
        lines = [f"description {intent.description}", f"switchport access vlan {intent.vlan}", "switchport mode access"]
        needs = [Stanza(f"vlan {intent.vlan}")]
        notes = []
        speed = port_speed_mbps(intent.interface)
        if intent.bandwidth_mbps < speed:
            bps = intent.bandwidth_mbps * 1_000_000
            burst = min(max(bps // 80, 8000), 1_000_000)  # 100 ms of traffic, within the policer's range
            policy = f"COLO-IN-{intent.bandwidth_mbps}M"
            needs += [Stanza("mls qos"), Stanza(f"ip access-list extended {ANY}", ("permit ip any any",)),
                      Stanza(f"class-map match-all {ANY}", (f"match access-group name {ANY}",)),
                      Stanza(f"policy-map {policy}", (f"class {ANY}", f" police {bps} {burst} exceed-action drop"))]
            lines.append(f"service-policy input {policy}")
            percent = math.ceil(intent.bandwidth_mbps * 100 / speed)
            if percent < 10:
                notes.append(f"egress NOT limited: classic Catalyst limits egress only in percent of port speed "
                             f"(10-90 %); {intent.bandwidth_mbps} Mbit/s is under 10 % of {speed} Mbit/s "
                             f"(needs 'speed 100' or an IOS-XE switch)")
            elif percent > 90:
                notes.append(f"egress NOT limited: {intent.bandwidth_mbps} Mbit/s is above 90 % of {speed} Mbit/s, "
                             f"the most srr-queue can express")
            else:
                lines.append(f"srr-queue bandwidth limit {percent}")
                if percent * speed != intent.bandwidth_mbps * 100:
                    notes.append(f"egress limited to {percent * speed // 100} Mbit/s ({percent} % of {speed}), "
                                 f"the nearest step at or above {intent.bandwidth_mbps} Mbit/s")
        else:
            notes.append(f"no rate limit: {intent.bandwidth_mbps} Mbit/s is the port's full speed")
        globals_ = []
        if any(b.mac is None for b in intent.bindings):
            notes.append("IP source guard pending: Cisco binds an address only with the server's MAC; "
                         "record the server (`colo server record`) and activation completes it")
        elif intent.bindings:
            needs += [Stanza("ip dhcp snooping"), Stanza(f"ip dhcp snooping vlan {intent.vlan}")]
            globals_ = [f"ip source binding {mac_dotted(b.mac, '.')} vlan {intent.vlan} {b.address} "
                        f"interface {intent.interface}" for b in intent.bindings if b.mac]
            lines.append("ip verify source")
        if not intent.enabled:
            lines.append("shutdown")
        return Desired(PortState(tuple(lines), tuple(globals_)), tuple(needs), tuple(notes))

    def port_globals(self, running: RunningConfig, interface: str) -> tuple[str, ...]:
        return running.top_lines(re.compile(rf"^ip source binding .* interface {re.escape(interface)}$"))
