"""Visits (SLA §9.3): announced in advance, by or for the customer's authorized people.

The rules in provision.domain.people, then the commands on both back ends.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from provision.api import Colo
from provision.domain.people import announced_in_advance, entry_after_request, visit_sponsor
from provision.errors import Refused
from tests.conftest import order

SH = ZoneInfo("Asia/Shanghai")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# --- the rules (pure) ----------------------------------------------------------------


def test_a_request_comes_before_the_entry_it_announces() -> None:
    """§9.3: a visit is announced in advance — an expected entry at or before the request announces nothing."""
    announced_in_advance(t("2026-12-01T08:00"), t("2026-12-01T08:00:01"))
    for enter in ("2026-12-01T08:00", "2026-12-01T07:00"):
        with pytest.raises(Refused, match="announced in advance"):
            announced_in_advance(t("2026-12-01T08:00"), t(enter))


def test_an_entry_comes_after_its_request_whatever_order_they_were_typed_in() -> None:
    entry_after_request(t("2026-12-01T08:00"), t("2026-12-01T09:00"), "visit #1")
    for entered in ("2026-12-01T08:00", "2026-12-01T07:59"):  # the request back-dated after the entry, or equal
        with pytest.raises(Refused, match="visit #1 was requested at 2026-12-01T08:00:00\\+08:00, not before"):
            entry_after_request(t("2026-12-01T08:00"), t(entered), "visit #1")


def test_the_visitor_is_an_authorized_person_or_named_by_one() -> None:
    """§9.3: visits by the customer's authorized people, or for them: the one who asked is kept."""
    people = ["Li Wei", "Wang Fang"]
    assert visit_sponsor("Li Wei", None, people) == "Li Wei"
    assert visit_sponsor("Zhang San", "Wang Fang", people) == "Wang Fang"
    assert visit_sponsor("Li Wei", "Wang Fang", people) == "Wang Fang"
    with pytest.raises(Refused, match="'Zhang San' is not an authorized person.*'Li Wei', 'Wang Fang'"):
        visit_sponsor("Zhang San", None, people)
    with pytest.raises(Refused, match="--requested-by 'Mallory' is not an authorized person.*'Li Wei'"):
        visit_sponsor("Zhang San", "Mallory", people)
    with pytest.raises(Refused, match="no authorized person yet"):
        visit_sponsor("Zhang San", None, [])


# --- the commands ---------------------------------------------------------------------


def _request(colo, db: str, cid: str, at: str, visitor: str, enter: str, *extra: str):  # type: ignore[no-untyped-def]
    return colo("--db", db, "--at", at, "visit", "request", cid, "--visitor", visitor, "--reason", "disk swap",
                "--activity", "replace disk 2", "--enter", enter, "--exit", "2026-12-01T18:00", *extra, "--json")


def _visits(db: str) -> list[dict[str, Any]]:
    return Colo(db=db, at="2026-12-01T09:00").visits()


def test_visit_requests_by_or_for_authorized_persons(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"])
    other = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("Other Co"))["id"])
    r = _request(colo, site_db, cid, "2026-12-01T08:00", "Zhang San", "2026-12-01T10:00")
    assert r.code == 3 and "no authorized person yet" in r.err
    assert colo("--db", site_db, "person", "add", cid, "--name", "Li Wei").code == 0
    assert colo("--db", site_db, "person", "add", other, "--name", "Mallory").code == 0

    r = _request(colo, site_db, cid, "2026-12-01T08:00", "Zhang San", "2026-12-01T10:00")
    assert r.code == 3 and "--requested-by" in r.err and "'Li Wei'" in r.err
    r = _request(colo, site_db, cid, "2026-12-01T08:00", "Zhang San", "2026-12-01T10:00", "--requested-by", "Mallory")
    assert r.code == 3 and "'Mallory' is not an authorized person" in r.err, "another customer's person"
    assert _visits(site_db) == []

    r = _request(colo, site_db, cid, "2026-12-01T08:00", "Zhang San", "2026-12-01T10:00", "--requested-by", "Li Wei")
    assert r.code == 0, r.err
    v = json.loads(r.out)
    assert v["requested_by"] == "Li Wei" and v["requested_at"] == "2026-12-01T08:00:00+08:00"
    r = _request(colo, site_db, cid, "2026-12-01T08:05", "Li Wei", "2026-12-01T10:00")
    assert r.code == 0 and json.loads(r.out)["requested_by"] == "Li Wei"
    history = Colo(db=site_db).contract(cid)["events"]
    assert any(e["kind"] == "visit_requested" and "requested by Li Wei" in e["detail"] for e in history)


def test_a_visit_is_announced_before_the_entry(site_db: str, colo) -> None:  # type: ignore[no-untyped-def]
    cid = str(Colo(db=site_db, at="2026-11-24T10:00").sign(order("ACME"))["id"])
    assert colo("--db", site_db, "person", "add", cid, "--name", "Li Wei").code == 0
    for enter in ("2026-12-01T08:00", "2026-12-01T07:30"):  # at or before the request
        r = _request(colo, site_db, cid, "2026-12-01T08:00", "Li Wei", enter)
        assert r.code == 3 and "announced in advance" in r.err
    assert _visits(site_db) == []

    # Recorded late but back-dated to the paper request of 08:00: fine, it still came first.
    r = _request(colo, site_db, cid, "2026-12-01T08:00", "Li Wei", "2026-12-01T10:00")
    visit = str(json.loads(r.out)["visit"])
    # The entry is back-dated before the request: the visitor was in before anyone announced them.
    r = colo("--db", site_db, "--at", "2026-12-01T07:50", "visit", "enter", visit, "--escort", "Wang Wu",
             "--badge", "B-17")
    assert r.code == 3 and f"visit #{visit} was requested at 2026-12-01T08:00:00+08:00" in r.err
    assert _visits(site_db)[0]["entered_at"] is None
    r = colo("--db", site_db, "--at", "2026-12-01T09:55", "visit", "enter", visit, "--escort", "Wang Wu",
             "--badge", "B-17", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["inside"] is True
