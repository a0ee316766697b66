DOCUMENTATION = r"""
module: outlet
short_description: Power-cycle a customer server's PDU outlets, on the customer's authorization
description:
  - Needs a valid, unused authorization for outlet-cycle (`colo authorization record`); without one the
    task fails and the refusal is recorded. Check mode verifies the authorization and uses nothing.
options:
  contract: {description: Contract id., type: str, required: true}
  server: {description: Which server of the contract., type: int, default: 1}
  db: {description: Store URL., type: str}
  at: {description: Run as of this ISO time., type: str}
  actor: {description: Who is recorded as acting., type: str}
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_authorized_operation  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def main():
    run_authorized_operation("outlet-cycle")


if __name__ == "__main__":
    main()
