"""Provisioning against the device lab: what one contract costs, and what batching buys.

Two figures, each against a baseline measured in the same run:

  single   10 one-server contracts, each signed then provisioned (plan read,
           push, read-back, save, PDU check) on its own through `Colo`; median
           wall per contract. Baseline: the bare device cost of the same change —
           one netmiko session that sends the same lines, reads the config back
           and saves — so the ratio is what the toolkit adds on top (journal,
           planning read, store, SNMP).
  batch    200 contracts across 10 lab switches (Cisco, Huawei, H3C in turn).
           Batched: `provision --all-signed` — one plan read and one session per
           switch, switches in parallel. Baseline: the naive run — contracts one
           after another, each in its own sessions (`provision ID` per contract).
           Ratio naive/batched; the goal is >= 10x.

The site is generated here (10 racks, one 24-port switch and one APC PDU each),
its lab started in a temporary directory and stopped afterwards. Stores are SQLite.

Run:  .venv/bin/python bench/provisioning.py [--contracts 200] [--single 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provision.api import Colo, SignOrder  # noqa: E402
from provision.domain.terms import Customer  # noqa: E402
from provision.lab import control  # noqa: E402
from tests.conftest import free_port  # noqa: E402

PLATFORMS = ("cisco_ios", "huawei_vrp", "hp_comware")
NAMES = {"cisco_ios": "GigabitEthernet1/0/1-24", "huawei_vrp": "GigabitEthernet0/0/1-24",
         "hp_comware": "GigabitEthernet1/0/1-24"}


def site(target: Path, switches: int) -> Path:
    import socket

    target.mkdir(parents=True)
    racks = [f"R{i:02d}" for i in range(1, switches + 1)]
    (target / "site.yaml").write_text(yaml.safe_dump({
        "site": {"name": "bench", "timezone": "Asia/Shanghai", "dns": ["192.0.2.53"]},
        "rooms": [{"name": "R1", "racks": [
            {"name": r, "height_u": 42, "reserved_units": "1, 42", "power_budget_w": 20000,
             "feeds": [{"pdu": f"pdu-{r.lower()}", "outlets": "1-40", "units": "2-41"}]} for r in racks]}],
    }, sort_keys=False))
    (target / "network.yaml").write_text(yaml.safe_dump({
        "switches": [{"name": f"sw-{r.lower()}", "platform": PLATFORMS[i % 3], "host": "127.0.0.1",
                      "port": free_port(socket.SOCK_STREAM), "credentials": "lab-switch",
                      "snmp": {"port": free_port(socket.SOCK_DGRAM), "credentials": "lab-snmp"},
                      "access_ports": NAMES[PLATFORMS[i % 3]], "racks": [r]} for i, r in enumerate(racks)],
        "pools": [{"name": "bench", "prefix": "10.20.0.0/22", "gateway": "10.20.0.1", "vlan": 300, "racks": racks}],
    }, sort_keys=False))
    (target / "power.yaml").write_text(yaml.safe_dump({
        "pdus": [{"name": f"pdu-{r.lower()}", "platform": "apc_rpdu2", "host": "127.0.0.1",
                  "port": free_port(socket.SOCK_DGRAM), "credentials": "lab-snmp", "outlets": 48} for r in racks],
    }, sort_keys=False))
    return target


def sign(api: Colo, n: int, offset: int = 0) -> list[str]:
    return [api.sign(SignOrder(customer=Customer(name=f"Bench Customer {offset + i}"), kind="colocation", quantity=1,
                               bandwidth_mbps=100, fee="1200.00", payment="monthly"))["id"] for i in range(n)]


def raw_device_change(lab_dir: Path, inventory: Path) -> float:
    """The same port change through a bare driver session: connect, push, read back, save."""
    from provision.services.provisioning.devices import SwitchInfo

    sw = yaml.safe_load((inventory / "network.yaml").read_text())["switches"][0]
    driver = SwitchInfo(sw["name"], sw["platform"], "127.0.0.1", sw["port"], sw["credentials"], None, None).driver()
    lines = ["interface GigabitEthernet1/0/24", "description C2026-9999 s1 raw baseline",
             "switchport access vlan 300", "switchport mode access", "exit"]
    start = time.perf_counter()
    driver.push(lines)
    driver.running()
    driver.save()
    driver.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--single", type=int, default=10)
    parser.add_argument("--switches", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="colo-bench-") as tmp:
        base = Path(tmp)
        inventory = site(base / "inventory", args.switches)
        lab = base / "lab"
        control.up(str(inventory), str(lab), timeout=60)
        os.environ["COLO_SECRETS"] = str(lab / "secrets.yaml")
        os.environ["COLO_LOCK_DIR"] = str(base)
        try:
            run(base, inventory, lab, args)
        finally:
            control.down(str(lab))


def run(base: Path, inventory: Path, lab: Path, args: argparse.Namespace) -> None:
    # single: one contract at a time, first rack (Cisco), against the raw driver session
    db = str(base / "single.db")
    api = Colo(db=db)
    api.init(str(inventory))
    per_contract = []
    for cid in sign(api, args.single):
        start = time.perf_counter()
        Colo(db=db).provision([cid])
        per_contract.append(time.perf_counter() - start)
    raw = statistics.median(raw_device_change(lab, inventory) for _ in range(args.single))
    median = statistics.median(per_contract)
    print(f"single_provision_median: {median * 1000:.0f} ms")
    print(f"single_raw_device_change_median: {raw * 1000:.0f} ms")
    print(f"single_overhead_ratio: {median / raw:.2f}x")

    # batch vs naive: same site, same number of contracts, fresh device state for each run
    for state in (lab / "state").glob("*.json"):
        state.unlink()
    naive_db, batch_db = str(base / "naive.db"), str(base / "batch.db")
    for path in (naive_db, batch_db):
        Colo(db=path).init(str(inventory))
    naive_ids = sign(Colo(db=naive_db), args.contracts)
    start = time.perf_counter()
    for cid in naive_ids:
        Colo(db=naive_db).provision([cid])
    naive = time.perf_counter() - start
    for state in (lab / "state").glob("*.json"):
        state.unlink()
    sign(Colo(db=batch_db), args.contracts)
    start = time.perf_counter()
    result = Colo(db=batch_db).provision([], all_signed=True)
    batched = time.perf_counter() - start
    assert result["applied"] and len(result["contracts"]) == args.contracts
    print(f"batch_contracts: {args.contracts} across {len(result['plan']['switches'])} switches")
    print(f"naive_sequential: {naive:.2f} s ({naive / args.contracts * 1000:.0f} ms per contract)")
    print(f"batched_parallel: {batched:.2f} s ({batched / args.contracts * 1000:.0f} ms per contract)")
    print(f"batch_speedup_ratio: {naive / batched:.1f}x")


if __name__ == "__main__":
    main()
