# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: drift
short_description: Where the switch ports and PDU outlets differ from the store (and fix it on request)
description:
  - Reads every port and outlet the store placed and reports those that differ; with fix, applies the
    store's intent as one journaled operation.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  fix: {description: Apply the store's intent where devices drifted (never in check mode)., type: bool, default: false}
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Report ports and outlets that differ from the store
  colo.dc.drift:
  register: audit

- name: Put the store's intent back where devices drifted
  colo.dc.drift:
    fix: true
"""

RETURN = r"""
drift:
  description: One entry per port or outlet that differs, with the device, the target and a line diff.
  returned: always
  type: list
  elements: dict
  sample:
    - device: sw-a101-1
      target: GigabitEthernet1/0/3
      diff: ["- description patched by hand", "+ description C2026-0001 s1 ACME"]
operations:
  description: Ids of the journaled operations that fixed the drift (empty without O(fix)).
  returned: always
  type: list
  elements: int
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def action(module, api):
    fix = module.params["fix"] and not module.check_mode
    result = api.drift(fix=fix)
    diff = [{"before_header": f"{d['device']} {d['target']}", "after_header": f"{d['device']} {d['target']}",
             "before": "\n".join(x[2:] for x in d["diff"] if x.startswith("- ")) + "\n",
             "after": "\n".join(x[2:] for x in d["diff"] if x.startswith("+ ")) + "\n"} for d in result["drift"]]
    changed = bool(result["drift"]) and (module.params["fix"] or False)
    return {"changed": changed, "drift": result["drift"], "diff": diff, "operations": result["operations"]}


def main():
    run_module({"fix": {"type": "bool", "default": False}}, action)


if __name__ == "__main__":
    main()
