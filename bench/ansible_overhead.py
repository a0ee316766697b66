"""What going through Ansible costs: contracts provisioned via the API vs via the playbook.

Same lab, same kind of contract (one server in room A101), in one run:
  single    one contract at a time, --contracts of them per path:
            api       Colo.provision([id]) — what `colo provision ID` does.
            playbook  `colo run playbooks/provision.yml -e contract=ID` — ansible-runner starting
                      ansible-playbook, the colo.dc.provision task calling the same API.
            Median wall per contract for each and the ratio playbook/api.
  batch     --batch contracts at once (default 50):
            api       Colo.provision(ids) — `colo provision ID ID ...`: one plan read and one
                      session per switch for all of them.
            cli       `colo provision ID ID ... --json` in a new process: the same call, paying the
                      toolkit's imports and first-use costs that the warm in-process api does not.
            playbook  `colo run playbooks/provision.yml -e contract=ID,ID,...` — one task, the same
                      batch call (the module's code in ansible-playbook's worker, through the
                      collection's action plugin, as for any local run in the toolkit's Python).
            Each path starts from a fresh store and devices at factory defaults, so all do the
            same work; median wall over --rounds, the ratio playbook/api (goal <= 1.5x) and
            playbook/cli (what Ansible itself adds to a new toolkit process).

Run:  .venv/bin/python bench/ansible_overhead.py [--contracts 5] [--batch 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from provision.api import Colo, SignOrder  # noqa: E402
from provision.domain.terms import Customer  # noqa: E402
from provision.lab import control  # noqa: E402

PLAYBOOK = str(ROOT / "playbooks" / "provision.yml")


def signed(db: str, count: int, prefix: str) -> list[str]:
    return [Colo(db=db).sign(SignOrder(customer=Customer(name=f"{prefix} {i}"), kind="colocation", quantity=1,
                                       bandwidth_mbps=100, fee="100.00", payment="monthly", room="A101"))["id"]
            for i in range(count)]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def by_playbook(db: str, ids: list[str]) -> None:
    out = Colo.run_playbook(PLAYBOOK, False, {"contract": ",".join(ids), "db": db})
    assert out["summary"]["localhost"]["changed"] == 1, out["summary"]


def by_cli(db: str, ids: list[str]) -> None:
    done = subprocess.run([str(Path(sys.executable).with_name("colo")), "--db", db, "provision", *ids, "--json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def single(base: Path, site: Path, contracts: int) -> tuple[float, float]:
    db = str(base / "single.db")
    Colo(db=db).init(str(site))
    ids = signed(db, 2 * contracts, "Single")
    api = [timed(lambda cid=cid: Colo(db=db).provision([cid])) for cid in ids[:contracts]]
    play = [timed(lambda cid=cid: by_playbook(db, [cid])) for cid in ids[contracts:]]
    return statistics.median(api), statistics.median(play)


def batch(base: Path, site: Path, lab: Path, count: int, rounds: int) -> dict[str, float]:
    """Alternating paths, each from a fresh store and factory-default devices."""
    paths = {"api": lambda db, ids: Colo(db=db).provision(ids), "cli": by_cli, "playbook": by_playbook}
    times: dict[str, list[float]] = {name: [] for name in paths}
    for n in range(rounds):
        for name, run in paths.items():
            for state in (lab / "state").glob("*.json"):
                state.unlink()  # the simulators come back at factory defaults
            db = str(base / f"batch-{name}-{n}.db")
            Colo(db=db).init(str(site))
            ids = signed(db, count, "Batch")
            times[name].append(timed(lambda run=run, db=db, ids=ids: run(db, ids)))
            states = {Colo(db=db).contract(cid)["state"] for cid in ids}
            assert states == {"provisioned"}, f"{name}: {states}"
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=5)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="colo-bench-") as tmp:
        base = Path(tmp)
        site = control.relocated(ROOT / "inventory" / "example", base / "inventory")
        lab = base / "lab"
        control.up(str(site), str(lab))
        os.environ.update(COLO_SECRETS=str(lab / "secrets.yaml"), COLO_LOCK_DIR=str(base),
                          COLO_RUN_DIR=str(base / "runs"))
        try:
            a, p = single(base, site, args.contracts)
            b = batch(base, site, lab, args.batch, args.rounds)
        finally:
            control.down(str(lab))
    print(f"contracts: {args.contracts} per path")
    print(f"api_provision_median: {a * 1000:.0f} ms")
    print(f"playbook_provision_median: {p * 1000:.0f} ms")
    print(f"ansible_overhead_ratio: {p / a:.2f}x")
    print(f"ansible_overhead_per_contract: {(p - a) * 1000:.0f} ms")
    print(f"batch: {args.batch} contracts in one call, median of {args.rounds} round(s)")
    for name in ("api", "cli", "playbook"):
        print(f"{name}_batch_provision: {b[name] * 1000:.0f} ms")
    print(f"ansible_batch_overhead_ratio: {b['playbook'] / b['api']:.2f}x (goal <= 1.5x)")
    print(f"playbook_vs_cli_batch_ratio: {b['playbook'] / b['cli']:.2f}x")


if __name__ == "__main__":
    main()
