"""Clocks as facts in `deadlines` and `contract show` (issue 16).

After a stop-service notice its clock is closed and shows the stop time the notice lists
(hosting §6.6); a met clock shows when it was met rather than a frozen time left; an ended
contract's term clock shows that it ended.
"""

from __future__ import annotations

import re

import pytest

from provision import render
from provision.api import Colo
from provision.domain.lifecycle import State
from tests.conftest import order
from tests.lab_contracts import walk_to


def unpaid_active(db: str) -> str:
    api = Colo(db=db, at="2026-11-24T10:00")
    cid = str(api.sign(order())["id"])
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    return cid


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped output without COLUMNS runs to 200 columns: each row on one line."""
    monkeypatch.delenv("COLUMNS", raising=False)


def by_clock(rows: list[dict]) -> dict[str, dict]:  # type: ignore[type-arg]
    return {r["clock"]: r for r in rows}


def test_a_stop_service_notice_closes_its_clock_with_the_stop_time(site_db: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    unpaid_active(site_db)
    assert "stop-notice" in by_clock(Colo(db=site_db, at="2026-12-02T09:00").deadlines())
    issued = Colo(db=site_db, at="2026-12-02T10:00").enforce(stop_after_hours=24)
    assert issued["actions"][0]["detail"]["stop_at"] == "2026-12-03T10:00:00+08:00"
    later = Colo(db=site_db, at="2026-12-02T11:00")
    assert "stop-notice" not in by_clock(later.deadlines()), "the notice was issued: nothing left to do"
    clock = by_clock(later.deadlines(include_closed=True))["stop-notice"]
    assert clock["closed"] == {"at": "2026-12-02T10:00:00+08:00", "outcome": "notice issued",
                               "stop_at": "2026-12-03T10:00:00+08:00"}
    capsys.readouterr()
    render.deadlines([clock])
    shown = capsys.readouterr().out
    assert "stop at 2026-12-03 10:00" in shown and "notice issued" in shown
    assert "issue the stop-service notice" not in shown


def test_a_met_clock_shows_when_and_an_ended_term_that_it_ended(site_db: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    cid = unpaid_active(site_db)
    Colo(db=site_db, at="2026-11-26T10:00").payment(cid, "12000.00")
    Colo(db=site_db, at="2027-03-04T10:00").terminate(cid, forced="carrier")
    view = Colo(db=site_db, at="2027-03-05T10:00").contract(cid)
    clocks = by_clock(view["clocks"])
    assert clocks["install"]["closed"] == {"at": "2026-11-25T10:00:00+08:00", "outcome": "met", "stop_at": None}
    assert clocks["payment"]["closed"]["outcome"] == "met"
    assert clocks["term"]["closed"] == {"at": "2027-03-04T10:00:00+08:00", "outcome": "ended", "stop_at": None}
    capsys.readouterr()
    render.deadlines([clocks["install"], clocks["term"]])
    shown = capsys.readouterr().out
    assert "2026-11-25 10:00" in shown and "2027-03-04 10:00" in shown and "ended" in shown
    assert "decommission unless renewed" not in shown, "an ended term has nothing left to breach"
    assert not re.search(r"\d+d \d\dh\d\dm|\b\d+h\d\dm\b", shown), "no frozen time left"
    render.contract(view)
    header = capsys.readouterr().out
    assert "ended 2027-03-04T10:00:00+08:00" in header and "term ends" not in header
