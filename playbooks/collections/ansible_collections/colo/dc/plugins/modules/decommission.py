# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: decommission
short_description: Reset an ended contract's ports, switch its outlets off, store its servers
description:
  - Plan, apply through the journaled drivers, verify by read-back; then free the slots and ports,
    quarantine the addresses and book the servers into storage with the 7-day clock. In check mode, only the plan.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  contract: {description: Contract id., type: str, required: true}
  location: {description: Warehouse shelf., type: str, default: warehouse}
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Decommission an ended contract to a warehouse shelf
  colo.dc.decommission:
    contract: C2026-0001
    location: W1-07
"""

RETURN = r"""
message:
  description: What was done, or would be done in check mode.
  returned: always
  type: str
operation:
  description: The journaled operation's id; null in check mode or when the contract is not ended.
  returned: when the contract is ended
  type: int
  sample: 14
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import plan_diff, run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def action(module, api):
    cid = module.params["contract"]
    if api.contract(cid)["state"] != "ended":
        return {"changed": False, "message": f"{cid} is not ended: nothing to decommission", "diff": []}
    result = api.decommission(cid, dry_run=module.check_mode, location=module.params["location"])
    return {"changed": True, "diff": plan_diff(result["plan"]), "message": result["message"],
            "operation": result["operation"]}


def main():
    run_module({"contract": {"type": "str", "required": True}, "location": {"type": "str", "default": "warehouse"}},
               action)


if __name__ == "__main__":
    main()
