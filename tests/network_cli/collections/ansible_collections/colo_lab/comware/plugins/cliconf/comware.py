"""H3C Comware 7 cliconf for ansible.netcommon.network_cli (see ../terminal/comware.py for why it is here)."""

from __future__ import annotations

import json
import re
from itertools import chain
from typing import Any

from ansible.module_utils.common.text.converters import to_text
from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.utils import to_list
from ansible_collections.ansible.netcommon.plugins.plugin_utils.cliconf_base import CliconfBase

DOCUMENTATION = """
author: colo
name: comware
short_description: Run commands on H3C Comware 7 switches over network_cli
description:
  - Reads the release and model from C(display version), the configuration from
    C(display current-configuration), and configures in C(system-view) left with C(return).
"""


class Cliconf(CliconfBase):
    def get_device_info(self) -> dict[str, str]:
        """`H3C Comware Software, Version 7.1.070, Release 6328` / `H3C S5130S-52S-EI uptime is …`."""
        data = to_text(self.get("display version"), errors="surrogate_or_strict").strip()
        info = {"network_os": "comware"}
        version = re.search(r"Comware Software, Version (\S+), Release (\S+)", data)
        if version:
            info["network_os_version"] = f"{version.group(1)} Release {version.group(2)}"
        model = re.search(r"^H3C (\S+) uptime is", data, re.M)
        if model:
            info["network_os_model"] = model.group(1)
        return info

    def get_config(self, source: str = "running", flags: Any = None, format: Any = None) -> Any:
        if source != "running":
            raise ValueError(f"fetching the {source} configuration is not supported: Comware shows the running one")
        return self.send_command("display current-configuration")

    def edit_config(self, candidate: Any = None, commit: bool = True, replace: Any = None, comment: Any = None) -> list[Any]:
        return [self.send_command(c) for c in chain(["system-view"], to_list(candidate), ["return"])][1:-1]

    def get(self, command: str, prompt: Any = None, answer: Any = None, sendonly: bool = False, newline: bool = True,
            check_all: bool = False, **kwargs: Any) -> Any:
        return self.send_command(command=command, prompt=prompt, answer=answer, sendonly=sendonly, newline=newline,
                                 check_all=check_all)

    def get_capabilities(self) -> str:
        return json.dumps(super().get_capabilities())
