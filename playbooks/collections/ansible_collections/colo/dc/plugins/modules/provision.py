DOCUMENTATION = r"""
module: provision
short_description: Configure a colocation contract's switch ports and PDU outlets
description:
  - Plans against the devices, applies with the toolkit's journal, reads back and saves;
    undoes everything on failure. Check mode returns the plan as the diff and changes nothing.
options:
  contract: {description: Contract id, e.g. C2026-0001., type: str, required: true}
  db: {description: Store URL (default COLO_DB)., type: str}
  at: {description: Run as of this ISO time., type: str}
  actor: {description: Who is recorded as acting., type: str}
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import plan_diff, run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def action(module, api):
    cid = module.params["contract"]
    before = api.contract(cid)["state"]
    result = api.provision([cid], dry_run=module.check_mode)
    changed = result["plan"]["changes"] > 0 or before == "signed"
    return {"changed": changed, "diff": plan_diff(result["plan"]), "message": result["message"],
            "state": "provisioned" if module.check_mode and before == "signed" else api.contract(cid)["state"],
            "ip_sheet": result["plan"]["ip_sheet"], "install": result["install"], "operation": result["operation"]}


def main():
    run_module({"contract": {"type": "str", "required": True}}, action)


if __name__ == "__main__":
    main()
