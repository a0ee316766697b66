"""What going through Ansible costs: one contract provisioned via the API vs via the playbook.

Same lab, same kind of contract (one server on the Cisco switch), in one run:
  api       Colo.provision([id]) — what `colo provision ID` does.
  playbook  `colo run playbooks/provision.yml -e contract=ID` — ansible-runner starting
            ansible-playbook, the colo.dc.provision module calling the same API.
Median wall per contract for each and the ratio playbook/api.

Run:  .venv/bin/python bench/ansible_overhead.py [--contracts 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provision.api import Colo, SignOrder  # noqa: E402
from provision.domain.terms import Customer  # noqa: E402
from provision.lab import control  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="colo-bench-") as tmp:
        base = Path(tmp)
        site = control.relocated(ROOT / "inventory" / "example", base / "inventory")
        lab = base / "lab"
        control.up(str(site), str(lab))
        os.environ.update(COLO_SECRETS=str(lab / "secrets.yaml"), COLO_LOCK_DIR=str(base),
                          COLO_RUN_DIR=str(base / "runs"))
        try:
            db = str(base / "colo.db")
            Colo(db=db).init(str(site))
            ids = [Colo(db=db).sign(SignOrder(customer=Customer(name=f"Bench {i}"), kind="colocation", quantity=1,
                                              bandwidth_mbps=100, fee="100.00", payment="monthly", room="A101"))["id"]
                   for i in range(2 * args.contracts)]
            api, play = [], []
            for cid in ids[:args.contracts]:
                start = time.perf_counter()
                Colo(db=db).provision([cid])
                api.append(time.perf_counter() - start)
            for cid in ids[args.contracts:]:
                start = time.perf_counter()
                out = Colo.run_playbook(str(ROOT / "playbooks" / "provision.yml"), False, {"contract": cid, "db": db})
                play.append(time.perf_counter() - start)
                assert out["summary"]["localhost"]["changed"] == 1
        finally:
            control.down(str(lab))
    a, p = statistics.median(api), statistics.median(play)
    print(f"contracts: {args.contracts} per path")
    print(f"api_provision_median: {a * 1000:.0f} ms")
    print(f"playbook_provision_median: {p * 1000:.0f} ms")
    print(f"ansible_overhead_ratio: {p / a:.2f}x")
    print(f"ansible_overhead_per_contract: {(p - a) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
