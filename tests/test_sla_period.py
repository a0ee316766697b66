"""The SLA counts the service period only (SLA §1.2 "the customer's port reaches the upstream network
99.9 % of each month"; §2.2 likewise for power): from network activation to the contract's end.

An outage before activation or after the end is listed but not counted; the site report
lists every contract in service for any part of the month, ended ones included.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from provision.api import Colo
from provision.domain.lifecycle import State
from provision.domain.sla import OUTSIDE_SERVICE, Outage, ServicePeriod, classify, month_window, report
from provision.errors import BadInput, Refused
from tests.conftest import order
from tests.lab_contracts import walk_to

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def test_only_minutes_in_service_count() -> None:
    start, end = month_window("2026-12", SH)
    service = ServicePeriod(at("2026-12-05T12:00"), at("2026-12-20T12:00"))
    outages = [Outage(at("2026-12-03T10:00"), at("2026-12-03T11:00"), "network", at("2026-12-03T11:00")),  # before
               Outage(at("2026-12-05T11:30"), at("2026-12-05T12:30"), "network", at("2026-12-05T13:00")),  # straddles
               Outage(at("2026-12-10T10:00"), at("2026-12-10T10:40"), "network", at("2026-12-10T11:00")),  # inside
               Outage(at("2026-12-21T10:00"), at("2026-12-21T12:00"), "power", at("2026-12-21T12:00"))]    # after
    listed = classify(outages, start, end, at("2027-01-02T10:00"), service)
    assert [(c.minutes_in_month, c.counted, c.reason) for c in listed] == [
        (0, False, OUTSIDE_SERVICE), (30, True, None), (40, True, None), (0, False, OUTSIDE_SERVICE)]
    r = report(outages, [], Decimal("3100.00"), start, end, at("2027-01-02T10:00"), service)
    assert r.counted_minutes == {"network": 70, "power": 0} and r.breached  # 70 >= 44: the 2 h after the end do not
    never = report(outages, [], Decimal("3100.00"), start, end, None, ServicePeriod(None))
    assert never.counted_minutes == {"network": 0, "power": 0} and not never.breached


def test_report_counts_the_service_period_and_the_site_lists_a_contract_ended_in_the_month(site_db: str) -> None:
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order("ACME", fee="3100.00", payment="monthly"))["id"]
    walk_to(api, cid, [State.PROVISIONED], "2026-11-25T10:00:00+08:00")
    walk_to(api, cid, [State.ACTIVE], "2026-12-05T10:00:00+08:00")
    walk_to(api, cid, [State.ENDED, State.DECOMMISSIONED, State.IN_STORAGE], "2026-12-20T10:00:00+08:00")
    dated = Colo(db=site_db, at="2027-01-02T10:00")
    dated.record_outage(cid, "network", "2026-12-01T10:00", "2026-12-01T11:00", "before activation",
                        reported_at="2026-12-01T11:00")
    dated.record_outage(cid, "network", "2026-12-10T10:00", "2026-12-10T10:30", "uplink", reported_at="2026-12-10T11:00")
    r = dated.sla_report("2026-12", cid)
    assert [(o["minutes"], o["counted"], o["excluded_because"]) for o in r["outages"]] == [
        (0, False, OUTSIDE_SERVICE), (30, True, None)]
    assert r["service"] == {"began": "2026-12-05T10:00:00+08:00", "ended": "2026-12-20T10:00:00+08:00"}
    site = dated.sla_report("2026-12")
    assert [c["contract"] for c in site["contracts"]] == [cid], "in service 12-05 to 12-20, now in storage"
    assert dated.sla_report("2027-01")["contracts"] == [], "ended before January began"
    assert dated.sla_report("2026-11")["contracts"] == [], "not yet in service in November"


def test_a_voided_outage_no_longer_counts(site_db: str) -> None:
    api = Colo(db=site_db, at="2026-11-24T10:00")
    cid = api.sign(order("ACME", fee="3100.00", payment="monthly"))["id"]
    walk_to(api, cid, [State.PROVISIONED, State.ACTIVE], "2026-11-25T10:00:00+08:00")
    dated = Colo(db=site_db, at="2026-12-11T10:00")
    wrong = dated.record_outage(cid, "network", "2026-12-10T10:00", "2026-12-10T11:00", "typed on the wrong contract",
                                reported_at="2026-12-10T11:00")["outage"]
    assert dated.sla_report("2026-12", cid)["counted_minutes"]["network"] == 60
    void = Colo(db=site_db, at="2026-12-11T11:00").void_outage(wrong, "recorded on the wrong contract")
    assert void["outage"] == wrong and void["reason"] == "recorded on the wrong contract"
    after = Colo(db=site_db, at="2026-12-11T12:00")
    assert after.sla_report("2026-12", cid)["counted_minutes"]["network"] == 0
    assert Colo(db=site_db, at="2026-12-11T10:30").sla_report("2026-12", cid)["counted_minutes"]["network"] == 60, \
        "as of before the void it still counted"
    with pytest.raises(Refused, match=f"outage {wrong} was already voided"):
        after.void_outage(wrong, "again")
    with pytest.raises(BadInput, match="--reason is empty"):
        after.void_outage(wrong, "  ")
    audit = [r["action"] for r in after.audit(cid)]
    assert "contract.outage_voided" in audit
