"""Provisioning 40 ports on the lab's Catalyst: colo against the tools a network engineer would pick instead.

One Cisco switch of the device lab, N one-server contracts (default 40), the same lines on every
port (the ones colo's plan sends: description, access VLAN, ingress policer, egress limit, plus the
VLAN and QoS objects once). Each contender starts from a factory-fresh switch:

  colo     `provision --all-signed`: plan read, one session, push, read-back of every port,
           verify, save, with the journal and audit records in the store.
  nornir   Nornir + nornir_netmiko: one netmiko_send_config per port, threaded (one inventory
           host per port, so each port is its own session; 20 workers), then one save.
  ansible  cisco.ios.ios_config over ansible.netcommon.network_cli, a loop over the ports
           (parents: interface, lines: the port's), then one save. With --ansible-ports K < N
           it runs on K ports and the loop's time is scaled by N/K (the output says so).
  floor    one netmiko session: send_config_set with every line, then save_config. No read-back.

After each contender the bench reads the switch's state and checks every port holds the facts
colo's plan wanted and that the configuration was saved (outside the timing). Printed: each wall
time and its ratio to the floor, and colo against Nornir.

Run:  .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/peers.py [--ports 40] [--ansible-ports 40]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.provisioning import sign, site  # noqa: E402
from provision.api import Colo  # noqa: E402
from provision.domain.portfacts import PortFacts  # noqa: E402
from provision.drivers.switch import switch_driver  # noqa: E402
from provision.lab import control  # noqa: E402
from tests.conftest import Lab  # noqa: E402
from tests.test_network_cli import inventory, runner_env  # noqa: E402


class Bench:
    """The lab with one Cisco switch, its login, and what colo's plan sent (the lines every contender sends)."""

    def __init__(self, base: Path, inventory_dir: Path, lab_dir: Path) -> None:
        self.base, self.lab = base, Lab(inventory_dir, lab_dir, str(lab_dir / "secrets.yaml"))
        self.switch = yaml.safe_load((inventory_dir / "network.yaml").read_text())["switches"][0]
        self.login = yaml.safe_load(Path(self.lab.secrets).read_text())[self.switch["credentials"]]
        self.prerequisites: list[str] = []  # the shared objects' lines as colo sends them, `exit`s included
        self.shared = ""  # the same as an indented configuration, how ios_config takes it (`src`)
        self.ports: list[dict[str, Any]] = []  # interface, commands (with `interface …` and `exit`), after

    def factory(self) -> None:
        self.lab.reset()

    def netmiko(self) -> dict[str, Any]:
        return {"device_type": "cisco_ios", "host": "127.0.0.1", "port": self.switch["port"],
                "username": self.login["username"], "password": self.login["password"], "secret": self.login["enable"]}

    def verify(self, ports: list[dict[str, Any]]) -> None:
        """Every port as colo's plan wanted it, and the running configuration saved."""
        state = json.loads((self.lab.state / f"{self.switch['name']}.json").read_text())
        driver = switch_driver("cisco_ios", None)
        running = driver.parse(state["running"])
        wrong = [p["interface"] for p in ports if driver.read(running, p["interface"]).facts != PortFacts.from_dict(p["after"])]
        assert not wrong, f"ports not as planned: {', '.join(wrong)}"
        assert state["saved"] == state["running"], "the configuration was not saved"


def colo(b: Bench, n: int) -> float:
    db = str(b.base / "colo.db")
    Colo(db=db).init(str(b.lab.inventory))
    sign(Colo(db=db), n)
    start = time.perf_counter()
    result = Colo(db=db).provision([], all_signed=True)
    took = time.perf_counter() - start
    sw = result["plan"]["switches"][0]
    b.prerequisites = list(sw["prerequisite_commands"])
    b.shared = "".join(f"{st['header']}\n" + "".join(f" {c}\n" for c in st["children"]) for st in sw["prerequisites"])
    b.ports = [{"interface": p["interface"], "commands": p["commands"], "after": p["after"]} for p in sw["ports"]]
    return took


def floor(b: Bench, n: int) -> float:
    from netmiko import ConnectHandler

    start = time.perf_counter()
    conn = ConnectHandler(**b.netmiko())
    conn.enable()
    conn.send_config_set(b.prerequisites + [c for p in b.ports for c in p["commands"]])
    conn.save_config()
    conn.disconnect()
    return time.perf_counter() - start


def nornir(b: Bench, n: int) -> float:
    from nornir import InitNornir
    from nornir_netmiko.tasks import netmiko_save_config, netmiko_send_config

    params = b.netmiko()
    hosts = {p["interface"]: {"hostname": params["host"], "port": params["port"], "username": params["username"],
                              "password": params["password"], "platform": "cisco_ios", "data": {"commands": p["commands"]},
                              "connection_options": {"netmiko": {"extras": {"secret": params["secret"]}}}}
             for p in b.ports}
    (b.base / "nornir-hosts.yaml").write_text(yaml.safe_dump(hosts))
    start = time.perf_counter()
    nr = InitNornir(runner={"plugin": "threaded", "options": {"num_workers": 20}},
                    inventory={"plugin": "SimpleInventory", "options": {"host_file": str(b.base / "nornir-hosts.yaml")}},
                    logging={"enabled": False})
    first = nr.filter(name=b.ports[0]["interface"])
    _ok(first.run(task=netmiko_send_config, config_commands=b.prerequisites))
    _ok(nr.run(task=lambda task: netmiko_send_config(task, config_commands=task.host["commands"])))
    _ok(first.run(task=netmiko_save_config))
    nr.close_connections()
    return time.perf_counter() - start


