DOCUMENTATION = r"""
module: port
short_description: Bounce a customer server's switch port, on the customer's authorization
description:
  - Needs a valid, unused authorization for port-bounce (`colo authorization record`); without one the
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
    run_authorized_operation("port-bounce")


if __name__ == "__main__":
    main()
