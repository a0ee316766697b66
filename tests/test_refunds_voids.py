"""Refunds kept until paid, and undo without deleting (issue 16).

A forced termination's refund sheet (hosting §8.5) and a missed install guarantee's fee
(SLA §3.2) stay due — in `contract show` and `payment show` — until `payment refunded`
records them paid, once. A wrong payment is voided by a reversing record with its reason:
the row stays, the balance leaves it out, and enforcement treats the debt as any other.
"""

from __future__ import annotations

import json

import pytest

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.errors import BadInput, Refused
from tests.conftest import order
from tests.lab_contracts import walk_to

SIGNED = "2026-11-24T10:00"


def active(db: str, **terms: str) -> str:
    api = Colo(db=db, at=SIGNED)
    cid = str(api.sign(order("ACME", **terms))["id"])
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    return cid


def test_forced_termination_refund_is_kept_shown_and_paid_once(site_db: str) -> None:
    cid = active(site_db)
    Colo(db=site_db, at="2026-11-26T10:00").payment(cid, "12000.00", "BANK-1")
    ended = Colo(db=site_db, at="2027-03-04T10:00").terminate(cid, forced="carrier")
    assert ended["refund"]["total"] == "8942.47"

    later = Colo(db=site_db, at="2027-03-05T10:00")
    shown = later.contract(cid)["refund"]
    assert shown["due"] == "8942.47"
    (sheet,) = shown["refunds"]
    assert (sheet["kind"], sheet["amount"], sheet["due_since"], sheet["paid_at"]) == (
        "termination", "8942.47", "2027-03-04T10:00:00+08:00", None)
    assert [line["amount"] for line in sheet["lines"]] == ["8712.33", "230.14"] and "100 of the 365 days" in sheet["basis"]
    assert later.account(cid)["refund"]["due"] == "8942.47", "payment show does not pretend all is settled"

    with pytest.raises(BadInput, match="--ref"):
        later.refunded(cid, "bad ref!")
    paid = later.refunded(cid, "PAYOUT-9")
    assert paid["refunded"] == "8942.47" and paid["refund"]["due"] == "0.00"
    assert paid["refund"]["refunds"][0]["paid_ref"] == "PAYOUT-9"
    with pytest.raises(Refused, match=r"no refund due: 8942.47 was refunded on 2027-03-05T10:00:00\+08:00 \(PAYOUT-9\)"):
        later.refunded(cid, "PAYOUT-10")
    assert "contract.refunded" in [r["action"] for r in later.audit(cid)]


def test_no_refund_without_one_due(site_db: str) -> None:
    cid = active(site_db)
    with pytest.raises(Refused, match="has no refund due"):
        Colo(db=site_db, at="2026-12-01T10:00").refunded(cid, "PAYOUT-1")
    assert Colo(db=site_db, at="2026-12-01T10:00").contract(cid)["refund"] is None


def test_missed_install_guarantee_refunds_the_install_fee_once(site_db: str) -> None:
    api = Colo(db=site_db, at=SIGNED)
    cid = str(api.sign(order("ACME", install_fee="2000.00"))["id"])
    walk_to(api, cid, [State.PROVISIONED], "2026-11-30T10:00:00+08:00")  # deadline was the end of Fri 27th
    look = Colo(db=site_db, at="2026-12-01T10:00")
    (sheet,) = look.account(cid)["refund"]["refunds"]
    assert (sheet["kind"], sheet["amount"], sheet["due_since"]) == ("install_fee", "2000.00",
                                                                     "2026-11-27T23:59:59+08:00")
    assert look.refunded(cid, "PAYOUT-2")["refunded"] == "2000.00"
    with pytest.raises(Refused, match="no refund due"):
        look.refunded(cid, "PAYOUT-3")
    assert look.contract(cid)["refund"]["due"] == "0.00"


