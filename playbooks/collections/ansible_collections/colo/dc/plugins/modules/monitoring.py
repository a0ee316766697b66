# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
module: monitoring
short_description: Whom a contract's emergencies are told, and which of the customer's services are checked
description:
  - Declarative; only the difference is written, each change an audited contract event.
    Check mode reports the difference and writes nothing. Network and power are always watched.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
options:
  contract: {description: Contract id., type: str, required: true}
  contact:
    description: The channel emergencies go to (SLA 4.5); omit to leave it as it is.
    type: dict
    suboptions:
      channel: {description: How., type: str, choices: [email, webhook, phone, dingtalk, wecom], required: true}
      target:
        description:
          - An email address; the http(s) URL of an SMS/IM gateway; a phone number; a DingTalk group robot's
            webhook address (C(https://oapi.dingtalk.com/robot/send?access_token=...)); or a WeCom group robot's
            (C(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...)).
        type: str
        required: true
      secret:
        description:
          - For a DingTalk robot secured by signing, the name of the secret holding its signing key. The key itself
            comes from the toolkit's environment or secrets file, never from the playbook.
        type: str
  services:
    description: The complete list of customer services to check (SLA 4.4); others are dropped. Omit to leave them.
    type: list
    elements: dict
    suboptions:
      kind: {description: What is checked., type: str, choices: [www, email, ftp], required: true}
      target:
        description: A URL for www; host[:port] for email (SMTP) and ftp.
        type: str
        required: true
extends_documentation_fragment: [colo.dc.common]
"""

EXAMPLES = r"""
- name: Emergencies by webhook, and check the customer's web site and mail server
  colo.dc.monitoring:
    contract: C2026-0001
    contact: {channel: webhook, target: "https://sms.example.net/colo"}
    services:
      - {kind: www, target: "https://www.acme.example/"}
      - {kind: email, target: "mail.acme.example:25"}

- name: Emergencies to the customer's DingTalk group, through a robot secured by signing
  colo.dc.monitoring:
    contract: C2026-0002
    contact:
      channel: dingtalk
      target: "https://oapi.dingtalk.com/robot/send?access_token={{ acme_robot_token }}"
      secret: acme-dingtalk-sign
"""

RETURN = r"""
changes:
  description: The changes written (or, in check mode, that would be), one line each.
  returned: always
  type: list
  elements: str
monitoring:
  description: The contract's contact and watched services after the run.
  returned: always
  type: dict
  sample: {contact: {channel: webhook, to: "https://sms.example.net/colo"}, services: [{kind: www, target: "https://www.acme.example/"}]}
"""

from ansible_collections.colo.dc.plugins.module_utils.colo import run_module  # noqa: E402 - DOCUMENTATION comes first in Ansible modules


def _text(view):
    lines = [f"contact: {view['contact']['channel']} {view['contact']['to']}"]
    return "\n".join(lines + [f"watch {s['kind']} {s['target']}" for s in view["services"]]) + "\n"


def action(module, api):
    p = module.params
    contact = (p["contact"]["channel"], p["contact"]["target"]) if p["contact"] else None
    services = None if p["services"] is None else [(s["kind"], s["target"]) for s in p["services"]]
    result = api.configure_monitoring(p["contract"], contact, services, dry_run=module.check_mode,
                                      contact_secret=p["contact"]["secret"] if p["contact"] else None)
    header = f"{result['contract']} monitoring"
    return {"changed": result["changed"], "changes": result["changes"], "monitoring": result["after"],
            "diff": {"before_header": header, "after_header": header,
                     "before": _text(result["before"]), "after": _text(result["after"])}}


def main():
    run_module({"contract": {"type": "str", "required": True},
                "contact": {"type": "dict", "options": {
                    "channel": {"type": "str", "required": True,
                                "choices": ["email", "webhook", "phone", "dingtalk", "wecom"]},
                    "target": {"type": "str", "required": True},
                    "secret": {"type": "str", "no_log": False}}},
                "services": {"type": "list", "elements": "dict", "options": {
                    "kind": {"type": "str", "required": True, "choices": ["www", "email", "ftp"]},
                    "target": {"type": "str", "required": True}}}}, action)


if __name__ == "__main__":
    main()
