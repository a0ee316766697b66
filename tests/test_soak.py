"""Soak: eight processes for a minute signing, paying, enforcing, provisioning and decommissioning at once.

Against the device lab and PostgreSQL, with the site clock (an injected `--at` that keeps
moving) advancing one day per real second, so payment clocks, stop-service notices, suspensions, resumptions and term
ends all come due while the processes run. Each process follows its own contracts
through their life — some customers pay at once, some only once suspended, some never,
some are terminated early — and runs `enforce` now and then, overlapping the others'.
Afterwards the store must show: no slot, port or address held by two live placements;
every payment reference booked exactly once (retries included); one stop-service notice
per overdue contract period; no operation left `applying`; an intact audit chain.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from provision.api import Colo, ServerRecord
from provision.errors import ColoError
from provision.services.context import Context, SiteInfo
from provision.store.engine import Store, open_store
from provision.store.schema import (
    Address,
    Contract,
    ContractEvent,
    Operation,
    PaymentRecord,
    Placement,
    Port,
    StopNotice,
    Unit,
)
from tests.conftest import PG_SKIP, ROOT, Lab, order

WORKERS = 8
SECONDS = 60.0
DAY_SECONDS = 1.0  # real seconds per site day
START = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FEE = "1000.00"
STYLES = ("prompt", "late", "never", "terminate")  # how a customer pays, or ends early
UNEXPECTED = 99  # an exception outside the toolkit's hierarchy


def site_time(t0: float) -> datetime:
    """The soak's site clock: START at the common start `t0`, then a day per DAY_SECONDS."""
    return START + timedelta(days=(time.time() - t0) / DAY_SECONDS)


@dataclass
class SiteClock(Context):
    """`--at` that keeps moving: every reading of 'now' is the soak's clock at that moment.

    A fixed `--at` per call would let a run whose time was read before a payment act
    after it, as no real clock can; this one is read afresh wherever the toolkit reads
    the time, like the wall clock, only faster.
    """

    t0: float = 0.0

    def now(self, site: SiteInfo) -> datetime:
        return site_time(self.t0).astimezone(site.tz)


