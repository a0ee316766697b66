"""`colo lab up|down|status`: the device lab for an inventory, on 127.0.0.1 only.

Two processes serve every device the inventory names: one asyncio process with an
SSH CLI per switch, one SNMP agent process for the PDUs and the switches' IF-MIB. The
lab invents its own credentials and writes them to `secrets.yaml` in the lab
directory (mode 0600), which COLO_SECRETS points at; nothing secret is printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from provision import progress
from provision.errors import OperationFailed, Refused
from provision.inventory.load import load_inventory
from provision.inventory.model import Inventory

DEFAULT_DIR = ".colo-lab"
PROCESSES = ("switchsim", "snmpagent")


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports(kind: int, count: int) -> list[int]:
    """`count` distinct free ports: the kernel may hand a just-released port out again."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port(kind))
    return sorted(ports)


def relocated(source: Path, target: Path) -> Path:
    """A copy of an inventory directory with every device on free loopback ports.

    Tests and the CI dry run use it so they never collide with each other or with a
    lab a technician left running on the inventory's own ports.
    """
    target.mkdir(parents=True)
    files = {src.name: yaml.safe_load(src.read_text(encoding="utf-8")) for src in sorted(source.glob("*.y*ml"))}
    switches = [sw for data in files.values() if isinstance(data, dict) for sw in data.get("switches", [])]
    pdus = [pdu for data in files.values() if isinstance(data, dict) for pdu in data.get("pdus", [])]
    snmp = [sw["snmp"] for sw in switches if sw.get("snmp")]
    for device, port in zip(switches, free_ports(socket.SOCK_STREAM, len(switches)), strict=True):
        device["port"] = port
    for device, port in zip([*snmp, *pdus], free_ports(socket.SOCK_DGRAM, len(snmp) + len(pdus)), strict=True):
        device["port"] = port
    for name, data in files.items():
        (target / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


def lab_dir(path: str | None) -> Path:
    return Path(path or os.environ.get("COLO_LAB_DIR") or DEFAULT_DIR).resolve()


def _config(inv: Inventory, state_dir: Path, creds: dict[str, dict[str, str]]) -> dict[str, Any]:
    for device in [*inv.switches, *inv.pdus]:
        if device.host not in ("127.0.0.1", "localhost"):
            raise Refused(f"{device.name} is at {device.host}: the lab only simulates devices on 127.0.0.1; "
                          f"point the inventory's hosts at the lab or use the real devices")
    switches = []
    for sw in inv.switches:
        login = creds[sw.credentials]
        entry = {"name": sw.name, "platform": sw.platform, "host": "127.0.0.1", "port": sw.port,
                 "interfaces": [*sw.access_ports, *sw.uplinks], "username": login["username"],
                 "password": login["password"], "enable": login["enable"],
                 # the real model the simulator behaves like; uplinks carry no access-port site lines
                 "personality": sw.effective_personality(), "uplinks": list(sw.uplinks)}
        if sw.snmp is not None:
            entry |= {"snmp_host": "127.0.0.1", "snmp_port": sw.snmp.port,
                      "community": creds[sw.snmp.credentials]["community"]}
        switches.append(entry)
    pdus = [{"name": p.name, "platform": p.platform, "host": "127.0.0.1", "port": p.port,
             "community": creds[p.credentials]["community"], "outlets": p.outlets} for p in inv.pdus]
    return {"state_dir": str(state_dir), "switches": switches, "pdus": pdus}


def _credentials(inv: Inventory) -> dict[str, dict[str, str]]:
    """Fresh random secrets per credentials name: a lab never shares a password with anything real."""
    names = ({sw.credentials for sw in inv.switches} | {p.credentials for p in inv.pdus}
             | {sw.snmp.credentials for sw in inv.switches if sw.snmp})
    return {name: {"username": "colo", "password": secrets.token_urlsafe(12), "enable": secrets.token_urlsafe(12),
                   "community": secrets.token_hex(8)} for name in sorted(names)}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read(directory: Path) -> dict[str, Any] | None:
    try:
        return json.loads((directory / "lab.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def up(inventory: str, directory: str | None = None, timeout: float = 30.0) -> dict[str, Any]:
    """Start the lab for `inventory` (idempotent: a running lab for the same inventory is left as is)."""
    d = lab_dir(directory)
    current = _read(d)
    if current and all(_alive(p) for p in current["pids"].values()):
        if current["inventory"] == str(Path(inventory).resolve()):
            return status(directory) | {"message": "the lab is already running"}
        raise Refused(f"a lab for {current['inventory']} is running in {d}: `colo lab down` first")
    inv = load_inventory(inventory)
    d.mkdir(parents=True, exist_ok=True)
    state = d / "state"
    state.mkdir(exist_ok=True)
    creds = _credentials(inv)
    secrets_file = d / "secrets.yaml"
    fd = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(creds, fh)
    config = _config(inv, state, creds)
    config_file = d / "config.json"
    fd = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(config, fh)
    pids = {}
    for proc in PROCESSES:
        log = open(d / f"{proc}.log", "ab")  # noqa: SIM115 - handed to the child, which outlives us
        child = subprocess.Popen([sys.executable, "-m", f"provision.lab.{proc}", str(config_file)],
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, cwd=d)
        pids[proc] = child.pid
        progress.step(f"lab: started {proc} (pid {child.pid})")
    record = {"inventory": str(Path(inventory).resolve()), "pids": pids, "secrets": str(secrets_file),
              "switches": [{"name": s["name"], "platform": s["platform"], "ssh": s["port"], "snmp": s.get("snmp_port")}
                           for s in config["switches"]],
              "pdus": [{"name": p["name"], "platform": p["platform"], "snmp": p["port"]} for p in config["pdus"]]}
    (d / "lab.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    _wait_ready(d, record, timeout)
    return status(directory) | {"message": f"lab up; export COLO_SECRETS={secrets_file}"}


def _wait_ready(d: Path, record: dict[str, Any], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    ssh_ports = [s["ssh"] for s in record["switches"]]
    while time.monotonic() < deadline:
        dead = [name for name, pid in record["pids"].items() if not _alive(pid) or _reaped(pid)]
        if dead:
            down(str(d))
            raise OperationFailed(f"lab process {dead[0]} exited at start: see {d / (dead[0] + '.log')}")
        if all(_tcp_open(p) for p in ssh_ports) and _snmp_ready(d, record):
            return
        time.sleep(0.1)
    down(str(d))
    raise OperationFailed(f"the lab did not answer within {timeout:.0f}s: see the logs in {d}")


def _reaped(pid: int) -> bool:
    """A child that exited is a zombie until reaped; reap it so `_alive` tells the truth."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == pid


def _tcp_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _snmp_ready(d: Path, record: dict[str, Any]) -> bool:
    """The SNMP agent answers once it has loaded its data; ask the first PDU for outlet 1."""
    from provision.drivers.pdu import pdu_driver
    from provision.drivers.snmp import SnmpTarget
    from provision.errors import DeviceError
    from provision.secrets import Secret

    config = json.loads((d / "config.json").read_text(encoding="utf-8"))
    if not config["pdus"]:
        return True
    p = config["pdus"][0]
    try:
        pdu_driver(p["platform"], SnmpTarget(p["name"], "127.0.0.1", p["port"], Secret(p["community"]),
                                             timeout=0.3, retries=0)).outlet_states([1])
    except DeviceError:
        return False
    return True


def down(directory: str | None = None) -> dict[str, Any]:
    d = lab_dir(directory)
    record = _read(d)
    if record is None:
        return {"running": False, "message": f"no lab in {d}"}
    for pid in record["pids"].values():
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) and not _reaped(p) for p in record["pids"].values()):
        time.sleep(0.05)
    for pid in record["pids"].values():
        if _alive(pid) and not _reaped(pid):
            os.killpg(pid, signal.SIGKILL)
    (d / "lab.json").unlink()
    return {"running": False, "message": f"lab in {d} stopped; device state kept in {d / 'state'}"}


def status(directory: str | None = None) -> dict[str, Any]:
    d = lab_dir(directory)
    record = _read(d)
    if record is None:
        return {"running": False, "dir": str(d), "message": f"no lab in {d}: `colo lab up --inventory PATH`"}
    processes = {name: _alive(pid) and not _reaped(pid) for name, pid in record["pids"].items()}
    switches = [s | {"answering": _tcp_open(s["ssh"])} for s in record["switches"]]
    return {"running": all(processes.values()), "dir": str(d), "inventory": record["inventory"],
            "secrets": record["secrets"], "processes": processes, "switches": switches, "pdus": record["pdus"]}

