"""H3C Comware 7 (S5130/S5560) access-port syntax. Sources: VENDOR-SYNTAX.md §3.

Everything for the port lives in the interface block, bindings included. Comware
does not print its defaults (`port link-type access`) and prints `port link-mode
bridge` on every Ethernet port, which is neither the tenant's nor the site's.
"""

from __future__ import annotations

import re

from provision.domain.portfacts import Bound
from provision.drivers.switch.config import Stanza
from provision.drivers.switch.portsyntax import BindingLine, fact
from provision.drivers.switch.vrp_family import VrpStyle, mac_words, vrp_syntax

SYNTAX = vrp_syntax(
    "port access vlan",
    guard=fact("guard", r"ip verify source (?P<v>.+)", lambda m, _: "ip+mac" if "mac-address" in m.group("v") else "ip",
               lambda g: "ip verify source ip-address mac-address" if g == "ip+mac" else "ip verify source ip-address",
               "undo ip verify source"),
    binding=BindingLine(re.compile(r"ip source binding ip-address (?P<ip>\S+)(?: mac-address (?P<mac>\S+))?"
                                   r"(?: vlan (?P<vlan>\d+))?(?: .*)?"),
                        lambda b, _: f"ip source binding ip-address {b.ip}{mac_words(b)}"
                                     + (f" vlan {b.vlan}" if b.vlan is not None else ""),
                        is_global=False),
    defaults={"mode": "access"},
    always_printed=frozenset({"port link-mode bridge"}),
)


class HpComware(VrpStyle):
    platform = "hp_comware"
    device_type = "hp_comware"
    skip_line = re.compile(r"^(#|return$|version |sysname )")
    syntax = SYNTAX
    # Comware errors are `% Unrecognized command found at '^' position.`: a space after the
    # percent. Log lines shown on the session (`%Jan  1 00:01:02:123 2013 H3C IFNET/3/...`) have none.
    error_pattern = r"^\s*% \S.*"
    save_command = "save force"
    save_done = r"successfully"
    interface_abbreviations = {"GE": "GigabitEthernet", "XGE": "Ten-GigabitEthernet", "FGE": "FortyGigE",
                               "HGE": "HundredGigE", "BAGG": "Bridge-Aggregation", "Vlan-int": "Vlan-interface"}
    foreign_lines = re.compile(r"^(!\s*$|\s*switchport |\s*port default vlan|\s*user-bind static|hostname |end\s*$)")

    min_rate_kbps = 8  # and a multiple of 8 on the S5130: whole Mbit/s always are

    def vlan_stanza(self, vlan: int) -> Stanza:
        return Stanza(f"vlan {vlan}")

    def guard(self, bindings: tuple[Bound, ...]) -> str:
        return "ip+mac" if all(b.mac for b in bindings) else "ip"
