# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: contract_info
short_description: A contract as C(colo contract show --json) prints it
description:
  - Read only; never changes anything, so check mode runs it as usual.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  contract:
    description: Contract id, for example V(C2026-0001).
    type: str
    required: true
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Read a contract
  colo.dc.contract_info:
    contract: C2026-0001
  register: info

- name: Say which state it is in
  ansible.builtin.debug:
    msg: "{{ info.contract.state }}"
"""

RETURN = r"""
contract:
  description: The contract with its customer, placements, clocks and deadlines (keys as in C(colo contract show --json)).
  returned: success
  type: dict
  sample: {id: C2026-0001, state: active, customer: ACME Hosting}
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def main():
    run_module({"contract": {"type": "str", "required": True}},
               lambda module, api: {"changed": False, "contract": api.contract(module.params["contract"])})


if __name__ == "__main__":
    main()