class Worker:
    """One soak process: its own customers, the shared site clock, and a log line per call."""

    def __init__(self, url: str, number: int, t0: float, log: Path) -> None:
        self.store: Store = open_store(url)
        self.number, self.t0, self.log = number, t0, log.open("a", encoding="utf-8")
        self.rng = random.Random(number)
        self.contracts: dict[str, dict[str, Any]] = {}  # id → style, payment ref once paid, number, signed when
        self.count = 0

    def api(self) -> Colo:
        colo = Colo()
        colo.context = SiteClock(self.store, None, f"soak{self.number}", t0=self.t0)  # one engine per process
        return colo

    def call(self, op: str, fn: Callable[[Colo], Any], **info: Any) -> Any:
        """Run one use case; log its exit code (0, or the error's) and message."""
        result, code, error = None, 0, None
        try:
            result = fn(self.api())
        except ColoError as e:
            code, error = e.exit_code, str(e)
        except Exception:
            code, error = UNEXPECTED, traceback.format_exc()
        self.note(op, code, error, **info)
        return result

    def note(self, op: str, code: int, error: str | None, **info: Any) -> None:
        self.log.write(json.dumps({"worker": self.number, "op": op, "code": code, "error": error, **info}) + "\n")
        self.log.flush()

    def run(self, seconds: float) -> None:
        time.sleep(max(0.0, self.t0 - time.time()))
        while time.time() < self.t0 + seconds:
            if self.rng.random() < 0.25:
                self.enforce()
            elif len(self.contracts) < 6 and time.time() < self.t0 + seconds * 0.6 and self.rng.random() < 0.4:
                self.sign()
            elif self.contracts:
                self.step(self.rng.choice(sorted(self.contracts)))

    def enforce(self) -> None:
        """A run overlapping the others'; each action it could not do is logged like a failed call (exit 1)."""
        result = self.call("enforce", lambda api: api.enforce())
        for a in result["actions"] if result else []:
            if "error" in a:
                self.note(f"enforce {a['action']}", 1, a["error"], contract=a["contract"])

    def sign(self) -> None:
        self.count += 1
        key = f"soak{self.number}-{self.count}"
        made = self.call("sign", lambda api: api.sign(order(f"Soak {key}", fee=FEE, payment="monthly", term_months=1,
                                                            request_id=key)))
        if made is not None:
            self.contracts[made["id"]] = {"style": self.rng.choice(STYLES), "ref": None, "n": self.count,
                                          "since": time.time()}

    def step(self, cid: str) -> None:
        """The next thing this customer's contract needs from the technician, by its state and payment style."""
        mine = self.contracts[cid]
        shown = self.call("show", lambda api: api.contract(cid), contract=cid)
        if shown is None:
            return
        state = shown["state"]
        if state == "signed":
            self.call("provision", lambda api: api.provision([cid]), contract=cid)
        elif state == "provisioned":
            mac = f"02{self.number:02x}{mine['n']:08x}"
            self.call("server", lambda api: api.record_server(cid, 1, ServerRecord(serial=f"S{cid}", mac=mac)),
                      contract=cid)
            self.call("activate", lambda api: api.activate(cid), contract=cid)
        elif state in ("active", "suspended") and mine["ref"] is None and (
                mine["style"] in ("prompt", "terminate") or (mine["style"] == "late" and state == "suspended")):
            self.pay(cid, f"w{self.number}-{mine['n']}")
        elif state in ("active", "suspended") and mine["ref"] is not None and self.rng.random() < 0.2:
            self.pay(cid, mine["ref"])  # an operator's retry with the same bank reference
        elif state == "active" and mine["style"] == "terminate" and time.time() > mine["since"] + 10 * DAY_SECONDS:
            self.call("terminate", lambda api: api.terminate(cid, forced="policy"), contract=cid)
            self.call("decommission", lambda api: api.decommission(cid), contract=cid)
        elif state == "ended":
            self.call("decommission", lambda api: api.decommission(cid), contract=cid)
        elif state not in ("active", "suspended"):
            del self.contracts[cid]  # stored, abandoned or collected: nothing more to do for it

    def pay(self, cid: str, ref: str) -> None:
        self.call("pay", lambda api: api.payment(cid, FEE, ref), contract=cid, ref=ref)
        self.contracts[cid]["ref"] = ref


def work() -> None:
    """Entry point of one soak process: URL, number, common start (epoch seconds), seconds, log file."""
    url, number, t0, seconds, log = sys.argv[1:6]
    Worker(url, int(number), float(t0), Path(log)).run(float(seconds))


@pytest.mark.soak
@pytest.mark.skipif(PG_SKIP is not None, reason=f"soak needs PostgreSQL: {PG_SKIP}")
def test_soak_eight_processes_against_the_lab_on_postgresql(lab: Lab, pg_url: str, tmp_path: Path) -> None:
    lab.reset()
    Colo(db=pg_url).init(str(lab.inventory))
    t0 = time.time() + 5.0  # every process has imported the toolkit by then
    logs = [tmp_path / f"w{n}.jsonl" for n in range(WORKERS)]
    procs = [subprocess.Popen([sys.executable, "-c", "from tests.test_soak import work; work()", pg_url, str(n),
                               str(t0), str(SECONDS), str(logs[n])], cwd=ROOT) for n in range(WORKERS)]
    assert [p.wait(timeout=SECONDS + 600) for p in procs] == [0] * WORKERS
    calls = [json.loads(line) for log in logs if log.exists() for line in log.read_text().splitlines()]
    end = site_time(t0).isoformat(timespec="seconds")

    store = open_store(pg_url)
    try:
        with store.session() as s:
            counts = _counts(s)
            print("\nsoak:", ", ".join(f"{k} {v}" for k, v in counts.items()),
                  "| calls:", dict(Counter((c["op"], c["code"]) for c in calls)))
            for op_id, kind, state, error in s.execute(select(Operation.id, Operation.kind, Operation.state,
                                                              Operation.error).where(Operation.state != "done")):
                print(f"  operation #{op_id} {kind} {state}: {error[:160]}")
            for c in calls:
                if c["code"]:
                    print(f"  {c['op']} {c.get('contract', '')} exit {c['code']}: {(c['error'] or '')[:160]}")
            _no_resource_twice(s)
            _payments_booked_once(s, calls)
            _one_notice_per_overdue_period(s)
            assert s.scalars(select(Operation.id).where(Operation.state == "applying")).all() == []
    finally:
        store.engine.dispose()
    assert Colo(db=pg_url, at=end).audit_verify()["intact"]
    broken = [c for c in calls if c["code"] in (1, 2, UNEXPECTED)]
    assert broken == [], "calls that failed (exit 1), were called wrongly (2) or broke: " + json.dumps(broken[:5])
    for what in ("signed", "paid", "notices", "suspensions", "resumptions", "provisions", "decommissions"):
        assert counts[what] > 0, f"the soak never exercised {what}"


