# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: outlet
short_description: Power-cycle a customer server's PDU outlets, on the customer's authorization
description:
  - Needs a valid, unused authorization for outlet-cycle (`colo authorization record`); without one the
    task fails and the refusal is recorded. Check mode verifies the authorization and uses nothing.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  contract: {description: Contract id., type: str, required: true}
  server: {description: Which server of the contract., type: int, default: 1}
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Power-cycle server 1 of a contract (needs a recorded outlet-cycle authorization)
  colo.dc.outlet:
    contract: C2026-0001
    server: 1
"""

RETURN = r"""
result:
  description: The operation, the authorization it used and what it did (C(would) in check mode).
  returned: success
  type: dict
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_authorized_operation  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def main():
    run_authorized_operation("outlet-cycle")


if __name__ == "__main__":
    main()
