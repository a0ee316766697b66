DOCUMENTATION = r"""
module: outlet
short_description: Power-cycle a customer server's PDU outlets, on the customer's authorization
description:
  - Needs a valid, unused authorization for outlet-cycle (`colo authorize record`); without one the
    task fails and the refusal is recorded. Check mode verifies the authorization and uses nothing.
options:
  contract: {description: Contract id., type: str, required: true}
  server: {description: Which server of the contract., type: int, default: 1}
  db: {description: Store URL., type: str}
  at: {description: Run as of this ISO time., type: str}
  actor: {description: Who is recorded as acting., type: str}
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def action(module, api):
    result = api.operate(module.params["contract"], "outlet-cycle", module.params["server"], dry_run=module.check_mode)
    return {"changed": True, "result": result, "diff": [{"before_header": "outlet-cycle", "after_header": "outlet-cycle",
            "before": "", "after": result["would"] + "\n"}]}


def main():
    run_module({"contract": {"type": "str", "required": True}, "server": {"type": "int", "default": 1}}, action)


if __name__ == "__main__":
    main()
