"""The monthly SLA report of a whole site must stay quick as the site grows.

What it measures: the wall time of `provision.services.monitoring.sla.site_report` (what
`colo sla report --month 2026-12` runs) on a store generated here:

  10,000 active contracts (--contracts N; half yearly, half monthly payers) plus
  1,000 signed ones that the report skips, and for December 2026 about 2 outages per
  active contract: 80 % network, 20 % power, 1-12 minutes (2 % of them 45-120 min,
  enough to breach), 15 % excluded with a named reason and who classified it, 8 %
  reported after the 5-day window or never, a few straddling the month's start or
  end; 1 outage per contract in November and some in January (outside the month);
  emergencies for 30 % of the contracts in December (half reported late) and some in
  other months. Rows are written straight into a fresh store (the signing path is
  benched by bench/allocation.py); seed fixed, so every run sees the same site.

Figures, each the median of --runs runs (default 3), one line `name: value unit`:

  site_report    the service as it is
  per_contract   baseline, same run, same store: the report built contract by
                 contract, each with its own outage and emergency queries (how
                 site_report worked before it loaded the month in bulk; still the
                 path of `colo sla report ID` for one contract)
  domain_only    lower bound: the pure arithmetic (domain.sla.classify + report) over
                 the same rows already in memory, no store

and the ratios per_contract/site_report (the gain of bulk loading) and
site_report/domain_only (what the store and the JSON view cost on top of the
arithmetic). It also checks that site_report and per_contract return identical
reports, and prints the number of breached contracts and the total credit.

The store is SQLite in a temporary directory (removed afterwards); with --db-url
postgresql://... a fresh schema on that server, dropped afterwards.

Run:  .venv/bin/python bench/sla_report.py [--contracts N] [--runs N] [--db-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from allocation import scratch_dir, store_url  # the bench's own directory: one way to make a bench store
from sqlalchemy import insert, select

from provision.api import Colo
from provision.domain.sla import Outage, classify, month_window, report
from provision.services.context import Context, load_site, site_id
from provision.services.monitoring import sla
from provision.store.schema import Contract, ContractEvent, Customer, Emergency, OutageRecord

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inventory" / "example"
MONTH = "2026-12"
TZ = ZoneInfo("Asia/Shanghai")
EXCLUDE = ["agreed-maintenance", "customer-equipment", "customer-application", "customer-negligence",
           "force-majeure"]
REPORTED_STATES = ("active", "suspended", "ended")


def generate(ctx: Context, contracts: int, seed: int = 7) -> dict[str, int]:
    """Write customers, contracts, outages and emergencies in a few bulk inserts."""
    rnd = random.Random(seed)
    start, end = month_window(MONTH, TZ)
    signed = datetime(2026, 1, 5, 10, 0, tzinfo=TZ)
    total = contracts + contracts // 10  # the extra tenth stays `signed`: not in the report
    customers = [{"id": i, "key": f"sla bench customer {i:05d}", "name": f"SLA Bench Customer {i:05d}"}
                 for i in range(1, total + 1)]
    with ctx.store.session() as s:
        site = site_id(s)
    rows = [{"id": f"C2026-{i:05d}", "site_id": site, "year": 2026, "seq": i, "customer_id": i, "kind": "colocation",
             "quantity": 1,
             "bandwidth_mbps": 100, "ips": 1, "payment": "monthly" if i % 2 else "yearly",
             "fee": Decimal("1000.00") if i % 2 else Decimal("12000.00"), "term_months": 12, "power_w": 300,
             "state": "active" if i <= contracts else "signed", "signed_at": signed} for i in range(1, total + 1)]
    # in service since January: the report counts only a contract's service period (activation to end)
    activations = [{"contract_id": f"C2026-{i:05d}", "kind": "activated", "at": signed + timedelta(days=2),
                    "months": 0, "actor": "bench", "detail": ""} for i in range(1, contracts + 1)]
    outages: list[dict[str, Any]] = []
    emergencies: list[dict[str, Any]] = []

    def outage(cid: str, began: datetime, minutes: int, in_month: bool) -> None:
        roll = rnd.random()
        reported: datetime | None = began + timedelta(minutes=rnd.randint(5, 600))
        if roll < 0.05:
            reported = began + timedelta(days=rnd.randint(6, 9))     # too late to count
        elif roll < 0.08:
            reported = None                                           # never reported
        excluded = rnd.choice(EXCLUDE) if in_month and rnd.random() < 0.15 else None
        outages.append({"contract_id": cid, "kind": "power" if rnd.random() < 0.2 else "network", "start": began,
                        "end": began + timedelta(minutes=minutes), "cause": f"bench outage {len(outages) + 1}",
                        "reported_at": reported, "excluded": excluded,
                        "classified_by": "noc-bench" if excluded else None, "recorded_by": "bench"})

    month_seconds = int((end - start).total_seconds())
    for i in range(1, contracts + 1):
        cid = f"C2026-{i:05d}"
        for _ in range(rnd.choice((1, 2, 2, 3))):                     # about 2 a contract in the month
            long = rnd.random() < 0.02
            outage(cid, start + timedelta(seconds=rnd.randrange(month_seconds - 7200)),
                   rnd.randint(45, 120) if long else rnd.randint(1, 12), True)
        outage(cid, start - timedelta(days=rnd.randint(2, 25)), rnd.randint(1, 60), False)   # November
        if i % 50 == 0:
            outage(cid, start - timedelta(minutes=10), 30, True)       # straddles the month's start
        if i % 20 == 0:
            outage(cid, end + timedelta(days=rnd.randint(1, 20)), rnd.randint(1, 60), False)  # January
        if rnd.random() < 0.3:
            declared = start + timedelta(seconds=rnd.randrange(month_seconds - 3600))
            late = rnd.random() < 0.5
            emergencies.append({"contract_id": cid, "declared_at": declared, "channel": "email", "recorded_by": "bench",
                                "notified_at": declared + timedelta(minutes=rnd.randint(16, 90) if late
                                                                    else rnd.randint(1, 15))})
        if rnd.random() < 0.2:
            declared = start - timedelta(days=rnd.randint(1, 60))
            emergencies.append({"contract_id": cid, "declared_at": declared, "channel": "phone", "recorded_by": "bench",
                                "notified_at": declared + timedelta(minutes=40)})
    with ctx.store.session() as s:
        for table, data in ((Customer, customers), (Contract, rows), (ContractEvent, activations),
                            (OutageRecord, outages), (Emergency, emergencies)):
            for k in range(0, len(data), 5000):
                s.execute(insert(table), data[k:k + 5000])
    return {"contracts": total, "active": contracts, "outages": len(outages), "emergencies": len(emergencies)}


def per_contract(ctx: Context, month: str) -> dict[str, Any]:
    """Baseline: one report per contract, each querying its own outages and emergencies."""
    with ctx.store.session() as s:
        site = load_site(s)
        now = ctx.now(site)
        rows = [sla._report(s, site, now, c, month) for c in s.scalars(
            select(Contract).where(Contract.state.in_(REPORTED_STATES)).order_by(Contract.year, Contract.seq))]
    return {"month": month, "contracts": rows, "breached": sum(1 for r in rows if r["breached"]),
            "total_credit": str(sum((Decimal(r["total_credit"]) for r in rows), Decimal("0.00")))}


def in_memory(ctx: Context, month: str) -> Callable[[], tuple[int, Decimal]]:
    """Load the month once (untimed); return the pure arithmetic over it."""
    with ctx.store.session() as s:
        site = load_site(s)
        start, end = month_window(month, site.tz)
        contracts = list(s.scalars(select(Contract).where(Contract.state.in_(REPORTED_STATES))
                                   .order_by(Contract.year, Contract.seq)))
        outages: dict[str, list[Outage]] = defaultdict(list)
        for r in s.scalars(select(OutageRecord).order_by(OutageRecord.start, OutageRecord.id)):
            outages[r.contract_id].append(Outage(
                r.start.astimezone(site.tz), (r.end or end).astimezone(site.tz), r.kind,
                r.reported_at.astimezone(site.tz) if r.reported_at else None,
                sla.EXCLUSIONS[r.excluded] if r.excluded else None))
        emergencies: dict[str, list[tuple[datetime, datetime | None]]] = defaultdict(list)
        for e in s.scalars(select(Emergency)):
            emergencies[e.contract_id].append((e.declared_at.astimezone(site.tz),
                                               e.notified_at.astimezone(site.tz) if e.notified_at else None))
    fees = {c.id: sla.month_fee(c) for c in contracts}

    def run() -> tuple[int, Decimal]:
        breached, credit = 0, Decimal("0.00")
        for cid, fee in fees.items():
            mine = [o for o in outages[cid] if o.start < end and o.end > start]
            classify(mine, start, end)
            r = report(mine, emergencies[cid], fee, start, end)
            breached += r.breached
            credit += r.total
        return breached, credit

    return run


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=10_000, help="active contracts (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure; the median is printed")
    parser.add_argument("--db-url", help="run on this PostgreSQL server (fresh schema) instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite store)")
    args = parser.parse_args()

    with scratch_dir("colo-bench-sla-", args.keep) as tmp:
        print(f"backend: {'postgresql' if args.db_url else 'sqlite'}")
        with store_url(args.db_url, tmp, "sla") as db:
            Colo(db=db).init(str(EXAMPLE))
            ctx = Context.open(db, "2027-01-05T09:00", "bench")
            t = time.perf_counter()
            counts = generate(ctx, args.contracts)
            print(f"generated: {counts['active']} active contracts (+{counts['contracts'] - counts['active']} signed), "
                  f"{counts['outages']} outages, {counts['emergencies']} emergencies in {time.perf_counter() - t:.1f} s")
            print(f"runs: {args.runs} per figure (median)", flush=True)

            site_s, site = timed(lambda: sla.site_report(ctx, MONTH), args.runs)
            print(f"site_report: {site_s:.2f} s", flush=True)
            base_s, base = timed(lambda: per_contract(ctx, MONTH), args.runs)
            print(f"per_contract: {base_s:.2f} s", flush=True)
            arithmetic = in_memory(ctx, MONTH)
            dom_s, (dom_breached, dom_credit) = timed(arithmetic, args.runs)
            print(f"domain_only: {dom_s:.2f} s")
            n = len(site["contracts"])
            print(f"site_report_per_contract: {site_s / n * 1000:.3f} ms")
            print(f"per_contract_per_contract: {base_s / n * 1000:.3f} ms")
            print(f"ratio_per_contract_to_site_report: {base_s / site_s:.2f} x")
            print(f"ratio_site_report_to_domain_only: {site_s / dom_s:.2f} x")
            print(f"contracts_reported: {n} contracts")
            print(f"breached: {site['breached']} contracts")
            print(f"total_credit: {site['total_credit']} CNY")
            same = site == base and (dom_breached, str(dom_credit)) == (site["breached"], site["total_credit"])
            print(f"outputs_identical: {'yes' if same else 'NO'}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
