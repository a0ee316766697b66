"""Money and enforcement under concurrency: real `colo` processes started together, on SQLite and PostgreSQL.

Each test runs the console entry point in separate processes against one store and the
device lab, released at the same instant, then reads the store: every payment booked
once, every due action (notice, suspension, resumption, end, decommission) done once,
no operation left `applying` by a process that exited, and an intact audit chain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from provision.api import Colo, ServerRecord
from provision.domain.lifecycle import State
from provision.services.context import Context
from provision.services.money.enforcement import carry_out
from provision.store.engine import open_store
from provision.store.schema import (
    AuditRecord,
    ContractEvent,
    Operation,
    OperationContract,
    OperationStep,
    PaymentRecord,
    StopNotice,
)
from tests.conftest import ROOT, Lab, order
from tests.lab_contracts import active_contract, sign_on, walk_to
from tests.lab_devices import port_block

# Every process imports the CLI and the services first, then waits for the common start.
LAUNCHER = (
    "import sys, time\n"
    "import cli\n"
    "from provision.services.money import enforcement, payments  # noqa: F401\n"
    "from provision.services.provisioning import deploy  # noqa: F401\n"
    "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
    "sys.argv = ['colo', *sys.argv[2:]]\n"
    "cli.main()\n")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def together(commands: list[list[str]], timeout: float = 240) -> list[Run]:
    """Run each `colo` command line in its own process, all released at the same instant."""
    start = time.time() + 3.0  # every interpreter is up and has imported the services by then
    env = os.environ | {"COLO_USER": "tester"}
    procs = [subprocess.Popen([sys.executable, "-c", LAUNCHER, str(start), *args], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in commands]
    runs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        runs.append(Run(p.returncode, out, err))
    return runs


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def lab_store(request: pytest.FixtureRequest, lab: Lab, tmp_path: Path) -> str:
    """A fresh store of the lab's site on each back end, every lab device back at factory defaults."""
    lab.reset()
    url = str(tmp_path / "colo.db") if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))
    Colo(db=url).init(str(lab.inventory))
    return url


