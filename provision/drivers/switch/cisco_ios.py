"""Cisco IOS (classic Catalyst 2960/3560/3750, IOS-XE Catalyst 9k) access-port syntax. Sources: VENDOR-SYNTAX.md §1.

Egress on classic Catalyst is limited only in percent of port speed (10-90 %), and
ingress only by an MQC policer; the IP source guard needs the server's MAC. Each of
these limits is stated in the plan instead of being papered over. In VTP server or
client mode (the IOS default) VLANs live in the VLAN database, not the running
config, so VLAN existence is read from `show vlan brief`.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path

import ntc_templates
import textfsm
from netutils.vlan import vlanconfig_to_list

from provision.domain.portconfig import PortIntent, mac_dotted, port_speed_mbps
from provision.domain.portfacts import Bound
from provision.drivers.switch.base import SwitchDriver
from provision.drivers.switch.config import RunningConfig, Stanza
from provision.drivers.switch.portsyntax import BindingLine, PortSyntax, fact, number, present, text_or_none, word
from provision.errors import Refused

ANY = "COLO-ANY"
_POLICE = re.compile(r"\s*police (?:cir |rate )?(\d+)\b.*")


@functools.cache
def _vlan_template() -> str:
    """ntc-templates' `show vlan` parser, read once: its parse_output() loads the whole template index per process."""
    return (Path(ntc_templates.__file__).parent / "templates" / "cisco_ios_show_vlan.textfsm").read_text()


def policy_name(kbps: int) -> str:
    return f"COLO-IN-{kbps // 1000}M" if kbps % 1000 == 0 else f"COLO-IN-{kbps}K"


def _policy_rate(m: re.Match[str], running: RunningConfig) -> int | None:
    """The ingress rate a port's policy enforces: the first policer of the policy-map it names, in kbit/s."""
    for child in running.children(f"policy-map {m.group('v')}") or ():
        police = _POLICE.fullmatch(child)
        if police:
            return int(police.group(1)) // 1000
    return None


SYNTAX = PortSyntax(
    negate_word="no",
    exit_command="exit",
    lines=(
        fact("description", r"description(?: (?P<v>.*))?", text_or_none, "description {}", "no description"),
        fact("mode", r"switchport mode (?P<v>\S+)", word, "switchport mode {}", "no switchport mode"),
        fact("vlan", r"switchport access vlan (?P<v>\d+)", number, "switchport access vlan {}",
             "no switchport access vlan"),
        fact("rate_in_kbps", r"service-policy input (?P<v>\S+)", _policy_rate,
             lambda kbps: f"service-policy input {policy_name(kbps)}", None),
        fact("egress_percent", r"srr-queue bandwidth limit (?P<v>\d+)", number, "srr-queue bandwidth limit {}",
             "no srr-queue bandwidth limit"),
        fact("guard", r"ip verify source(?P<v> port-security| mac-check)?",
             lambda m, _: "ip+mac" if m.group("v") else "ip",
             lambda g: "ip verify source port-security" if g == "ip+mac" else "ip verify source", "no ip verify source"),
        fact("shutdown", r"shutdown", present, lambda _: "shutdown", "no shutdown"),
    ),
    # Global: `ip source binding 0011.2233.4455 vlan 110 203.0.113.10 interface Gi1/0/30` (IOS abbreviates the name)
    binding=BindingLine(re.compile(r"ip source binding (?P<mac>\S+) vlan (?P<vlan>\d+) (?P<ip>\S+) interface (?P<iface>\S+)"),
                        lambda b, iface: f"ip source binding {mac_dotted(b.mac or '', '.')} vlan {b.vlan} {b.ip} "
                                         f"interface {iface}",
                        is_global=True),
)