def _counts(s: Any) -> dict[str, Any]:
    def events(kind: str) -> int:
        return int(s.scalar(select(func.count()).where(ContractEvent.kind == kind)))

    ops = dict(s.execute(select(Operation.state, func.count()).group_by(Operation.state)).all())
    return {"signed": s.scalar(select(func.count()).select_from(Contract)),
            "paid": s.scalar(select(func.count()).select_from(PaymentRecord)),
            "notices": s.scalar(select(func.count()).select_from(StopNotice)),
            "suspensions": events("suspended"), "resumptions": events("resumed"), "provisions": events("provisioned"),
            "decommissions": events("decommissioned"), "operations": sum(ops.values()), "by state": ops}


def _no_resource_twice(s: Any) -> None:
    """No slot, port, address or outlet is held by two live placements, nor by a released one."""
    from provision.services.contract_view import placements_view

    live = set(s.scalars(select(Placement.id).where(Placement.released_at.is_(None))))
    for model in (Unit, Port, Address):
        held = set(s.scalars(select(model.placement_id).where(model.placement_id.is_not(None))))
        assert held <= live, f"{model.__tablename__} still held by a released placement"
    seen: Counter[str] = Counter()
    for cid in s.scalars(select(Contract.id)):
        for p in placements_view(s, None, cid):
            if p["released_at"] is None:
                seen.update(f"unit {p['rack']}/U{u}" for u in p["units"])
                seen[f"port {p['port']['switch']} {p['port']['interface']}"] += 1
                seen.update(f"address {a['ip']}" for a in p["addresses"])
                seen.update(f"outlet {o['pdu']}:{o['outlet']}" for o in p["outlets"])
    assert [k for k, n in seen.items() if n > 1] == []


def _payments_booked_once(s: Any, calls: list[dict[str, Any]]) -> None:
    """Every reference a process saw booked is in the store once; none it saw refused is there."""
    booked = Counter(s.scalars(select(PaymentRecord.ref)))
    assert max(booked.values(), default=1) == 1, [ref for ref, n in booked.items() if n > 1]
    told = {c["ref"] for c in calls if c["op"] == "pay" and (c["code"] == 0 or "is booked" in (c["error"] or ""))}
    assert set(booked) == told


def _one_notice_per_overdue_period(s: Any) -> None:
    """No two stop-service notices of a contract answer the same overdue period (judged as of each notice)."""
    from provision.services.context import load_site
    from provision.services.money.payments import account

    site = load_site(s)
    periods: Counter[tuple[str, datetime]] = Counter()
    for notice in s.scalars(select(StopNotice).order_by(StopNotice.id)):
        contract = s.get(Contract, notice.contract_id)
        overdue = account(s, site, contract, notice.issued_at.astimezone(site.tz)).overdue_since
        assert overdue is not None, f"notice #{notice.id} issued for {contract.id} while nothing was overdue"
        periods[(contract.id, overdue)] += 1
    assert [k for k, n in periods.items() if n > 1] == []