@pytest.fixture
def rows(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Read the test's store (lab_store or site_db) on either back end: rows(select(...)) → list of rows."""
    store = open_store(str(request.getfixturevalue("lab_store" if "lab_store" in request.fixturenames else "site_db")))

    def read(query: Any) -> list[Any]:
        with store.session() as s:
            return list(s.execute(query))

    yield read
    store.engine.dispose()


def running(db: str, platform: str, n: int, **terms: Any) -> str:
    """Signed on `platform`'s switch 2026-11-24, provisioned and active from 11-26, with server MAC number `n`."""
    cid = sign_on(db, platform, **terms)["id"]
    Colo(db=db, at="2026-11-25T09:00").provision([cid])
    Colo(db=db, at="2026-11-25T10:00").record_server(cid, 1, ServerRecord(serial=f"SN{n}", mac=f"0011223344{n:02x}"))
    assert Colo(db=db, at="2026-11-26T09:00").activate(cid)["state"] == "active"
    return cid


def suspended_contract(db: str, platform: str = "cisco_ios") -> tuple[str, str]:
    """Active, unpaid, noticed on 12-01 and suspended on 12-02 by `enforce`: (contract id, interface)."""
    cid, iface = active_contract(db, platform)  # 12000.00 yearly, signed 2026-11-24
    assert [a["action"] for a in Colo(db=db, at="2026-12-01T09:00").enforce()["actions"]] == ["issue_notice"]
    assert [a["action"] for a in Colo(db=db, at="2026-12-02T09:00").enforce()["actions"]] == ["suspend"]
    return cid, iface


def operations_of(rows: Any, cid: str) -> list[tuple[int, str, str]]:
    """(id, kind, state) of every journaled operation on the contract, oldest first."""
    return [tuple(r) for r in rows(select(Operation.id, Operation.kind, Operation.state).join(OperationContract)
                                   .where(OperationContract.contract_id == cid).order_by(Operation.id))]


def event_count(rows: Any, cid: str, kind: str) -> int:
    return len(rows(select(ContractEvent.id).where(ContractEvent.contract_id == cid, ContractEvent.kind == kind)))


def audit_count(rows: Any, cid: str, action: str) -> int:
    return len(rows(select(AuditRecord.id).where(AuditRecord.contract_id == cid, AuditRecord.action == action)))


@pytest.mark.parametrize("owed", ["100.00", "400.00"], ids=["each-payment-clears", "last-payment-clears"])
def test_four_payments_at_once_each_booked_once_and_one_resumption(lab: Lab, lab_store: str, rows: Any,
                                                                    owed: str) -> None:
    """Four `payment record C 100` at once on a suspended contract: all exit 0, four payments, one resume.

    With 100 owed every payer finds the account paid up and wants the port open; with 400
    owed only the payment booked last does — and must see the three booked before it.
    """
    cid, iface = suspended_contract(lab_store)
    Colo(db=lab_store, at="2026-12-03T09:00").payment(cid, f"{12000 - float(owed):.2f}", "BANK-0")
    assert "shutdown" in port_block(lab, "sw-a101-1", iface)

    runs = together([["--db", lab_store, "--at", "2026-12-03T10:00", "payment", "record", cid, "100.00",
                      "--ref", f"BANK-{i}", "--json"] for i in range(1, 5)])

    assert [r.code for r in runs] == [0, 0, 0, 0], [r.err for r in runs]
    results = [r.json() for r in runs]
    assert sorted(r["recorded"] for r in results) == ["100.00"] * 4
    booked = Counter(ref for (ref,) in rows(select(PaymentRecord.ref).where(PaymentRecord.contract_id == cid)))
    assert booked == Counter({f"BANK-{i}": 1 for i in range(5)}), "each payment is booked exactly once"
    assert {r["payment"] for r in results} == {pid for (pid,) in rows(select(PaymentRecord.id).where(
        PaymentRecord.ref.in_([f"BANK-{i}" for i in range(1, 5)])))}, "each run reports its own payment"

    resumes = [op for op in operations_of(rows, cid) if op[1] == "resume"]
    assert len(resumes) == 1 and resumes[0][2] == "done", operations_of(rows, cid)
    assert rows(select(Operation.id).where(Operation.state == "applying")) == []
    assert event_count(rows, cid, "resumed") == 1 and audit_count(rows, cid, "device.resume.done") == 1
    assert Colo(db=lab_store).contract(cid)["state"] == "active"
    assert "shutdown" not in port_block(lab, "sw-a101-1", iface)
    assert rows(select(StopNotice.resolution).where(StopNotice.contract_id == cid)) == [("paid",)]

    told = [r["resumed"] for r in results if r["resumed"] is not None]
    assert sum(1 for t in told if t.get("skipped") is None) == 1, "exactly one run resumed the service itself"
    assert {t["operation"] for t in told} == {resumes[0][0]}, "the others name the operation that did it"
    if owed == "100.00":
        assert len(told) == 4, "every payer found the account paid up and says what became of the suspension"
    assert Colo(db=lab_store).audit_verify()["intact"]


def test_a_repeated_payment_reference_is_not_booked_twice(lab: Lab, lab_store: str, rows: Any, colo) -> None:  # type: ignore[no-untyped-def]
    """An operator who retries a payment (same reference) after an error sees it, and books nothing more."""
    cid, _ = active_contract(lab_store, "hp_comware")
    first = colo("--db", lab_store, "--at", "2026-11-26T10:00", "payment", "record", cid, "12000.00", "--ref",
                 "BANK-9", "--json")
    assert first.code == 0, first.err
    again = colo("--db", lab_store, "--at", "2026-11-26T10:05", "payment", "record", cid, "12000.00", "--ref",
                 "BANK-9", "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["replayed"] is True and json.loads(again.out)["account"]["paid"] == "12000.00"
    assert json.loads(again.out)["payment"] == json.loads(first.out)["payment"]
    told = colo("--db", lab_store, "payment", "record", cid, "12000", "--ref", "BANK-9")
    assert told.code == 0 and "not booked again" in told.out
    other = colo("--db", lab_store, "payment", "record", cid, "500.00", "--ref", "BANK-9")
    assert other.code == 3 and "BANK-9" in other.err and "12000.00" in other.err
    assert rows(select(PaymentRecord.amount).where(PaymentRecord.contract_id == cid)) == [(12000,)]


def test_six_enforce_runs_at_once_do_each_due_action_once(lab: Lab, lab_store: str, rows: Any) -> None:
    """cron overlapping manual runs: one notice, one suspension, one end and one decommission per contract."""
    unpaid = [running(lab_store, "cisco_ios", n, name=f"Late {n}") for n in (1, 2)]
    ending = running(lab_store, "hp_comware", 3, name="Short", fee="1000.00", payment="monthly", term_months=1)
    Colo(db=lab_store, at="2026-11-26T10:00").payment(ending, "2000.00")

    def six_at(at: str) -> list[dict[str, Any]]:
        runs = together([["--db", lab_store, "--at", at, "enforce", "--json"] for _ in range(6)])
        assert [r.code for r in runs] == [0] * 6, [r.err or r.out for r in runs]
        return [a for r in runs for a in r.json()["actions"]]

    def done(actions: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
        return Counter((a["contract"], a["action"]) for a in actions if a["done"])

    noticed = six_at("2026-12-01T09:00")
    assert done(noticed) == Counter({(c, "issue_notice"): 1 for c in unpaid} | {(ending, "flag_ending"): 1})
    assert all(a.get("skipped") for a in noticed if not a["done"]), "a run that lost the race says so"
    for cid in unpaid:
        assert len(rows(select(StopNotice.id).where(StopNotice.contract_id == cid))) == 1
        assert event_count(rows, cid, "stop_notice_issued") == 1
        assert audit_count(rows, cid, "contract.stop_notice_issued") == 1
    assert event_count(rows, ending, "ending_soon") == 1

    assert done(six_at("2026-12-02T09:00")) == Counter({(c, "suspend"): 1 for c in unpaid})
    for cid in unpaid:
        assert [op[1:] for op in operations_of(rows, cid) if op[1] == "suspend"] == [("suspend", "done")]
        assert event_count(rows, cid, "suspended") == 1

    assert done(six_at("2026-12-26T10:00")) == Counter({(ending, "end"): 1, (ending, "decommission"): 1})
    assert [op[1:] for op in operations_of(rows, ending) if op[1] == "decommission"] == [("decommission", "done")]
    assert event_count(rows, ending, "ended") == 1 and event_count(rows, ending, "stored") == 1
    assert len(Colo(db=lab_store).storage()) == 1
    assert rows(select(Operation.id).where(Operation.state == "applying")) == []
    assert Colo(db=lab_store).audit_verify()["intact"]


def test_a_payment_booked_while_an_enforce_run_is_under_way_spares_the_customer_its_notice(site_db: str,
                                                                                             rows: Any) -> None:
    """A run on the real clock fixes 'now' when it starts; a payment booked after that counts when it re-checks."""
    clock = datetime.now(UTC)
    api = Colo(db=site_db, at=(clock - timedelta(days=10)).isoformat())
    cid = api.sign(order("Pays Just In Time"))["id"]
    walk_to(api, cid, [State.PROVISIONED], (clock - timedelta(days=9)).isoformat())
    run_began = clock - timedelta(minutes=5)  # a long run reaches this contract minutes after it started
    Colo(db=site_db).payment(cid, "12000.00")  # booked on the clock, after the run began

    outcome = carry_out(Context.open(site_db), cid, "issue_notice", run_began)

    assert outcome["done"] is False and "not due any more" in outcome["skipped"]
    assert rows(select(StopNotice.id).where(StopNotice.contract_id == cid)) == []


def test_a_resumption_overtaken_by_termination_is_undone_and_closed(lab: Lab, lab_store: str, rows: Any) -> None:
    """The contract ends while its port is being re-opened: the operation undoes itself and ends rolled back.

    The payment that triggered it is booked and reported (exit 0); nothing is left `applying`
    for the next run to "recover", and the port is shut again as the ended contract's was.
    """
    from provision.lab.switchsim import write_faults

    cid, iface = suspended_contract(lab_store, "huawei_vrp")
    write_faults(str(lab.state), "sw-a101-2", {"delay": [{"match": "^save", "seconds": 4}]})
    payer = subprocess.Popen([sys.executable, "-c", "import cli; cli.main()", "--db", lab_store, "--at",
                              "2026-12-03T10:00", "payment", "record", cid, "12000.00", "--ref", "BANK-5", "--json"],
                             cwd=ROOT, env=os.environ | {"COLO_USER": "tester"}, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not rows(select(OperationStep.id).join(Operation).where(Operation.kind == "resume",
                                                                      OperationStep.state == "applied")):
            assert time.monotonic() < deadline, "the resumption never reached the read-back"
            time.sleep(0.1)
        Colo(db=lab_store, at="2026-12-03T10:00").terminate(cid, forced="policy")
        out, _ = payer.communicate(timeout=120)
    finally:
        write_faults(str(lab.state), "sw-a101-2", {})
    assert payer.returncode == 0
    paid = json.loads(out)
    assert paid["recorded"] == "12000.00" and "not due any more" in paid["resumed"]["skipped"]
    assert rows(select(PaymentRecord.ref).where(PaymentRecord.contract_id == cid)) == [("BANK-5",)]
    (op,) = [op for op in operations_of(rows, cid) if op[1] == "resume"]
    assert op[2] == "rolled_back"
    (error,) = rows(select(Operation.error).where(Operation.id == op[0]))[0]
    assert "not due any more" in error and "undone" in error
    assert "shutdown" in port_block(lab, "sw-a101-2", iface)
    assert Colo(db=lab_store).contract(cid)["state"] == "ended"
    assert Colo(db=lab_store).audit_verify()["intact"]


def test_an_unexpected_error_after_the_devices_changed_is_undone_and_closed(lab: Lab, lab_store: str,
                                                                            rows: Any) -> None:
    """A bug surfacing once the port was shut still leaves no operation `applying`: it is undone and closed."""
    from provision.services.provisioning.deploy import set_service

    cid, iface = active_contract(lab_store)
    asked: list[int] = []

    def breaks_at_the_conclusion(_s: Any) -> None:  # asked when the operation is claimed, then when it concludes
        asked.append(1)
        if len(asked) == 2:
            raise RuntimeError("a bug after the devices changed")

    with pytest.raises(RuntimeError, match="a bug after the devices changed"):
        set_service(Context.open(lab_store, at="2026-12-02T09:00"), cid, up=False, reason="test",
                    still_wanted=breaks_at_the_conclusion)

    ((op_id, kind, state),) = operations_of(rows, cid)[-1:]
    assert (kind, state) == ("suspend", "rolled_back")
    (error,) = rows(select(Operation.error).where(Operation.id == op_id))[0]
    assert "unexpected RuntimeError" in error and "undone" in error
    assert "shutdown" not in port_block(lab, "sw-a101-1", iface)
    assert Colo(db=lab_store).contract(cid)["state"] == "active"