def _ok(result: Any) -> None:
    assert not result.failed, {host: str(r.exception or r.result) for host, r in result.failed_hosts.items()}


def ansible(b: Bench, n: int) -> tuple[float, float]:
    """The playbook's wall time, and the part of it the loop over the ports took."""
    import ansible_runner

    private = b.base / "ansible"
    (private / "inventory").mkdir(parents=True, exist_ok=True)
    (private / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory(b.lab)))
    ports = [{"parents": p["commands"][0], "lines": p["commands"][1:-1]} for p in b.ports]
    play = [{"name": "Provision the ports with cisco.ios", "hosts": "cisco_ios", "gather_facts": False, "tasks": [
        {"name": "Shared objects", "cisco.ios.ios_config": {"src": str(private / "shared.cfg")}},
        {"name": "One port", "cisco.ios.ios_config": {"parents": "{{ item.parents }}", "lines": "{{ item.lines }}"},
         "loop": ports},
        {"name": "Save", "cisco.ios.ios_config": {"save_when": "always"}}]}]
    (private / "ports.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    (private / "shared.cfg").write_text(b.shared)
    failed: list[str] = []
    started: dict[str, datetime] = {}  # task name → when it started, to time the loop alone

    def on_event(event: dict[str, Any]) -> bool:
        if event.get("event") in ("runner_on_failed", "runner_on_unreachable"):
            failed.append(f"{event['event_data']['task']}: {event['event_data']['res'].get('msg')}")
        if event.get("event") == "playbook_on_task_start":
            started[event["event_data"]["task"]] = datetime.fromisoformat(event["created"])
        return True

    start = time.perf_counter()
    r = ansible_runner.run(private_data_dir=str(private), playbook=str(private / "ports.yml"),
                           inventory=str(private / "inventory" / "hosts.yml"), envvars=runner_env(private / "home"),
                           quiet=True, suppress_env_files=True, timeout=3600, event_handler=on_event)
    took = time.perf_counter() - start
    assert r.rc == 0, f"ansible-playbook exited {r.rc} ({r.status}): {failed}"
    loop = (started["Save"] - started["One port"]).total_seconds()
    return took, loop


def measure(b: Bench, run: Callable[[Bench, int], Any], n: int) -> Any:
    b.factory()
    took = run(b, n)
    b.verify(b.ports)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", type=int, default=40, help="ports (one contract each) on the switch; at most 40")
    parser.add_argument("--ansible-ports", type=int, default=None,
                        help="run ios_config on only this many of the ports and scale its time (it is slow)")
    args = parser.parse_args()
    if not 1 <= args.ports <= 40:
        parser.error(f"--ports {args.ports}: give 1 to 40 (the bench rack has 40 units for one-server contracts)")
    k = min(args.ansible_ports or args.ports, args.ports)
    with tempfile.TemporaryDirectory(prefix="colo-peers-") as tmp:
        base = Path(tmp)
        inventory_dir = site(base / "inventory", 1)
        network = yaml.safe_load((inventory_dir / "network.yaml").read_text())
        network["switches"][0]["access_ports"] = "GigabitEthernet1/0/1-48"  # Cisco: the first switch of the site
        (inventory_dir / "network.yaml").write_text(yaml.safe_dump(network, sort_keys=False))
        lab_dir = base / "lab"
        control.up(str(inventory_dir), str(lab_dir), timeout=60)
        os.environ["COLO_SECRETS"] = str(lab_dir / "secrets.yaml")
        os.environ["COLO_LOCK_DIR"] = str(base)
        try:
            run(Bench(base, inventory_dir, lab_dir), args.ports, k)
        finally:
            control.down(str(lab_dir))


def run(b: Bench, n: int, k: int) -> None:
    import netmiko  # noqa: F401  every contender runs in this process with the libraries already loaded
    import nornir_netmiko  # noqa: F401

    import provision.services.provisioning.deploy  # noqa: F401

    times = {"colo": measure(b, colo, n), "floor": measure(b, floor, n), "nornir": measure(b, nornir, n)}
    every = b.ports
    b.ports = every[:k]
    ansible_time, loop = measure(b, ansible, k)
    b.ports = every
    times["ansible"] = ansible_time + loop * (n / k - 1)  # only the loop grows with the ports
    print(f"ports: {n} on one Catalyst (cisco_ios), {len(b.prerequisites)} shared lines + "
          f"{sum(len(p['commands']) for p in every)} port lines; every result verified on the switch and saved")
    for name in ("colo", "nornir", "ansible", "floor"):
        scaled = (f" (measured {ansible_time:.1f} s on {k} ports, the loop's {loop:.1f} s of it scaled x{n / k:.1f})"
                  if name == "ansible" and k < n else "")
        print(f"{name}: {times[name]:.2f} s, {times[name] / times['floor']:.2f}x the floor{scaled}")
    print(f"colo_vs_nornir: {times['colo'] / times['nornir']:.2f}x")
    print(f"colo_vs_floor: {times['colo'] / times['floor']:.2f}x (goal <= 1.25x)")


if __name__ == "__main__":
    main()
