# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0
"""The options every colo.dc module takes: which store, as of when, and who acts."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  db:
    description:
      - Store URL (C(postgresql://...)) or SQLite path.
      - Defaults to E(COLO_DB), then the toolkit's default store.
    type: str
  at:
    description:
      - Run as of this ISO 8601 time instead of now (what-if runs, back-dated records).
    type: str
  site:
    description:
      - The site the task works on, by name; needed only when the store holds more than one.
      - Defaults to E(COLO_SITE).
    type: str
  actor:
    description:
      - Who is recorded as acting in the audit log.
      - Defaults to V(ansible).
    type: str
requirements:
  - The colo toolkit importable by the module's Python; run Ansible from the toolkit's venv and set
    C(ansible_python_interpreter) to C({{ ansible_playbook_python }}).
notes:
  - The module runs on the controller and calls the toolkit's Python API (C(provision.api.Colo)); it holds
    no business logic, so a playbook and the C(colo) command line always do the same thing.
"""
