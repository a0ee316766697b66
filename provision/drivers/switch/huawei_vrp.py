"""Huawei VRP V200R0xx (S5700/S5720/S5735/S6700) access-port syntax. Sources: VENDOR-SYNTAX.md §2.

Rates are kbit/s in both directions (`qos lr`, printed with the `cbs` the device adds),
the static binding lives in system view and takes the MAC optionally, and VLANs show
up merged in one `vlan batch` line.
"""

from __future__ import annotations

import re

from provision.domain.portfacts import Bound
from provision.drivers.switch.config import Stanza
from provision.drivers.switch.portsyntax import BindingLine, fact
from provision.drivers.switch.vrp_family import VrpStyle, mac_words, vrp_syntax

SYNTAX = vrp_syntax(
    "port default vlan",
    guard=fact("guard", r"ip source check user-bind enable", lambda m, _: "user-bind",
               lambda _: "ip source check user-bind enable", "undo ip source check user-bind enable"),
    binding=BindingLine(re.compile(r"user-bind static ip-address (?P<ip>\S+)(?: mac-address (?P<mac>\S+))?"
                                   r"(?: interface (?P<iface>\S+))?(?: vlan (?P<vlan>\d+))?(?: .*)?"),
                        lambda b, iface: f"user-bind static ip-address {b.ip}{mac_words(b)} interface {iface} vlan {b.vlan}",
                        is_global=True),
)


class HuaweiVrp(VrpStyle):
    platform = "huawei_vrp"
    device_type = "huawei"
    skip_line = re.compile(r"^(#|return$|!|sysname )")
    syntax = SYNTAX
    error_pattern = r"^\s*Error:.*"
    save_command = "save"
    save_prompts = ((r"\[Y/N\]\s*:?\s*$", "y"), (r"\.(zip|cfg)\)?\[[^\]]*\]\s*:?\s*$", ""))
    save_done = r"successfully"
    interface_abbreviations = {"GE": "GigabitEthernet", "XGE": "XGigabitEthernet", "Eth": "Ethernet",
                               "MEth": "MEth", "40GE": "40GE", "100GE": "100GE", "Vlanif": "Vlanif"}
    foreign_lines = re.compile(r"^(!\s*$|\s*switchport |\s*port access vlan|\s*port link-mode|"
                               r"\s*ip source binding |hostname |end\s*$)")

    min_rate_kbps = 64

    def vlan_stanza(self, vlan: int) -> Stanza:
        return Stanza(f"vlan batch {vlan}")

    def guard(self, bindings: tuple[Bound, ...]) -> str:
        return "user-bind"  # static entries are checked as written: with the MAC once it is bound
