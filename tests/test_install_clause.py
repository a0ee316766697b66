"""The install fee and the install guarantee per service kind (service-quality agreement §3.1-3.2).

§3.2 初装保证: installed within 3 working days of signing, or the install fee (初装费) is
refunded. §3.1: for rental (整机租用) the provider's own server is installed, hardware and
operating system, so its guarantee is met only when both are done — not when its port and
power come up, which is what installs a customer's own server (主机托管).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from provision.api import Colo
from provision.domain.calendar import WorkCalendar
from provision.domain.clocks import ClockRule, ContractFacts, Event, Status, compute_clocks
from provision.domain.terms import install_refund
from tests.conftest import EXAMPLE, Lab
from tests.lab_contracts import sign_on

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
SIGNED = Event("signed", datetime(2026, 11, 24, 10, 0, tzinfo=SH))  # a Tuesday: deadline end of Friday 27th
DEADLINE = datetime(2026, 11, 27, 23, 59, 59, tzinfo=SH)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def install(kind: str, *events: Event, now: str = "2026-12-01T00:00") -> tuple[Status, datetime | None]:
    (clock,) = [c for c in compute_clocks(ContractFacts("C2026-0001", 12, (SIGNED, *events), kind), CAL, t(now))
                if c.rule.key == "install"]
    assert clock.deadline == DEADLINE
    return clock.status, clock.stopped_at


# --- clocks ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["colocation", "rack"])
def test_own_server_install_is_port_and_power(kind: str) -> None:
    """主机托管 / 机柜整租: the install is done when the contract is provisioned (port up, power on)."""
    assert install(kind, Event("provisioned", t("2026-11-26T15:00"))) == (Status.MET, t("2026-11-26T15:00"))
    assert install(kind, Event("installed_os", t("2026-11-26T15:00")))[0] is Status.BREACHED


def test_rental_install_is_not_met_by_port_and_power() -> None:
    """§3.1 整机租用: provisioning the port is not the install of the provider's server."""
    assert install("rental", Event("provisioned", t("2026-11-25T09:00")), now="2026-11-26T00:00")[0] is Status.RUNNING
    assert install("rental", Event("provisioned", t("2026-11-25T09:00")))[0] is Status.BREACHED


@pytest.mark.parametrize("step", ["installed_hardware", "installed_os"])
def test_rental_one_step_only_keeps_the_clock_running_then_breached(step: str) -> None:
    """§3.1: the hardware installation AND the OS install: one of them alone does not stop the clock."""
    assert install("rental", Event(step, t("2026-11-25T09:00")), now="2026-11-27T23:59:58")[0] is Status.RUNNING
    assert install("rental", Event(step, t("2026-11-25T09:00")), now="2026-11-28T00:00")[0] is Status.BREACHED


def test_rental_both_steps_met_or_late_at_the_later_of_the_two() -> None:
    """§3.2 初装保证 3 working days: judged when the second of the two steps is done."""
    hardware, os_ = Event("installed_hardware", t("2026-11-25T09:00")), Event("installed_os", t("2026-11-27T18:00"))
    assert install("rental", os_, hardware) == (Status.MET, t("2026-11-27T18:00"))
    late_os = Event("installed_os", t("2026-11-30T09:00"))  # the Monday after
    assert install("rental", hardware, late_os) == (Status.LATE, t("2026-11-30T09:00"))


