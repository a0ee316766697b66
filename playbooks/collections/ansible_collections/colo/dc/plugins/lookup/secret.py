# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
name: secret
short_description: A field of a device secret, by the name the inventory gives
description:
  - Resolves a secret the way the colo toolkit does, from E(COLO_SECRET_<NAME>_<FIELD>) variables or the YAML
    file named by E(COLO_SECRETS); the inventory names the secret (C(colo_credentials)) and never holds its value.
  - The colo.dc.store inventory sets C(ansible_user) and C(ansible_password) of each switch to this lookup,
    so C(network_cli) logs in with the same secret the toolkit's drivers use.
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
requirements:
  - The colo toolkit importable by the controller's Python.
options:
  _terms:
    description: Secret names, as in the inventory's C(credentials).
    required: true
    type: list
    elements: str
  field:
    description: Which field of the secret.
    type: str
    default: password
    choices: [username, password, enable, community]
"""

EXAMPLES = r"""
- name: Log in to a switch with its secret (what colo.dc.store sets)
  ansible.builtin.set_fact:
    ansible_user: "{{ lookup('colo.dc.secret', colo_credentials, field='username') }}"
    ansible_password: "{{ lookup('colo.dc.secret', colo_credentials) }}"
  no_log: true
"""

RETURN = r"""
_raw:
  description: The field's value, one per name.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError  # noqa: E402 - DOCUMENTATION comes first in Ansible plugins
from ansible.plugins.lookup import LookupBase  # noqa: E402


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        field = self.get_option("field")
        try:
            from provision.errors import ColoError
            from provision.secrets import resolve
        except ImportError as e:
            raise AnsibleLookupError(f"colo.dc.secret: the colo toolkit is not importable ({e})") from None
        values = []
        for name in terms:
            try:
                value = getattr(resolve(name).require(field), field)
            except ColoError as e:  # names the secret and the variables to set, never a value
                raise AnsibleLookupError(f"colo.dc.secret: {e}") from None
            values.append(value if isinstance(value, str) else value.reveal())
        return values
