"""What Huawei VRP and H3C Comware share: system view, `quit`/`return`, `undo`, `#`-separated config.

Both descend from the same CLI lineage; only the commands for the port itself differ,
and those stay in each platform's module.
"""

from __future__ import annotations

import re

from provision.drivers.switch.base import SwitchDriver


class VrpStyle(SwitchDriver):
    show_running = "display current-configuration"
    config_enter = ("system-view", r"\]\s*$")
    config_leave = ("return", r">\s*$")
    exit_command = "quit"
    negate_word = "undo"
    enters_mode = re.compile(r"^(interface|vlan \d+$)")
