DOCUMENTATION = r"""
module: drift
short_description: Where the switch ports and PDU outlets differ from the store (and fix it on request)
description:
  - Reads every port and outlet the store placed and reports those that differ; with fix, applies the
    store's intent as one journaled operation.
options:
  fix: {description: Apply the store's intent where devices drifted (never in check mode)., type: bool, default: false}
  db: {description: Store URL., type: str}
  at: {description: Run as of this ISO time., type: str}
  actor: {description: Who is recorded as acting., type: str}
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
