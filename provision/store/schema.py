"""The store's tables: the single source of truth for the site and its contracts.

Each allocatable thing (unit, port, address) is one row with a `placement_id`
column: a row can hold at most one placement by construction, and allocation
claims it with a conditional UPDATE (… WHERE placement_id IS NULL), so even a bug
in the policy above cannot hand the same port out twice.

Migrations under `migrations/versions/` are the frozen history of this file; a
test checks that upgrading an empty store yields exactly these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from provision.store.types import Money, UTCDateTime


class Base(DeclarativeBase):
    pass


# Partial indexes over the rows still free: allocation reads them in order and stops at
# LIMIT, and they shrink as the site fills. (A full index with placement_id in the
# middle made PostgreSQL sort a whole /14 pool on every signing: 42 ms a query.)
FREE = text("placement_id IS NULL")


class SiteRow(Base):
    """One row per site (datacenter) the store holds; also the row that site's allocation locks on.

    Rooms, racks, devices, pools and contracts each name their site, so one store serves
    several datacenters while each keeps its own inventory, timezone and calendar.
    """

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    dns: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    quarantine_days: Mapped[int] = mapped_column(Integer, default=30)  # before a released address is reused


class CalendarDay(Base):
    """Operator overrides of a site's working-day calendar, synced from its inventory."""

    __tablename__ = "calendar_days"
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("site_id", "name"),)  # room and rack names repeat across sites
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class Rack(Base):
    __tablename__ = "racks"
    __table_args__ = (UniqueConstraint("site_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))  # its room's site, kept here for allocation's filter
    name: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    position: Mapped[int] = mapped_column(Integer, index=True)
    height_u: Mapped[int] = mapped_column(Integer)
    power_budget_w: Mapped[int] = mapped_column(Integer)


class DeviceColumns:
    """What every managed device row holds: how to reach it, never the secret itself.

    Device names are unique across the store (they are host names), so a second site's
    inventory that reuses one is refused rather than taking the device over.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    name: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(32))
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    credentials: Mapped[str] = mapped_column(String(64))  # key of the secret, never its value


class Pdu(DeviceColumns, Base):
    __tablename__ = "pdus"


class Outlet(Base):
    __tablename__ = "outlets"
    __table_args__ = (UniqueConstraint("pdu_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pdu_id: Mapped[int] = mapped_column(ForeignKey("pdus.id"))
    number: Mapped[int] = mapped_column(Integer)


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("rack_id", "u"),
                      Index("ix_units_free", "rack_id", "u", sqlite_where=FREE, postgresql_where=FREE))
    id: Mapped[int] = mapped_column(primary_key=True)
    rack_id: Mapped[int] = mapped_column(ForeignKey("racks.id"))
    u: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[bool] = mapped_column(Boolean, default=False)
    outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"), unique=True)  # the mains feed
    ups_outlet_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"), unique=True)  # a UPS feed beside it
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("holds.id"))


class Switch(DeviceColumns, Base):
    __tablename__ = "switches"
    snmp_port: Mapped[int | None] = mapped_column(Integer)
    snmp_credentials: Mapped[str | None] = mapped_column(String(64))


class SwitchRack(Base):
    __tablename__ = "switch_racks"
    switch_id: Mapped[int] = mapped_column(ForeignKey("switches.id"), primary_key=True)
    rack_id: Mapped[int] = mapped_column(ForeignKey("racks.id"), primary_key=True)


class Port(Base):
    __tablename__ = "ports"
    __table_args__ = (UniqueConstraint("switch_id", "name"),
                      Index("ix_ports_free", "switch_id", "position", sqlite_where=FREE, postgresql_where=FREE))
    id: Mapped[int] = mapped_column(primary_key=True)
    switch_id: Mapped[int] = mapped_column(ForeignKey("switches.id"))
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)


class Pool(Base):
    __tablename__ = "pools"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    name: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(18))
    gateway: Mapped[str] = mapped_column(String(15))
    vlan: Mapped[int] = mapped_column(Integer)


class PoolRack(Base):
    __tablename__ = "pool_racks"
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"), primary_key=True)
    rack_id: Mapped[int] = mapped_column(ForeignKey("racks.id"), primary_key=True)


class Address(Base):
    __tablename__ = "addresses"
    __table_args__ = (Index("ix_addresses_free", "pool_id", "ip_int", sqlite_where=FREE, postgresql_where=FREE),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id"))
    ip: Mapped[str] = mapped_column(String(15), unique=True)
    ip_int: Mapped[int] = mapped_column(BigInteger)
    reserved: Mapped[bool] = mapped_column(Boolean, default=False)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    quarantine_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # case-folded name
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(200))
    mobile: Mapped[str | None] = mapped_column(String(200))
    im: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    admin_name: Mapped[str | None] = mapped_column(String(200))
    admin_id_number: Mapped[str | None] = mapped_column(String(200))
    admin_phone: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(200))


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("year", "seq"),)  # numbered across the store: an id names one contract
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    bandwidth_mbps: Mapped[int] = mapped_column(Integer)
    ips: Mapped[int] = mapped_column(Integer)
    fee: Mapped[Decimal] = mapped_column(Money)
    payment: Mapped[str] = mapped_column(String(8))
    term_months: Mapped[int] = mapped_column(Integer)
    power_w: Mapped[int] = mapped_column(Integer)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    state: Mapped[str] = mapped_column(String(16), index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    service_rep: Mapped[str | None] = mapped_column(String(120))  # the customer-service representative (SLA §5)
    engineer: Mapped[str | None] = mapped_column(String(120))  # the engineer assigned to the contract (SLA §6.2)
    notify_channel: Mapped[str | None] = mapped_column(String(8))  # email | webhook | phone; unset: customer's email
    notify_target: Mapped[str | None] = mapped_column(String(300))
    stop_reason: Mapped[str | None] = mapped_column(String(16))  # while suspended: nonpayment | review | authorities | abuse
    install_fee: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"), server_default="0.00")  # SLA §3.2


class ContractEvent(Base):
    """The contract's history; clocks are computed from it, never stored."""

    __tablename__ = "contract_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ref: Mapped[str | None] = mapped_column(String(64))
    months: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


class Placement(Base):
    """One server (or whole rack) of a contract: where it sits and what it was given."""

    __tablename__ = "placements"
    __table_args__ = (UniqueConstraint("contract_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    rack_id: Mapped[int] = mapped_column(ForeignKey("racks.id"), index=True)
    power_w: Mapped[int] = mapped_column(Integer)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Hold(Base):
    """Units held for a prospective customer until a time; expiry needs no job."""

    __tablename__ = "holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    rack_id: Mapped[int] = mapped_column(ForeignKey("racks.id"))
    for_name: Mapped[str] = mapped_column(String(200))
    for_key: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Server(Base):
    """The hardware of one placed server, recorded when it is racked (hosting contract §1)."""

    __tablename__ = "servers"
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), index=True)  # `colo find SERIAL` looks it up
    mac: Mapped[str] = mapped_column(String(12), index=True)  # 12 lowercase hex digits
    cpu: Mapped[str | None] = mapped_column(String(130))
    board: Mapped[str | None] = mapped_column(String(130))  # "MODEL xN" like the others; a bare model counts once
    memory: Mapped[str | None] = mapped_column(String(130))
    disks: Mapped[str] = mapped_column(Text, default="")  # '; '-separated "MODEL xN"
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class Operation(Base):
    """The journal of one device change (provision, activate, decommission) across its devices.

    Written before the first command is sent and updated after every step, so a run
    killed midway leaves a record of exactly which ports and outlets it had touched.
    """

    __tablename__ = "operations"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), index=True)  # applying | done | rolled_back | failed
    actor: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(128))  # host:pid of the process applying it
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan: Mapped[str] = mapped_column(Text)  # the plan as applied, JSON, without secrets
    error: Mapped[str] = mapped_column(Text, default="")
    resumes: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))


