# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: provision
short_description: Configure colocation contracts' switch ports and PDU outlets
description:
  - Plans against the devices, applies with the toolkit's journal, reads back and saves;
    undoes everything on failure. Check mode returns the plan as the diff and changes nothing.
  - Several contracts in one task are one batch, as C(colo provision ID ID ...) does it, in one
    process with one plan read and one SSH session per switch for all of them; a loop over
    the contracts pays Ansible's and the toolkit's start-up once per contract instead.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  contract:
    description:
      - Contract id, for example V(C2026-0001), or a list of them (a comma-separated string is split).
    type: list
    elements: str
    required: true
    aliases: [contracts]
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Provision one contract
  colo.dc.provision:
    contract: C2026-0001

- name: Provision every contract signed today in one batch (one session per switch)
  colo.dc.provision:
    contracts: "{{ signed_today }}"
    db: /srv/colo/colo.db
  register: provisioned
"""

RETURN = r"""
message:
  description: What was done, or would be done in check mode.
  returned: always
  type: str
  sample: applied and verified 4 change(s) as operation #12
operation:
  description: The journaled operation's id; null when nothing was applied.
  returned: always
  type: int
  sample: 12
states:
  description: Each contract's state after the run (in check mode, the state a real run would leave).
  returned: always
  type: dict
  sample: {C2026-0001: provisioned}
ip_sheet:
  description: The addresses handed to the customers, one entry per address.
  returned: always
  type: list
  elements: dict
  sample: [{contract: C2026-0001, server: 1, address: 203.0.113.10, gateway: 203.0.113.1}]
install:
  description: Each contract's install clock (deadline, status, refund due).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import plan_diff, run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules

# the options beyond colo.dc.common, shared with the action plugin of the same name
ARGUMENT_SPEC = {"contract": {"type": "list", "elements": "str", "required": True, "aliases": ["contracts"]}}


def action(module, api):
    result = api.provision(module.params["contract"], dry_run=module.check_mode)
    plan = result["plan"]
    signed = {i["contract"] for i in result["install"] if i["state"] == "signed"}
    changed = (plan["changes"] > 0 or bool(signed)) if module.check_mode else result["applied"]
    states = {i["contract"]: "provisioned" if module.check_mode and i["contract"] in signed else i["state"]
              for i in result["install"]}
    return {"changed": changed, "diff": plan_diff(plan), "message": result["message"], "states": states,
            "ip_sheet": plan["ip_sheet"], "install": result["install"], "operation": result["operation"]}


def main():
    run_module(ARGUMENT_SPEC, action)


if __name__ == "__main__":
    main()
