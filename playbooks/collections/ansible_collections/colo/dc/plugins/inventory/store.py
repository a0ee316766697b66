# Copyright: (c) 2026, colo toolkit maintainers
# SPDX-License-Identifier: Apache-2.0

DOCUMENTATION = r"""
name: store
short_description: Switches, PDUs and placed servers from the colo store
description:
  - Devices with their platform and management address; placed servers grouped by room, rack,
    customer and contract state.
  - Switches are set up for the standard network collections (C(ansible.netcommon.network_cli) with
    the platform's C(ansible_network_os)); their login is looked up by secret name when a task
    connects (P(colo.dc.secret#lookup)), so neither the inventory nor its cache holds a password.
  - Constructable (O(compose), O(groups), O(keyed_groups), O(strict)) and cacheable through
    Ansible's cache plugins, like C(netbox.netbox.nb_inventory).
  - "Host variables set: every host has C(colo_kind) (V(switch), V(pdu) or V(server)) and C(ansible_host);
    switches and PDUs C(ansible_port), C(colo_platform) (the toolkit's platform name) and C(colo_credentials)
    (the name of their secret, never its value); switches C(ansible_connection), C(ansible_network_os),
    C(ansible_user) and C(ansible_password) (lookups of that secret), PDUs C(ansible_connection=local)
    (they are driven over SNMP from the controller); servers C(colo_contract), C(colo_state),
    C(colo_customer), C(colo_room), C(colo_rack), C(colo_units), C(colo_switch), C(colo_interface)
    and C(ansible_connection=local)."
  - "Groups: C(switches), C(pdus), C(platform_<platform>), C(servers), C(room_<room>), C(rack_<rack>),
    C(customer_<name>), C(state_<state>)."
author: colo toolkit maintainers (!UNKNOWN)
version_added: 0.1.0
requirements:
  - The colo toolkit importable by the controller's Python (run Ansible from the toolkit's venv).
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description: Marks the file as this plugin's source.
    required: true
    choices: [colo.dc.store]
  db:
    description: Store URL or SQLite path.
    type: str
    env: [{name: COLO_DB}]
  network_os:
    description:
      - The C(ansible_network_os) of each switch platform; a platform not listed gets none.
      - V(community.network.ce) comes from the community.network collection and V(h3c_open.comware.comware)
        from H3C's own collection, neither of which the C(ansible) package bundles any more.
    type: dict
    default:
      cisco_ios: cisco.ios.ios
      huawei_vrp: community.network.ce
      hp_comware: h3c_open.comware.comware
"""

EXAMPLES = r"""
# inventory/colo.store.yml
plugin: colo.dc.store
db: /srv/colo/colo.db
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/colo-inventory
cache_timeout: 300
keyed_groups:
  - key: colo_customer
    prefix: tenant
compose:
  rack_label: colo_room ~ '/' ~ colo_rack
groups:
  cisco: colo_platform == 'cisco_ios'
"""

from ansible.errors import AnsibleParserError  # noqa: E402 - DOCUMENTATION comes first in Ansible plugins
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable  # noqa: E402
from ansible.template import trust_as_template  # noqa: E402

SERVER_VARS = ("contract", "state", "customer", "room", "rack", "units", "switch", "interface")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "colo.dc.store"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("colo.store.yml", "colo.store.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        # one cache entry per file and store: the same file may be read with another COLO_DB
        key = self.get_cache_key(f"{path}#{self.get_option('db')}")
        use_cache = self.get_option("cache")
        data = None
        if use_cache and cache:
            data = self._cache.get(key)
        if data is None:
            data = self._read_store()
            if use_cache:
                self._cache[key] = data
        self._populate(data)

    def _read_store(self):
        try:
            from provision.api import Colo
            from provision.errors import ColoError
        except ImportError as e:
            raise AnsibleParserError(f"colo.dc.store: the colo toolkit is not importable ({e}); run Ansible "
                                     f"from the toolkit's venv") from None
        try:
            return Colo(db=self.get_option("db")).ansible_inventory()
        except ColoError as e:
            raise AnsibleParserError(f"colo.dc.store: {e}") from None

    def _populate(self, data):
        network_os = self.get_option("network_os") or {}
        for row in data["switches"]:
            self._host(row["name"], ["switches", f"platform_{row['platform']}"], self._device_vars(row, "switch") | {
                "ansible_connection": "ansible.netcommon.network_cli",
                "ansible_user": self._secret_lookup(row["credentials"], "username"),
                "ansible_password": self._secret_lookup(row["credentials"], "password"),
                **({"ansible_network_os": network_os[row["platform"]]} if row["platform"] in network_os else {})})
        for row in data["pdus"]:
            self._host(row["name"], ["pdus", f"platform_{row['platform']}"],
                       self._device_vars(row, "pdu") | {"ansible_connection": "local"})
        for row in data["servers"]:
            self._host(row["name"], ["servers", *row["groups"]],
                       {f"colo_{k}": row[k] for k in SERVER_VARS} | {"colo_kind": "server", "ansible_host": row["address"],
                                                                     "ansible_connection": "local"})

    @staticmethod
    def _device_vars(row, kind):
        return {"colo_kind": kind, "ansible_host": row["host"], "ansible_port": row["port"],
                "colo_platform": row["platform"], "colo_credentials": row["credentials"]}

    @staticmethod
    def _secret_lookup(name, field):
        """A template the connection resolves when it logs in: only the secret's name is stored."""
        return trust_as_template(f"{{{{ lookup('colo.dc.secret', {name!r}, field={field!r}) }}}}")

    def _host(self, name, groups, hostvars):
        for group in groups:
            self.inventory.add_group(group)
            self.inventory.add_host(name, group=group)
        for key, value in hostvars.items():
            self.inventory.set_variable(name, key, value)
        strict = self.get_option("strict")
        self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)