class OperationContract(Base):
    __tablename__ = "operation_contracts"
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True, index=True)


class OperationStep(Base):
    """One device target of an operation: its state before, the intended state after, and progress."""

    __tablename__ = "operation_steps"
    __table_args__ = (UniqueConstraint("operation_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128))  # interface name, or outlet numbers
    state: Mapped[str] = mapped_column(String(16))  # planned | sending | applied | verified | undone | failed
    before: Mapped[str] = mapped_column(Text)  # JSON
    after: Mapped[str] = mapped_column(Text)  # JSON
    commands: Mapped[str] = mapped_column(Text)  # JSON list
    error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentRecord(Base):
    """Money received for a contract; the balance is always summed from these, never stored."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str | None] = mapped_column(String(64))


class StopNotice(Base):
    """A stop-service notice (§6.6): when it was issued, the stop time it lists, how it ended."""

    __tablename__ = "stop_notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stop_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(String(32), default="")  # paid | ...
    channel: Mapped[str | None] = mapped_column(String(8))  # email | webhook | phone: how it went out or was last tried
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a failed delivery recorded: may stop service too
    last_error: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Stored(Base):
    """A decommissioned server in the warehouse (§8.4): where, since when, and how it left."""

    __tablename__ = "storage"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    serial: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="")  # collected | shipped | abandoned
    detail: Mapped[str] = mapped_column(Text, default="")  # who collected, or address and tracking number


class ServiceChange(Base):
    """A change of a running service (SLA §5 服务内容变更处理): each term before and after, who, when, how applied.

    The fee schedule is read from these rows: `fee_after` is owed from period
    `fee_from_period` on (the next payment period after the change).
    """

    __tablename__ = "service_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    operation_id: Mapped[int | None] = mapped_column(ForeignKey("operations.id"))  # none: only the order changed
    bandwidth_before: Mapped[int] = mapped_column(Integer)
    bandwidth_after: Mapped[int] = mapped_column(Integer)
    ips_before: Mapped[int] = mapped_column(Integer)
    ips_after: Mapped[int] = mapped_column(Integer)
    slots_before: Mapped[int] = mapped_column(Integer)
    slots_after: Mapped[int] = mapped_column(Integer)
    fee_before: Mapped[Decimal] = mapped_column(Money)
    fee_after: Mapped[Decimal] = mapped_column(Money)
    fee_from_period: Mapped[int] = mapped_column(Integer)
    fee_from: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(Text, default="")  # what was allocated: addresses, slots


class AuditRecord(Base):
    """One line of the tamper-evident audit log: each record's hash covers the one before it."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the change is dated (`--at`)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it was written; None before 0019
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    contract_id: Mapped[str | None] = mapped_column(String(16), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    authorization: Mapped[str | None] = mapped_column(String(128))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # a fork (two records after one) cannot commit
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuthorizedPerson(Base):
    """Who may order operations on a customer's equipment (SLA §6.5)."""

    __tablename__ = "authorized_persons"
    __table_args__ = (UniqueConstraint("customer_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))  # the office phone
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    mobile: Mapped[str | None] = mapped_column(String(40))  # contact channels for emergencies (SLA §4.2)
    email: Mapped[str | None] = mapped_column(String(300))
    fax: Mapped[str | None] = mapped_column(String(40))
    pager: Mapped[str | None] = mapped_column(String(40))
    webhook: Mapped[str | None] = mapped_column(String(300))


class EmergencyContact(Base):
    """The authorized person a contract's emergencies go to, and by which of their channels (SLA §4.2)."""

    __tablename__ = "emergency_contacts"
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("authorized_persons.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # office-phone | mobile | email | fax | pager | webhook


class PortalCredential(Base):
    """The customer's monitoring-portal secret, as a salted scrypt hash: what a phone caller must know."""

    __tablename__ = "portal_credentials"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(128))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    login: Mapped[str | None] = mapped_column(String(32), unique=True)  # the portal user name; unset: a contract ID


class Authorization(Base):
    """One authorization to operate a customer's equipment: written, or by phone with the written form to follow."""

    __tablename__ = "authorizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("authorized_persons.id"))
    channel: Mapped[str] = mapped_column(String(8))  # written | phone
    operation: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the written report on the operation (§7.2)
    report_ref: Mapped[str | None] = mapped_column(String(64))


class Visit(Base):
    """A machine-room visit (SLA §9): announced, escorted, badged, with its expected exit."""

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    visitor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(200))
    support: Mapped[str] = mapped_column(String(200), default="")
    expected_enter: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_exit: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(64))
    escort: Mapped[str | None] = mapped_column(String(120))
    badge: Mapped[str | None] = mapped_column(String(32))
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorized_by: Mapped[str | None] = mapped_column(String(120))  # the customer's authorized person behind it


class ServiceCheckRow(Base):
    """A customer service the monitor also checks (SLA §4.4): www by URL, email and ftp by host:port."""

    __tablename__ = "service_checks"
    __table_args__ = (UniqueConstraint("contract_id", "kind", "target"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(300))


class MonitorWatch(Base):
    """One thing the monitor watches for a contract, and how many rounds in a row it has failed."""

    __tablename__ = "monitor_watches"
    __table_args__ = (UniqueConstraint("contract_id", "check", "target"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    check: Mapped[str] = mapped_column(String(8))  # network | power | www | email | ftp
    target: Mapped[str] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emergency_id: Mapped[int | None] = mapped_column(ForeignKey("emergencies.id"))
    last_error: Mapped[str | None] = mapped_column(String(300))


class MonitorRound(Base):
    """One probe round: when, how ICMP was sent, and what it found — the monitor's own log."""

    __tablename__ = "monitor_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    seconds: Mapped[float] = mapped_column(Float)
    icmp_mode: Mapped[str] = mapped_column(String(16))
    watched: Mapped[int] = mapped_column(Integer)
    failing: Mapped[int] = mapped_column(Integer)
    declared: Mapped[int] = mapped_column(Integer)
    recovered: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class OutageRecord(Base):
    """An outage on a contract's network or power, with who classified an exclusion and why (SLA §1-§3)."""

    __tablename__ = "outages"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # network | power
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None while it lasts
    cause: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded: Mapped[str | None] = mapped_column(String(32))
    classified_by: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))


class Refund(Base):
    """Money owed back to a customer: a forced termination's sheet, or a missed install guarantee's fee.

    Kept as a row (not only an audit line) so `contract show` and `payment show` can show it
    due until `payment refunded` records it paid; one per contract and kind.
    """

    __tablename__ = "refunds"
    __table_args__ = (UniqueConstraint("contract_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # termination | install_fee
    amount: Mapped[Decimal] = mapped_column(Money)
    lines: Mapped[str] = mapped_column(Text)  # JSON [{"item", "amount"}], the sheet as printed
    basis: Mapped[str] = mapped_column(Text)
    due_since: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_ref: Mapped[str | None] = mapped_column(String(64))
    paid_by: Mapped[str | None] = mapped_column(String(64))


class Void(Base):
    """A reversing record: the payment or outage it names stays, and no longer counts from `at` on."""

    __tablename__ = "voids"
    __table_args__ = (UniqueConstraint("kind", "target_id"),)  # voided once
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # payment | outage
    target_id: Mapped[int] = mapped_column(Integer)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))


class Emergency(Base):
    """A declared emergency and when the customer's contact was notified (SLA §4.5)."""

    __tablename__ = "emergencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(16))  # email | webhook | phone
    recorded_by: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8), default="network", server_default="network")  # or power, www, ...
    target: Mapped[str | None] = mapped_column(String(300))  # what failed: an address, a URL, a unit's feeds
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"))
    notify_error: Mapped[str | None] = mapped_column(String(300))  # the last failed attempt, retried each round
    contact_person: Mapped[str | None] = mapped_column(String(120))  # the designated person it went to (SLA §4.2)
    waived: Mapped[str | None] = mapped_column(String(16))  # contact-invalid | force-majeure: no deduction (SLA §4.7)
    waived_by: Mapped[str | None] = mapped_column(String(64))  # who classified it ("monitor" for a rejected address)
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FaultTicket(Base):
    """A fault the customer reported or the provider found: 1 hour to respond, 1 working day to resolve (§5.6, §6.3)."""

    __tablename__ = "fault_tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by_customer: Mapped[str | None] = mapped_column(Text)  # who at the customer reported it
    summary: Mapped[str] = mapped_column(Text)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="customer", server_default="customer")  # or provider
    emergency_id: Mapped[int | None] = mapped_column(ForeignKey("emergencies.id"))  # the provider found it so
    major_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # declared a major fault (§6.3), by major_by
    major_by: Mapped[str | None] = mapped_column(String(64))
    consulted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the customer consulted (§6.3)
    consulted_with: Mapped[str | None] = mapped_column(String(120))  # whom at the customer
    consultation: Mapped[str | None] = mapped_column(Text)  # what was agreed
    consulted_by: Mapped[str | None] = mapped_column(String(64))


class Complaint(Base):
    """A customer complaint: a written report is due within 24 hours (SLA §8.3)."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the written report went out
    report_ref: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(24))  # SLA §8.1: network-quality | customer-service | ...
    employee: Mapped[str | None] = mapped_column(String(120))  # the employee complained about, where named


class LicenceDeclaration(Base):
    """Business the customer declared that needs a licence of its own: advertising, ICP (hosting §5.7)."""

    __tablename__ = "licence_declarations"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # advertising | icp
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declared_by: Mapped[str] = mapped_column(String(64))


class Licence(Base):
    """A copy of a customer's licence on file (hosting §5.7): its number, where the copy is kept, when it came."""

    __tablename__ = "licences"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # business | advertising | icp
    number: Mapped[str] = mapped_column(String(64))
    filed: Mapped[str] = mapped_column(String(200))  # where the copy is kept
    received_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class Review(Base):
    """An annual review of a contract (hosting §5.8) and its outcome; a failed one stops the service."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    passed: Mapped[bool] = mapped_column(Boolean)
    ref: Mapped[str] = mapped_column(String(64))  # the review document
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))


class ServiceStop(Base):
    """A stop with an authority of its own — failed review, the authorities, abuse — until it is lifted.

    Open rows (lifted_at NULL) are what hold a contract beside non-payment; the contract's
    `stop_reason` names the strongest of them.
    """

    __tablename__ = "service_stops"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # review | authorities | abuse
    ref: Mapped[str] = mapped_column(String(64))  # the document ordering it (or the abuse case)
    note: Mapped[str] = mapped_column(Text, default="")
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ordered_by: Mapped[str] = mapped_column(String(64))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_ref: Mapped[str | None] = mapped_column(String(64))
    lifted_by: Mapped[str | None] = mapped_column(String(64))


class AbuseCase(Base):
    """A spam complaint about a customer's server (user undertaking 5.2): warning, then shutdown if it goes on."""

    __tablename__ = "abuse_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))  # who complained
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warning_ref: Mapped[str | None] = mapped_column(String(64))
    continued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # spam went on after the warning
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))

