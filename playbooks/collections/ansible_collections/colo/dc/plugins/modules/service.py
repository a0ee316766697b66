DOCUMENTATION = r"""
module: service
short_description: Suspend or resume a contract's network service, when its payment rules call for it
description:
  - state=suspended shuts the contract's ports once a stop-service notice's stop time has passed;
    state=active re-opens them once nothing is owed. Otherwise it fails with the reason.
options:
  contract: {description: Contract id., type: str, required: true}
  state: {description: Wanted service state., type: str, choices: [suspended, active], required: true}
  db: {description: Store URL., type: str}
  at: {description: Run as of this ISO time., type: str}
  actor: {description: Who is recorded as acting., type: str}
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