def test_all_of_rules_need_every_event_any_of_rules_one() -> None:
    """The general mechanism: a rule stopped by all of its events, beside the usual any-of rule."""
    def deadline(start: Event, facts: ContractFacts, cal: WorkCalendar) -> datetime:
        return start.at + timedelta(hours=10)

    any_of = ClockRule("k", "any", "-", "start", ("a", "b"), deadline, "-")
    all_of = ClockRule("k", "all", "-", "start", ("a", "b"), deadline, "-", all_of=True)
    start = Event("start", t("2026-12-01T00:00"), ref="1")
    a, b = Event("a", t("2026-12-01T02:00"), ref="1"), Event("b", t("2026-12-01T12:00"), ref="1")
    other = Event("b", t("2026-12-01T03:00"), ref="2")  # another clock's event: never counts
    now = t("2026-12-02T00:00")

    def one(rule: ClockRule, *events: Event) -> tuple[Status, datetime | None]:
        (c,) = compute_clocks(ContractFacts("C", 12, (start, *events)), CAL, now, [rule])
        return c.status, c.stopped_at

    assert one(any_of, a, b) == (Status.MET, a.at)
    assert one(all_of, a, b) == (Status.LATE, b.at)
    assert one(all_of, a, other) == (Status.BREACHED, None)
    assert one(all_of, b, b) == (Status.BREACHED, None)  # the same event twice is still one of two


def test_kinds_limit_a_rule_and_other_rules_apply_to_every_kind() -> None:
    clocks = compute_clocks(ContractFacts("C", 12, (SIGNED,), "rental"), CAL, t("2026-11-25T00:00"))
    assert [c.rule.title for c in clocks if c.rule.key == "install"] == ["install guarantee: hardware and OS"]
    assert {"payment", "stop-notice"} <= {c.rule.key for c in clocks}


@pytest.mark.parametrize(("fee", "status", "expected"), [
    ("2000.00", "late", "install fee 2000.00 refunded"),
    ("2000.00", "breached", "install fee 2000.00 refunded"),
    ("2000.00", "met", None),
    ("2000.00", "running", None),
    ("0.00", "late", "install guarantee missed; no install fee on the contract to refund"),
    ("2000.00", None, None),
])
def test_the_refund_names_the_install_fee(fee: str, status: str | None, expected: str | None) -> None:
    """§3.2 初装保证: a missed install guarantee refunds the install fee (初装费), named with its amount."""
    assert install_refund(Decimal(fee), status) == expected


# --- commands ----------------------------------------------------------------------------------------------------


def _json(colo, db: str, *args: str, at: str | None = None, code: int = 0) -> dict:  # type: ignore[no-untyped-def, type-arg]
    r = colo("--db", db, *(("--at", at) if at else ()), *args, "--json")
    assert r.code == code, (r.out, r.err)
    return json.loads(r.out)  # type: ignore[no-any-return]


def _sign(colo, db: str, kind: str, *extra: str) -> str:  # type: ignore[no-untyped-def]
    return str(_json(colo, db, "contract", "sign", "--customer", f"{kind} Co", "--kind", kind, "--slots", "1",
                     "--bandwidth", "100", "--fee", "12000.00", *extra, at="2026-11-24T10:00")["id"])


@pytest.fixture
def store(tmp_path: Path, colo) -> str:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "colo.db")
    assert colo("--db", db, "init", "--inventory", str(EXAMPLE)).code == 0
    return db


