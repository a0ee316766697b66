"""Notifying a whole site at once: every customer told within the 15-minute report guarantee.

A core switch or a feed failing declares an emergency for every contract in one round.
What it measures: `notify_pending` (what every monitor round runs) delivering --emergencies
N pending emails (default 500) through an SMTP relay that answers each command after
--latency ms (default 50: a relay some distance away; aiosmtpd on 127.0.0.1 with a delay
in its MAIL, RCPT and DATA handlers), each outcome written to a SQLite store as it arrives.

  concurrent   `notify_pending` as it is: NOTIFY_IN_FLIGHT deliveries at a time
  sequential   baseline, same run, same data: one delivery at a time (in_flight=1), as
               notifications went out before

Printed, one line `name: value unit`: both wall times, the ratio, the relay's largest
number of simultaneous sessions, and for each the time 10,000 emergencies would take at
the measured rate against the 15 minutes the contract allows. Every run checks that the
relay received exactly one message per emergency and that every emergency is marked.

Run:  .venv/bin/python bench/notify_burst.py [--emergencies 500] [--latency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

from provision.api import Colo
from provision.monitor.notify import Mailer
from provision.services.context import Context
from provision.services.monitoring.rounds import NOTIFY_IN_FLIGHT, notify_pending
from provision.store.schema import Contract, Customer, Emergency

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
SITE_SIZE = 10_000
GUARANTEE_S = 15 * 60


class SlowRelay:
    """An SMTP relay `latency` seconds away: each command's answer waits that long."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.received = 0
        self.active = 0
        self.most_active = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        await asyncio.sleep(self.latency)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        await asyncio.sleep(self.latency)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.latency)
        self.received += 1
        self.active -= 1
        return "250 OK"


def pending_store(directory: Path, emergencies: int) -> Context:
    """A store of the example site with `emergencies` active contracts, each with one emergency not yet notified."""
    db = str(directory / "colo.db")
    Colo(db=db).init(str(ROOT / "inventory" / "example"))
    ctx = Context.open(db, "2026-12-03T10:06", "bench")
    declared = datetime(2026, 12, 3, 10, 5, tzinfo=TZ)
    with ctx.store.session() as s:
        s.execute(insert(Customer), [{"id": i, "key": f"burst {i}", "name": f"Burst Customer {i:05d}",
                                      "email": f"noc{i}@customer{i}.example"} for i in range(1, emergencies + 1)])
        s.execute(insert(Contract), [{"id": f"C2026-{i:05d}", "year": 2026, "seq": i, "customer_id": i,
                                      "kind": "colocation", "quantity": 1, "bandwidth_mbps": 100, "ips": 1,
                                      "payment": "monthly", "fee": Decimal("1000.00"), "term_months": 12,
                                      "power_w": 300, "state": "active",
                                      "signed_at": declared - timedelta(days=200)} for i in range(1, emergencies + 1)])
        s.execute(insert(Emergency), [{"contract_id": f"C2026-{i:05d}", "declared_at": declared, "channel": "email",
                                       "recorded_by": "bench", "kind": "network", "target": f"10.0.{i >> 8}.{i & 255}"}
                                      for i in range(1, emergencies + 1)])
    return ctx


def run(base: Path, name: str, emergencies: int, latency: float, in_flight: int) -> tuple[float, int]:
    (base / name).mkdir()
    ctx = pending_store(base / name, emergencies)
    relay = SlowRelay(latency)
    with socket.socket() as probe:  # a free port: aiosmtpd's controller cannot take port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        start = time.perf_counter()
        out = notify_pending(ctx, Mailer("127.0.0.1", port, "noc@colo.example", timeout=30.0), in_flight)
        elapsed = time.perf_counter() - start
    finally:
        controller.stop()
    with ctx.store.session() as s:
        unmarked = s.scalar(select(func.count()).select_from(Emergency).where(Emergency.notified_at.is_(None)))
    failed = [n for n in out if not n["sent"]]
    if failed or unmarked or relay.received != emergencies:
        sys.exit(f"{name}: {len(failed)} failed (e.g. {failed[0]['error'] if failed else '-'}), {unmarked} unmarked, "
                 f"{relay.received} received of {emergencies}")
    return elapsed, relay.most_active


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--emergencies", type=int, default=500)
    parser.add_argument("--latency", type=float, default=50.0, help="ms before the relay answers each command")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="colo-notify-bench-"))
    try:
        latency = args.latency / 1000
        concurrent, most = run(base, "concurrent", args.emergencies, latency, NOTIFY_IN_FLIGHT)
        sequential, _ = run(base, "sequential", args.emergencies, latency, 1)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"emergencies: {args.emergencies} (email, relay answering each command after {args.latency:g} ms)")
    print(f"concurrent: {concurrent:.2f} s ({NOTIFY_IN_FLIGHT} in flight; relay saw {most} sessions at once)")
    print(f"sequential: {sequential:.2f} s (one at a time)")
    print(f"ratio_sequential_to_concurrent: {sequential / concurrent:.1f}x")
    for name, seconds in (("concurrent", concurrent), ("sequential", sequential)):
        projected = seconds / args.emergencies * SITE_SIZE
        verdict = "within" if projected <= GUARANTEE_S else "OVER"
        print(f"site_of_{SITE_SIZE}_{name}: {projected / 60:.1f} min ({verdict} the 15-minute report guarantee)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
