# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0
"""What every colo.dc module shares: the API handle, error mapping, and plan diffs.

Modules call the toolkit's public API and nothing else, so a playbook and the CLI can
never disagree about what an operation does. `outcome` is that call for one task, used
both by `run_module` (the module process) and by the action plugins that run a module's
`action` inside ansible-playbook's worker when the module would run in that same Python.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.basic import AnsibleModule

COMMON = {"db": {"type": "str"}, "at": {"type": "str"}, "actor": {"type": "str"}, "site": {"type": "str"}}


@dataclass(frozen=True)
class Task:
    """What an action reads of its AnsibleModule, so the same action runs where there is none (an action plugin)."""

    params: dict[str, Any]
    check_mode: bool


def outcome(task: Task | AnsibleModule, action: Callable[[Any, Any], dict[str, Any]]) -> dict[str, Any]:
    """The task's result, or `failed` with the toolkit's message, kind and exit code."""
    try:
        from provision.api import Colo
        from provision.errors import ColoError
    except ImportError as e:
        return {"failed": True,
                "msg": f"the colo toolkit is not importable by this Python ({e}): set ansible_python_interpreter "
                       f'to "{{{{ ansible_playbook_python }}}}" and run ansible from the toolkit\'s venv'}
    api = Colo(db=task.params["db"], at=task.params["at"], actor=task.params["actor"] or "ansible",
               site=task.params["site"] or os.environ.get("COLO_SITE") or None)
    try:
        return action(task, api)
    except ColoError as e:
        return {"failed": True, "msg": str(e), "kind": e.kind, "exit_code": e.exit_code}


def run_module(spec: dict[str, Any], action: Callable[[Any, Any], dict[str, Any]]) -> None:
    module = AnsibleModule(argument_spec={**COMMON, **spec}, supports_check_mode=True)
    result = outcome(module, action)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


def plan_diff(plan: dict[str, Any]) -> list[dict[str, str]]:
    """Ansible's diff per device target, from the same plan the toolkit applies."""
    out = []
    for sw in plan["switches"]:
        for port in sw["ports"]:
            if port["commands"]:
                out.append({"before_header": f"{sw['switch']} {port['interface']}",
                            "after_header": f"{sw['switch']} {port['interface']}",
                            "before": _facts_text(port["before"]), "after": _facts_text(port["after"])})
    for pdu in plan["pdus"]:
        for n in pdu["changes"]:
            o = pdu["outlets"][str(n)]
            out.append({"before_header": f"{pdu['pdu']} outlet {n}", "after_header": f"{pdu['pdu']} outlet {n}",
                        "before": ("on" if o["before"] else "off") + "\n", "after": ("on" if o["after"] else "off") + "\n"})
    return out


def _facts_text(facts: dict[str, Any]) -> str:
    """A port's managed facts one per line (bindings one each), so Ansible's diff shows what changes."""
    lines = [f"{k}: {'-' if v is None else v}" for k, v in facts.items() if k != "bindings"]
    lines += [f"binding: {b['ip']} mac {b['mac'] or '-'} vlan {b['vlan']}" for b in facts.get("bindings", [])]
    return "\n".join(lines) + "\n"


def run_authorized_operation(operation: str) -> None:
    """outlet-cycle / port-bounce: only on a valid authorization; check mode verifies it and uses nothing."""

    def action(module: AnsibleModule, api: Any) -> dict[str, Any]:
        result = api.operate(module.params["contract"], operation, module.params["server"], dry_run=module.check_mode)
        return {"changed": True, "result": result,
                "diff": [{"before_header": operation, "after_header": operation, "before": "",
                          "after": result["would"] + "\n"}]}

    run_module({"contract": {"type": "str", "required": True}, "server": {"type": "int", "default": 1}}, action)