class TrafficPort(Base):
    """A polled port's last counter reading: what the next poll's rate is computed against."""

    __tablename__ = "traffic_ports"
    port_id: Mapped[int] = mapped_column(ForeignKey("ports.id"), primary_key=True)
    if_index: Mapped[int | None] = mapped_column(Integer)
    contract_id: Mapped[str | None] = mapped_column(ForeignKey("contracts.id"))  # who held the port at that reading
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uptime_cs: Mapped[int | None] = mapped_column(BigInteger)
    in_octets: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))  # Counter64 exceeds BIGINT
    out_octets: Mapped[Decimal | None] = mapped_column(Numeric(20, 0))
    in_errors: Mapped[int | None] = mapped_column(BigInteger)
    out_errors: Mapped[int | None] = mapped_column(BigInteger)
    oper_up: Mapped[bool | None] = mapped_column(Boolean)


class TrafficPoint(Base):
    """One consolidated bucket of a port's traffic for the contract that held the port then."""

    __tablename__ = "traffic_points"
    __table_args__ = (UniqueConstraint("port_id", "contract_id", "tier", "start"),
                      Index("ix_traffic_points_contract", "contract_id", "tier", "start"),
                      Index("ix_traffic_points_tier_start", "tier", "start"))
    id: Mapped[int] = mapped_column(primary_key=True)
    port_id: Mapped[int] = mapped_column(ForeignKey("ports.id"))
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    tier: Mapped[str] = mapped_column(String(4))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    avg_in: Mapped[float] = mapped_column(Float)
    avg_out: Mapped[float] = mapped_column(Float)
    max_in: Mapped[float] = mapped_column(Float)
    max_out: Mapped[float] = mapped_column(Float)
    covered_s: Mapped[float] = mapped_column(Float)