class CiscoIos(SwitchDriver):
    platform = "cisco_ios"
    device_type = "cisco_ios"
    needs_enable = True
    show_running = "show running-config"
    skip_line = re.compile(r"^(!|end$|Building configuration|Current configuration|version |hostname )")
    syntax = SYNTAX
    config_enter = ("configure terminal", r"\(config\)#\s*$")
    config_leave = ("exit", r"#\s*$")  # every batch ends at global level; `end` is missing on some IOS clones
    config_prompt_inline = r"{base}\(config[^()\r\n]*\)#"
    session_setup = (("terminal no monitor", r"#\s*$"),)
    save_command = "write memory"
    save_done = r"^\s*\[?OK\]?\s*$"  # IOS prints `[OK]`; fake-switches, the cross-check, a bare `OK`
    enters_mode = re.compile(r"^(interface|vlan \d|ip access-list|class-map|policy-map)")
    # The informational "% Access VLAN does not exist. Creating vlan N" is not an error, nor
    # are log lines (`*Mar 1 00:00:00: %LINK-3-UPDOWN: ...`).
    error_pattern = (r"^\s*% ?(Invalid input|Incomplete command|Ambiguous command|Unknown command|Bad |Error|"
                     r".*not supported|.*not configured|.*does not exist(?!\. Creating vlan)).*"
                     r"|^\s*VTP VLAN configuration not allowed.*|^\s*Command rejected.*"
                     r"|^\s*No such command.*")  # the last: fake-switches, the independent simulator we cross-check
    interface_abbreviations = {"Gi": "GigabitEthernet", "Te": "TenGigabitEthernet", "Fa": "FastEthernet",
                               "Tw": "TwentyFiveGigE", "Fo": "FortyGigabitEthernet", "Hu": "HundredGigE"}
    foreign_lines = re.compile(r"^\s*(#\s*$|undo |port link-type|port (default|access) vlan|qos lr |user-bind |"
                               r"sysname |return\s*$)")

    def vlan_stanza(self, vlan: int) -> Stanza:
        return Stanza(f"vlan {vlan}")

    def rate_limits(self, intent: PortIntent, needs: list[Stanza], notes: list[str]) -> dict[str, int | None]:
        """Ingress by an MQC policer in bit/s; egress only as srr-queue percent of the port speed (10-90)."""
        speed = port_speed_mbps(intent.interface)
        if intent.bandwidth_mbps >= speed:
            notes.append(f"no rate limit: {intent.bandwidth_mbps} Mbit/s is the port's full speed")
            return {}
        bps = intent.bandwidth_mbps * 1_000_000
        burst = min(max(bps // 80, 8000), 1_000_000)  # 100 ms of traffic, within the policer's range
        needs += [Stanza("mls qos"), Stanza(f"ip access-list extended {ANY}", ("permit ip any any",)),
                  Stanza(f"class-map match-all {ANY}", (f"match access-group name {ANY}",)),
                  Stanza(f"policy-map {policy_name(bps // 1000)}",
                         (f"class {ANY}", f" police {bps} {burst} exceed-action drop"))]
        percent = math.ceil(intent.bandwidth_mbps * 100 / speed)
        egress = None
        if percent < 10:
            notes.append(f"egress NOT limited: classic Catalyst limits egress only in percent of port speed "
                         f"(10-90 %); {intent.bandwidth_mbps} Mbit/s is under 10 % of {speed} Mbit/s "
                         f"(needs 'speed 100' or an IOS-XE switch)")
        elif percent > 90:
            notes.append(f"egress NOT limited: {intent.bandwidth_mbps} Mbit/s is above 90 % of {speed} Mbit/s, "
                         f"the most srr-queue can express")
        else:
            egress = percent
            if percent * speed != intent.bandwidth_mbps * 100:
                notes.append(f"egress limited to {percent * speed // 100} Mbit/s ({percent} % of {speed}), "
                             f"the nearest step at or above {intent.bandwidth_mbps} Mbit/s")
        return {"rate_in_kbps": bps // 1000, "egress_percent": egress}

    def bindings(self, intent: PortIntent, needs: list[Stanza], notes: list[str]) -> tuple[Bound, ...]:
        """`ip source binding` needs the MAC: until the server is recorded the port is not bound at all."""
        if any(b.mac is None for b in intent.bindings):
            notes.append("IP source guard pending: Cisco binds an address only with the server's MAC; "
                         "record the server (`colo server record`) and activation completes it")
            return ()
        if intent.bindings:
            needs += [Stanza("ip dhcp snooping"), Stanza(f"ip dhcp snooping vlan {intent.vlan}")]
        return tuple(Bound(str(b.address), b.mac, intent.vlan) for b in intent.bindings)

    def guard(self, bindings: tuple[Bound, ...]) -> str:
        return "ip"

    def running(self) -> RunningConfig:
        """The running config, and the VLAN database behind it: VTP server and client modes keep VLANs out of it."""
        running = super().running()
        running.vlan_reader = self._vlan_table
        return running

    def _vlan_table(self) -> frozenset[int]:
        rows = textfsm.TextFSM(io.StringIO(_vlan_template())).ParseTextToDicts(
            self.show("reading the VLAN table", "show vlan brief"))
        return frozenset(int(r["VLAN_ID"]) for r in rows)

    def prerequisite_form(self, child: str) -> str:
        """IOS-XE numbers ACL entries (` 10 permit ip any any`) and prints policers as `police cir N bc B`."""
        line = re.sub(r"^\d+ ", "", child.strip())
        police = _POLICE.fullmatch(line)
        return f"police {police.group(1)}" if police else line

    def has_prerequisite(self, running: RunningConfig, stanza: Stanza) -> bool:
        vlan = re.fullmatch(r"vlan (\d+)", stanza.header)
        database = running.vlan_database() if vlan else None
        if vlan and database is not None:
            return int(vlan.group(1)) in database
        snooping = re.fullmatch(r"ip dhcp snooping vlan (\d+)", stanza.header)
        if snooping:  # IOS merges every snooping VLAN into one line of ranges
            lines = running.top_lines(re.compile(r"^ip dhcp snooping vlan \S"))
            return any(int(snooping.group(1)) in vlanconfig_to_list(line) for line in lines)
        return super().has_prerequisite(running, stanza)

    def ensure(self, running: RunningConfig, stanzas: Sequence[Stanza]) -> list[str]:
        missing_vlans = [st.header for st in stanzas
                         if re.fullmatch(r"vlan \d+", st.header) and not self.has_prerequisite(running, st)]
        if missing_vlans and running.vlan_reader is not None:  # read live: a saved file says nothing of VTP
            status = self.show("reading the VTP status", "show vtp status")
            mode = re.search(r"VTP Operating Mode\s*:\s*(\w+)", status)
            if mode and mode.group(1).lower() == "client":
                raise Refused(f"{self.name} is a VTP client: {', '.join(missing_vlans)} cannot be created on it; "
                              f"create the VLAN on the VTP server of its domain, then plan again")
        return super().ensure(running, stanzas)
