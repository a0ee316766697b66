DOCUMENTATION = r"""
module: contract_info
short_description: A contract as `colo contract show --json` prints it
description:
  - Read only; never changes anything.
options:
  contract: {description: Contract id., type: str, required: true}
  db: {description: Store URL., type: str}
  at: {description: Run as of this ISO time., type: str}
  actor: {description: Who is recorded as acting., type: str}
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def main():
    run_module({"contract": {"type": "str", "required": True}},
               lambda module, api: {"changed": False, "contract": api.contract(module.params["contract"])})


if __name__ == "__main__":
    main()