def test_rental_steps_recorded_and_the_missed_guarantee_names_the_fee(store: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = _sign(colo, store, "rental", "--install-fee", "2000.00")
    shown = _json(colo, store, "contract", "show", cid, at="2026-11-24T10:01")
    assert shown["install_fee"] == "2000.00" and shown["install_refund"] is None
    assert "install fee 2000.00 CNY" in colo("--db", store, "--at", "2026-11-24T10:01", "contract", "show", cid).out

    hw = _json(colo, store, "install", "record", cid, "--step", "hardware", "--note", "Dell R650, rails",
               at="2026-11-25T09:00")
    assert hw["step"] == "hardware" and hw["status"] == "running" and hw["install_refund"] is None
    again = colo("--db", store, "--at", "2026-11-25T09:30", "install", "record", cid, "--step", "hardware")
    assert again.code == 3 and "already recorded" in again.err

    # the OS only on Monday: missed, and the refund names the fee everywhere it is shown
    os_ = _json(colo, store, "install", "record", cid, "--step", "os", "--note", "Ubuntu 24.04", at="2026-11-30T09:00")
    assert os_["status"] == "late" and os_["install_refund"] == "install fee 2000.00 refunded"
    assert os_["completed_at"] == "2026-11-30T09:00:00+08:00"
    assert _json(colo, store, "payment", "show", cid, at="2026-11-30T10:00")["install_refund"] == \
        "install fee 2000.00 refunded"
    assert "install fee 2000.00 refunded" in colo("--db", store, "--at", "2026-11-30T10:00", "payment", "show", cid).out
    assert "INSTALL FEE 2000.00 REFUNDED" in colo("--db", store, "--at", "2026-11-30T10:00", "contract", "show", cid).out
    events = _json(colo, store, "contract", "show", cid, at="2026-11-30T10:00")["events"]
    assert [(e["kind"], e["detail"]) for e in events if e["kind"].startswith("installed_")] == [
        ("installed_hardware", "hardware installation done: Dell R650, rails"),
        ("installed_os", "OS install done: Ubuntu 24.04")]
    audit = _json(colo, store, "audit", "list", "--contract", cid, at="2026-11-30T10:00")
    assert {"contract.installed_hardware", "contract.installed_os"} <= {r["action"] for r in audit}


def test_install_steps_refused_with_a_reason_and_nothing_changed(store: str, colo) -> None:  # type: ignore[no-untyped-def]
    own = _sign(colo, store, "colocation")
    rental = _sign(colo, store, "rental")
    before = hashlib.sha256(Path(store).read_bytes()).hexdigest()
    cases = [
        ((own, "--step", "os"), None, 3, "its install is done when `colo provision`"),
        ((rental, "--step", "firmware"), None, 2, "'firmware'"),
        ((rental, "--step", "os"), "2026-11-24T09:00", 2, "cannot come before the signing"),
        ((rental, "--step", "os", "--note", "x" * 201), None, 2, "--note is 201 characters"),
        (("C2026-0099", "--step", "os"), None, 2, "does not exist"),
    ]
    for args, at, code, message in cases:
        r = colo("--db", store, *(("--at", at) if at else ()), "install", "record", *args)
        assert r.code == code and message in r.err, (args, r.err)
    assert hashlib.sha256(Path(store).read_bytes()).hexdigest() == before


@pytest.mark.parametrize(("fee", "message"), [("-5", "--install-fee '-5'"), ("12.345", "--install-fee '12.345'"),
                                              ("1e5", "--install-fee '1e5'")])
def test_bad_install_fee_is_refused(store: str, colo, fee: str, message: str) -> None:  # type: ignore[no-untyped-def]
    r = colo("--db", store, "contract", "sign", "--customer", "A", "--slots", "1", "--bandwidth", "1", "--fee", "1",
             "--install-fee", fee)
    assert r.code == 2 and message in r.err


def test_no_install_fee_is_zero_and_a_retry_still_matches(store: str, colo) -> None:  # type: ignore[no-untyped-def]
    first = _json(colo, store, "contract", "sign", "--customer", "A", "--slots", "1", "--bandwidth", "1", "--fee", "1",
                  "--request-id", "crm-1", at="2026-11-24T10:00")
    assert first["install_fee"] == "0.00"
    again = _json(colo, store, "contract", "sign", "--customer", "A", "--slots", "1", "--bandwidth", "1", "--fee", "1",
                  "--request-id", "crm-1", at="2026-11-24T10:00")
    assert again["replayed"] and again["id"] == first["id"]


def test_late_provisioning_of_own_server_names_the_refund(lab: Lab, lab_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = sign_on(lab_db, "cisco_ios", install_fee="1500.00")["id"]
    late = Colo(db=lab_db, at="2026-11-30T09:00").provision([cid])  # the Monday after the deadline
    assert late["install"][0]["install_refund"] == "install fee 1500.00 refunded"
    assert late["install"][0]["install_fee_refund_due"]
    r = colo("--db", lab_db, "--at", "2026-11-30T09:05", "provision", cid)  # applied already: the flag is shown again
    assert r.code == 0 and "INSTALL FEE 1500.00 REFUNDED" in r.out
