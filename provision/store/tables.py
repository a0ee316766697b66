"""The store's tables as the everyday reads see them: names, and which columns need decoding.

`schema` defines the tables (and the migrations freeze them) for the ORM; loading it, or
SQLAlchemy at all, costs more than everything else `colo contract show` does. The reads
(contract show, deadlines, rack show, find) speak plain SQL through store.rows, which
decodes a column by its name: times (`utc`: aware UTC datetimes), money (`money`:
Decimal), dates and flags are stored on SQLite as something other than the value. A name
means one kind of value in every table here (checked below), so a decoder never guesses.
tests/test_store_tables.py keeps every name and kind here in step with `schema`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    kinds: dict[str, str] = field(default_factory=dict)  # column -> utc | money | date | bool


def _table(name: str, columns: str, **kinds: str) -> Table:
    return Table(name, tuple(columns.split()), kinds)


SITE = _table("site", "id name timezone dns quarantine_days")
CALENDAR_DAYS = _table("calendar_days", "site_id day working", day="date", working="bool")
ROOMS = _table("rooms", "id site_id name position")
RACKS = _table("racks", "id site_id name room_id position height_u power_budget_w")
PDUS = _table("pdus", "id site_id name platform host port credentials")
OUTLETS = _table("outlets", "id pdu_id number")
SWITCHES = _table("switches", "snmp_port snmp_credentials id site_id name platform host port credentials")
PORTS = _table("ports", "id switch_id name position placement_id")
POOLS = _table("pools", "id site_id name prefix gateway vlan")
UNITS = _table("units", "id rack_id u reserved outlet_id ups_outlet_id placement_id hold_id", reserved="bool")
HOLDS = _table("holds", "id rack_id for_name for_key until created_at created_by",
                        until="utc", created_at="utc")
CUSTOMERS = _table("customers", "id key name id_number address phone mobile im email admin_name admin_id_number "
                                "admin_phone purpose")
CONTRACTS = _table("contracts", "id site_id year seq customer_id kind quantity bandwidth_mbps ips fee payment "
                                "term_months power_w room_id state signed_at request_id request_fingerprint "
                                "service_rep engineer notify_channel notify_target stop_reason install_fee",
                                fee="money", signed_at="utc", install_fee="money")
CONTRACT_EVENTS = _table("contract_events", "id contract_id kind at ref months actor detail", at="utc")
PLACEMENTS = _table("placements", "id contract_id position rack_id power_w released_at", released_at="utc")
ADDRESSES = _table("addresses", "id pool_id ip ip_int reserved placement_id quarantine_until",
                                reserved="bool", quarantine_until="utc")
SERVERS = _table("servers", "placement_id serial mac cpu board memory disks recorded_at recorded_by",
                            recorded_at="utc")
STOP_NOTICES = _table("stop_notices", "id contract_id issued_at stop_at resolved_at resolution channel delivered_at "
                                      "failed_at last_error attempts",
                                      issued_at="utc", stop_at="utc", resolved_at="utc",
                                      delivered_at="utc", failed_at="utc")
SERVICE_CHANGES = _table("service_changes", "id contract_id at actor request_id request_fingerprint operation_id "
                                            "bandwidth_before bandwidth_after ips_before ips_after slots_before "
                                            "slots_after fee_before fee_after fee_from_period fee_from detail",
                                            at="utc", fee_before="money", fee_after="money", fee_from="utc")
REFUNDS = _table("refunds", "id contract_id kind amount lines basis due_since recorded_by paid_at paid_ref paid_by",
                            amount="money", due_since="utc", paid_at="utc")
FAULT_TICKETS = _table("fault_tickets", "id contract_id reported_at reported_by_customer summary responded_at "
                                        "resolved_at resolution recorded_by source emergency_id major_at major_by "
                                        "consulted_at consulted_with consultation consulted_by",
                                        reported_at="utc", responded_at="utc", resolved_at="utc",
                                        major_at="utc", consulted_at="utc")
COMPLAINTS = _table("complaints", "id contract_id received_at summary reported_at report_ref recorded_by category "
                                  "employee", received_at="utc", reported_at="utc")
ABUSE_CASES = _table("abuse_cases", "id contract_id reported_at summary source warned_at warning_ref continued_at "
                                    "closed_at close_note recorded_by",
                                    reported_at="utc", warned_at="utc", continued_at="utc",
                                    closed_at="utc")
EMERGENCIES = _table("emergencies", "id contract_id declared_at notified_at channel recorded_by kind target "
                                    "ended_at outage_id notify_error contact_person waived waived_by waived_at",
                                    declared_at="utc", notified_at="utc", ended_at="utc",
                                    waived_at="utc")
OUTAGES = _table("outages", "id contract_id kind start end cause reported_at excluded classified_by recorded_by",
                            start="utc", end="utc", reported_at="utc")
VISITS = _table("visits", "id contract_id visitor reason activity support expected_enter expected_exit requested_at "
                          "requested_by escort badge entered_at left_at authorized_by",
                          expected_enter="utc", expected_exit="utc", requested_at="utc",
                          entered_at="utc", left_at="utc")
AUTHORIZATIONS = _table("authorizations", "id contract_id person_id channel operation ref received_at valid_until "
                                          "written_at used_at recorded_by reported_at report_ref",
                                          received_at="utc", valid_until="utc", written_at="utc",
                                          used_at="utc", reported_at="utc")

TABLES = tuple(t for t in list(globals().values()) if isinstance(t, Table))


def _decoded() -> dict[str, str]:
    kinds: dict[str, str] = {}
    for t in TABLES:
        for name in t.columns:
            kind = t.kinds.get(name, "")
            if kinds.setdefault(name, kind) != kind:
                raise TypeError(f"column {name!r} is {kinds[name] or 'plain'} in one table, {kind or 'plain'} in "
                                f"{t.name}: rename one or label it in the query")
    return {name: kind for name, kind in kinds.items() if kind}


DECODED = _decoded()  # column name -> kind, for store.rows
