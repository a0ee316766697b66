"""Light references to the store's tables for the everyday reads, without the ORM.

`schema` defines the tables (and the migrations freeze them); loading its ORM mapping
costs more than everything else `colo contract show` does (~0.2 s of a 0.45 s run). The
reads (contract show, deadlines, rack show, find) only select, so they name columns
through these SQLAlchemy `table()` constructs: the same expression language and bound
parameters, no metadata, no mapper. Columns whose stored form is not the value — times,
money, dates, flags — carry the store's types so rows come back as on the ORM side.
tests/test_store_tables.py keeps every name and type here in step with `schema`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Date
from sqlalchemy.sql import TableClause, column, table

from provision.store.types import Money, UTCDateTime


def _table(name: str, columns: str, **typed: Any) -> TableClause:
    return table(name, *(column(c, typed.get(c)) for c in columns.split()))


SITE = _table("site", "id name timezone dns quarantine_days")
CALENDAR_DAYS = _table("calendar_days", "site_id day working", day=Date, working=Boolean)
ROOMS = _table("rooms", "id site_id name position")
RACKS = _table("racks", "id site_id name room_id position height_u power_budget_w")
PDUS = _table("pdus", "id site_id name platform host port credentials")
OUTLETS = _table("outlets", "id pdu_id number")
SWITCHES = _table("switches", "snmp_port snmp_credentials id site_id name platform host port credentials")
PORTS = _table("ports", "id switch_id name position placement_id")
POOLS = _table("pools", "id site_id name prefix gateway vlan")
UNITS = _table("units", "id rack_id u reserved outlet_id ups_outlet_id placement_id hold_id", reserved=Boolean)
HOLDS = _table("holds", "id rack_id for_name for_key until created_at created_by",
                        until=UTCDateTime, created_at=UTCDateTime)
CUSTOMERS = _table("customers", "id key name id_number address phone mobile im email admin_name admin_id_number "
                                "admin_phone purpose")
CONTRACTS = _table("contracts", "id site_id year seq customer_id kind quantity bandwidth_mbps ips fee payment "
                                "term_months power_w room_id state signed_at request_id request_fingerprint "
                                "service_rep engineer notify_channel notify_target stop_reason install_fee",
                                fee=Money, signed_at=UTCDateTime, install_fee=Money)
CONTRACT_EVENTS = _table("contract_events", "id contract_id kind at ref months actor detail", at=UTCDateTime)
PLACEMENTS = _table("placements", "id contract_id position rack_id power_w released_at", released_at=UTCDateTime)
ADDRESSES = _table("addresses", "id pool_id ip ip_int reserved placement_id quarantine_until",
                                reserved=Boolean, quarantine_until=UTCDateTime)
SERVERS = _table("servers", "placement_id serial mac cpu board memory disks recorded_at recorded_by",
                            recorded_at=UTCDateTime)
STOP_NOTICES = _table("stop_notices", "id contract_id issued_at stop_at resolved_at resolution channel delivered_at "
                                      "failed_at last_error attempts",
                                      issued_at=UTCDateTime, stop_at=UTCDateTime, resolved_at=UTCDateTime,
                                      delivered_at=UTCDateTime, failed_at=UTCDateTime)
SERVICE_CHANGES = _table("service_changes", "id contract_id at actor request_id request_fingerprint operation_id "
                                            "bandwidth_before bandwidth_after ips_before ips_after slots_before "
                                            "slots_after fee_before fee_after fee_from_period fee_from detail",
                                            at=UTCDateTime, fee_before=Money, fee_after=Money, fee_from=UTCDateTime)
REFUNDS = _table("refunds", "id contract_id kind amount lines basis due_since recorded_by paid_at paid_ref paid_by",
                            amount=Money, due_since=UTCDateTime, paid_at=UTCDateTime)
FAULT_TICKETS = _table("fault_tickets", "id contract_id reported_at reported_by_customer summary responded_at "
                                        "resolved_at resolution recorded_by source emergency_id major_at major_by "
                                        "consulted_at consulted_with consultation consulted_by",
                                        reported_at=UTCDateTime, responded_at=UTCDateTime, resolved_at=UTCDateTime,
                                        major_at=UTCDateTime, consulted_at=UTCDateTime)
COMPLAINTS = _table("complaints", "id contract_id received_at summary reported_at report_ref recorded_by category "
                                  "employee", received_at=UTCDateTime, reported_at=UTCDateTime)
ABUSE_CASES = _table("abuse_cases", "id contract_id reported_at summary source warned_at warning_ref continued_at "
                                    "closed_at close_note recorded_by",
                                    reported_at=UTCDateTime, warned_at=UTCDateTime, continued_at=UTCDateTime,
                                    closed_at=UTCDateTime)
EMERGENCIES = _table("emergencies", "id contract_id declared_at notified_at channel recorded_by kind target "
                                    "ended_at outage_id notify_error contact_person waived waived_by waived_at",
                                    declared_at=UTCDateTime, notified_at=UTCDateTime, ended_at=UTCDateTime,
                                    waived_at=UTCDateTime)
OUTAGES = _table("outages", "id contract_id kind start end cause reported_at excluded classified_by recorded_by",
                            start=UTCDateTime, end=UTCDateTime, reported_at=UTCDateTime)
VISITS = _table("visits", "id contract_id visitor reason activity support expected_enter expected_exit requested_at "
                          "requested_by escort badge entered_at left_at authorized_by",
                          expected_enter=UTCDateTime, expected_exit=UTCDateTime, requested_at=UTCDateTime,
                          entered_at=UTCDateTime, left_at=UTCDateTime)
AUTHORIZATIONS = _table("authorizations", "id contract_id person_id channel operation ref received_at valid_until "
                                          "written_at used_at recorded_by reported_at report_ref",
                                          received_at=UTCDateTime, valid_until=UTCDateTime, written_at=UTCDateTime,
                                          used_at=UTCDateTime, reported_at=UTCDateTime)