def test_void_a_payment_keeps_the_row_and_leaves_it_out_of_the_balance(site_db: str) -> None:
    cid = active(site_db)
    booked = Colo(db=site_db, at="2026-11-26T10:00").payment(cid, "12000.00", "BANK-1")["payment"]
    api = Colo(db=site_db, at="2026-11-26T11:00")
    with pytest.raises(BadInput, match="--reason is empty"):
        api.void_payment(booked, " ")
    with pytest.raises(BadInput, match="payment 999 does not exist"):
        api.void_payment(999, "typo")
    void = api.void_payment(booked, "bounced cheque")
    assert void["account"]["balance"] == "-12000.00" and void["account"]["paid"] == "0.00"
    (payment,) = void["account"]["payments"]
    assert (payment["payment"], payment["amount"], payment["ref"]) == (booked, "12000.00", "BANK-1")
    assert (payment["void"]["reason"], payment["void"]["at"]) == ("bounced cheque", "2026-11-26T11:00:00+08:00")
    with pytest.raises(Refused, match=f"payment {booked} was already voided"):
        api.void_payment(booked, "again")
    assert Colo(db=site_db, at="2026-11-26T10:30").account(cid)["paid"] == "12000.00", "before the void it counted"
    assert "contract.payment_voided" in [r["action"] for r in api.audit(cid)]


def test_a_void_that_leaves_a_debt_is_enforced_like_any_other(site_db: str) -> None:
    cid = active(site_db)
    booked = Colo(db=site_db, at="2026-11-26T10:00").payment(cid, "12000.00", "BANK-1")["payment"]
    assert Colo(db=site_db, at="2026-12-02T10:00").enforce(dry_run=True)["actions"] == []
    Colo(db=site_db, at="2026-11-28T10:00").void_payment(booked, "bounced cheque")
    run = Colo(db=site_db, at="2026-12-02T10:00").enforce()
    assert [(a["contract"], a["action"], a["done"]) for a in run["actions"]] == [(cid, "issue_notice", True)]


def test_refunds_and_voids_from_the_command_line(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = active(site_db)
    booked = Colo(db=site_db, at="2026-11-26T10:00").payment(cid, "12000.00", "BANK-1")["payment"]
    r = colo("--db", site_db, "--at", "2026-11-26T11:00", "payment", "void", str(booked))
    assert r.code == 2 and "--reason" in r.err
    r = colo("--db", site_db, "--at", "2026-11-26T11:00", "payment", "void", str(booked), "--reason", "")
    assert r.code == 2 and "--reason is empty" in r.err
    r = colo("--db", site_db, "--at", "2026-11-26T11:00", "payment", "void", str(booked), "--reason", "wrong contract")
    assert r.code == 0 and "voided: wrong contract" in r.out, r.err
    r = colo("--db", site_db, "--at", "2026-11-26T11:00", "payment", "void", str(booked), "--reason", "again", "--json")
    assert r.code == 3 and "already voided" in json.loads(r.out)["error"]
    Colo(db=site_db, at="2026-11-26T12:00").payment(cid, "12000.00", "BANK-2")
    shown = colo("--db", site_db, "--at", "2026-11-26T12:00", "payment", "show", cid).out.replace("\n", " ")
    assert "VOID 2026-11-26T11:00:00+08:00" in shown and "ref BANK-2" in shown and "balance 0.00" in shown

    r = colo("--db", site_db, "--at", "2027-03-04T10:00", "contract", "terminate", cid, "--forced", "carrier")
    assert r.code == 0, r.err
    shown = colo("--db", site_db, "--at", "2027-03-05T10:00", "payment", "show", cid).out
    assert "refund due 8942.47" in shown
    shown = colo("--db", site_db, "--at", "2027-03-05T10:00", "contract", "show", cid).out
    assert "refund due 8942.47" in shown and "8712.33" in shown
    r = colo("--db", site_db, "--at", "2027-03-05T10:00", "payment", "refunded", cid, "--ref", "PAYOUT-1", "--json")
    assert r.code == 0 and json.loads(r.out)["refund"]["due"] == "0.00", r.err
    r = colo("--db", site_db, "--at", "2027-03-05T10:00", "payment", "refunded", cid, "--ref", "PAYOUT-1")
    assert r.code == 3 and "no refund due" in r.err


def test_void_an_outage_from_the_command_line(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = active(site_db)
    outage = Colo(db=site_db, at="2026-12-11T10:00").record_outage(cid, "network", "2026-12-10T10:00",
                                                                   "2026-12-10T11:00", "typo")["outage"]
    r = colo("--db", site_db, "--at", "2026-12-11T11:00", "outage", "void", f"O{outage}", "--reason", "never happened",
             "--json")
    assert r.code == 0 and json.loads(r.out)["reason"] == "never happened", r.err
    r = colo("--db", site_db, "--at", "2026-12-11T11:00", "outage", "void", f"O{outage}", "--reason", "again")
    assert r.code == 3 and "already voided" in r.err
