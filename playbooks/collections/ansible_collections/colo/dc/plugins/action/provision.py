# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0
"""colo.dc.provision in ansible-playbook's own worker when the module would run in this very Python.

The playbooks run the module on localhost with ansible_python_interpreter set to
ansible_playbook_python, so its process would be this venv's Python again: it pays
AnsiballZ's build, a new interpreter, Ansible's module_utils compiled from the zip and
the toolkit's imports without what this worker has loaded already (paramiko, yaml,
jinja2): 0.6 s of CPU per task, a third of what a playbook added to a 50-contract batch
over the API (bench/ansible_overhead.py). Here the module's own `action` runs on the same
validated options and returns the same result. Any other target (another connection or
interpreter, delegation, become, a task environment, async) runs the module as usual.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ansible import constants as C
from ansible.plugins.action.normal import ActionModule as ModuleAction
from ansible_collections.colo.dc.plugins.module_utils.colo import COMMON, Task, outcome
from ansible_collections.colo.dc.plugins.modules.provision import ARGUMENT_SPEC, action


class ActionModule(ModuleAction):

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        if not self._module_would_run_here(task_vars):
            return super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(argument_spec={**COMMON, **ARGUMENT_SPEC})
        result = outcome(Task(params, bool(self._task.check_mode)), action)
        result["invocation"] = {"module_args": params}  # as AnsibleModule reports it
        return result

    def _module_would_run_here(self, task_vars: dict[str, Any]) -> bool:
        """A local process of this interpreter (same venv, same executable), as this user, in this environment."""
        if (self._connection.transport != "local" or self._task.delegate_to or self._play_context.become
                or self._task.async_val or any(self._task.environment or ())):
            return False
        configured = self._templar.template(C.config.get_config_value("INTERPRETER_PYTHON", variables=task_vars))
        if not isinstance(configured, str) or not Path(configured).is_absolute():
            return False  # interpreter discovery: let the module find its Python
        mine, theirs = Path(sys.executable), Path(configured)
        return theirs.parent == mine.parent and theirs.resolve() == mine.resolve()
