# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: service
short_description: Suspend or resume a contract's network service, when its payment rules call for it
description:
  - state=suspended shuts the contract's ports once a stop-service notice's stop time has passed;
    state=active re-opens them once nothing is owed. Otherwise it fails with the reason.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  contract: {description: Contract id., type: str, required: true}
  state: {description: Wanted service state., type: str, choices: [suspended, active], required: true}
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Suspend a contract whose stop-service time has passed
  colo.dc.service:
    contract: C2026-0001
    state: suspended

- name: Resume it once nothing is owed
  colo.dc.service:
    contract: C2026-0001
    state: active
"""

RETURN = r"""
message:
  description: What was done, or why nothing was.
  returned: always
  type: str
operation:
  description: The journaled operation's id; null when nothing was applied.
  returned: always
  type: int
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import plan_diff, run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def action(module, api):
    result = api.service(module.params["contract"], up=module.params["state"] == "active", dry_run=module.check_mode)
    changed = result["plan"] is not None
    return {"changed": changed, "diff": plan_diff(result["plan"]) if changed else [], "message": result["message"],
            "operation": result["operation"]}


def main():
    run_module({"contract": {"type": "str", "required": True},
                "state": {"type": "str", "required": True, "choices": ["suspended", "active"]}}, action)


if __name__ == "__main__":
    main()
