"""`colo --help` and the everyday reads start fast.

What it measures: the median wall time of whole processes, started with
subprocess the way a technician's shell starts them:

  python -c pass            baseline 1: bare interpreter start-up of this venv's python
  python -c "import sqlalchemy"
                            baseline 2: what a command that opens the store through SQLAlchemy
                            pays before its own work (the commands that write do)
  colo --help               the console script next to sys.executable
  colo deadlines            the everyday reads, against a small SQLite store made here
  colo contract show ID     from inventory/example with a few signed contracts
  colo rack show A01
  colo find TEXT

Each command runs once to warm the OS caches, then --runs times (default 20),
interleaved so drift hits all alike. Goals: `colo --help` and every everyday read
under 300 ms wall on this machine; each is printed with its ratio to both baselines.

It also runs each colo command once under `python -X importtime` and reports
whether the heavy modules are imported: netmiko, paramiko, pysnmp, ansible,
ansible_runner, SQLAlchemy (the reads speak to sqlite3 or psycopg directly), the ORM
schema and the holidays package, at any of these commands. The working-day calendar is cached on disk by the warm-up run,
as it is after a technician's first clock-computing command.

Every figure is printed as one line `name: value unit`.

Run:  .venv/bin/python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventory" / "example"
HEAVY = ("netmiko", "paramiko", "pysnmp", "ansible", "ansible_runner", "provision.store.schema",
         "holidays", "sqlalchemy")
GOAL_MS = 300.0
_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


def colo_script() -> Path:
    script = Path(sys.executable).parent / "colo"
    if not script.exists():
        sys.exit(f"no colo script next to {sys.executable}: run this with the venv's python, "
                 f"e.g. .venv/bin/python bench/startup.py")
    return script


def make_store(directory: Path) -> Path:
    """A store from the example site with a few signed contracts, so deadlines has clocks to show."""
    from provision.api import Colo, SignOrder
    from provision.domain.terms import Customer

    db = directory / "startup.db"
    Colo(db=str(db)).init(str(EXAMPLE))
    api = Colo(db=str(db))
    for i in range(5):
        api.sign(SignOrder(customer=Customer(name=f"Startup Bench {i} Ltd."), kind="colocation", quantity=1 + i % 2,
                           bandwidth_mbps=100, fee="1000.00", payment="yearly", request_id=f"startup-{i}"))
    return db


def wall_ms(argv: list[str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, cwd=ROOT)
    elapsed = (time.perf_counter() - t) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode().strip()}")
    return elapsed


def imported(argv: list[str]) -> tuple[set[str], int, float]:
    """Modules imported by the command, their count, and summed top-level import time (ms)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, cwd=ROOT, text=True)
    if done.returncode != 0:
        raise SystemExit(f"importtime run of {' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]}")
    modules: set[str] = set()
    count = 0
    top_us = 0
    for line in done.stderr.splitlines():
        m = _IMPORTTIME.match(line)
        if not m:
            continue
        count += 1
        modules.add(m.group(4))
        if len(m.group(3)) <= 1:  # not nested under another import
            top_us += int(m.group(2))
    return modules, count, top_us / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per command after one warm-up (default 20)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    colo = str(colo_script())
    tmp = Path(tempfile.mkdtemp(prefix="colo-bench-startup-"))
    try:
        db = make_store(tmp)
        commands = {
            "python_pass": [sys.executable, "-c", "pass"],
            "python_import_sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
            "colo_help": [colo, "--help"],
            "colo_deadlines": [colo, "--db", str(db), "deadlines"],
            "colo_contract_show": [colo, "--db", str(db), "contract", "show", "C2026-0001"],
            "colo_rack_show": [colo, "--db", str(db), "rack", "show", "A01"],
            "colo_find": [colo, "--db", str(db), "find", "Startup Bench 3"],
        }
        colo_commands = [name for name in commands if name.startswith("colo_")]
        for argv in commands.values():  # warm-up
            wall_ms(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(wall_ms(argv))
        median = {name: statistics.median(values) for name, values in times.items()}

        print(f"runs: {args.runs} per command")
        for name in commands:
            print(f"{name}_median: {median[name]:.1f} ms")
        failed = False
        for name in colo_commands:
            for base in ("python_pass", "python_import_sqlalchemy"):
                print(f"{name}_ratio_to_{base}: {median[name] / median[base]:.2f} x")
            ok = median[name] < GOAL_MS
            print(f"goal_{name}_under_{GOAL_MS:.0f}ms: {'met' if ok else 'NOT met'}")
            failed |= not ok

        for name in colo_commands:
            modules, count, top_ms = imported(commands[name])
            print(f"{name}_modules_imported: {count} modules")
            print(f"{name}_import_time_top_level: {top_ms:.1f} ms")
            bad = [h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules)]
            print(f"{name}_forbidden_heavy_imports: {', '.join(bad) if bad else 'none'}")
            failed |= bool(bad)
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