class TrafficMonth(Base):
    """A closed month's figures, kept when its 5-minute points are pruned (the 95th percentile needs them all)."""

    __tablename__ = "traffic_months"
    __table_args__ = (UniqueConstraint("port_id", "contract_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    port_id: Mapped[int] = mapped_column(ForeignKey("ports.id"))
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    avg_in: Mapped[float | None] = mapped_column(Float)
    avg_out: Mapped[float | None] = mapped_column(Float)
    peak_in: Mapped[float | None] = mapped_column(Float)
    peak_out: Mapped[float | None] = mapped_column(Float)
    p95_in: Mapped[float | None] = mapped_column(Float)
    p95_out: Mapped[float | None] = mapped_column(Float)
    samples: Mapped[int] = mapped_column(Integer)
    expected: Mapped[int] = mapped_column(Integer)


class MonitorLease(Base):
    """Who runs a site's probe rounds: one owner per site at a time, until `expires_at` unless renewed.

    Monitors for the same site on several machines share one PostgreSQL store; each round
    first renews or takes this row with a conditional UPDATE, so two can never both hold it
    and a standby takes over once the owner stops renewing.
    """

    __tablename__ = "monitor_leases"
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))  # host:pid:token of the holding monitor
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SotSettings(Base):
    """The source of truth a site was imported from; its presence turns write-back on for the site."""

    __tablename__ = "sot_settings"
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # nautobot
    url: Mapped[str] = mapped_column(String(300))
    token_secret: Mapped[str] = mapped_column(String(64))  # the secret's name, never the token
    location: Mapped[str] = mapped_column(String(100))


class SotOutbox(Base):
    """One write-back owed to the source of truth: a contract's objects as a change left them.

    Written in the transaction of the change itself, so a Nautobot outage never blocks it;
    `colo sot sync` delivers entries in order and marks them done, retrying failed ones.
    """

    __tablename__ = "sot_outbox"
    __table_args__ = (Index("ix_sot_outbox_pending", "site_id", "id", sqlite_where=text("done_at IS NULL"),
                            postgresql_where=text("done_at IS NULL")),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"))
    reason: Mapped[str] = mapped_column(String(32))  # the event that owed it: signed, provisioned, server_recorded ...
    payload: Mapped[str] = mapped_column(Text)  # JSON snapshot (provision.sot.outbox.snapshot)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(600))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
