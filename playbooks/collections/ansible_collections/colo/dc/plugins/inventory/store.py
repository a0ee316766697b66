DOCUMENTATION = r"""
name: store
short_description: Switches, PDUs and placed servers from the colo store
description:
  - Devices with their platform and management address (groups switches, pdus, platform_*);
    placed servers grouped by room, rack, customer and contract state.
options:
  plugin:
    description: Marks the file as this plugin's source.
    required: true
    choices: [colo.dc.store]
  db:
    description: Store URL or SQLite path.
    type: str
    env: [{name: COLO_DB}]
"""

from ansible.errors import AnsibleParserError  # noqa: E402 - DOCUMENTATION comes first in Ansible plugins
from ansible.plugins.inventory import BaseInventoryPlugin  # noqa: E402


class InventoryModule(BaseInventoryPlugin):
    NAME = "colo.dc.store"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("colo.store.yml", "colo.store.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            from provision.api import Colo
            from provision.errors import ColoError
        except ImportError as e:
            raise AnsibleParserError(f"colo.dc.store: the colo toolkit is not importable ({e}); run Ansible "
                                     f"from the toolkit's venv") from None
        try:
            data = Colo(db=self.get_option("db")).ansible_inventory()
        except ColoError as e:
            raise AnsibleParserError(f"colo.dc.store: {e}") from None
        for kind, rows in (("switches", data["switches"]), ("pdus", data["pdus"])):
            inventory.add_group(kind)
            for row in rows:
                inventory.add_host(row["name"], group=kind)
                inventory.add_group(f"platform_{row['platform']}")
                inventory.add_host(row["name"], group=f"platform_{row['platform']}")
                for key, value in (("ansible_host", row["host"]), ("ansible_port", row["port"]),
                                   ("colo_platform", row["platform"]), ("ansible_connection", "local")):
                    inventory.set_variable(row["name"], key, value)
        inventory.add_group("servers")
        for row in data["servers"]:
            inventory.add_host(row["name"], group="servers")
            for name in row["groups"]:
                inventory.add_group(name)
                inventory.add_host(row["name"], group=name)
            for key in ("contract", "state", "customer", "room", "rack", "units", "switch", "interface"):
                inventory.set_variable(row["name"], f"colo_{key}", row[key])
            inventory.set_variable(row["name"], "ansible_host", row["address"])
            inventory.set_variable(row["name"], "ansible_connection", "local")
