"""Contracts: customers, contracts and their events, placements, holds; claim columns on units, ports, addresses.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
FREE_ONLY = {"sqlite_where": sa.text("placement_id IS NULL"), "postgresql_where": sa.text("placement_id IS NULL")}


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        *(sa.Column(c, sa.String(200)) for c in ("id_number", "address", "phone", "mobile", "im", "email",
                                                 "admin_name", "admin_id_number", "admin_phone", "purpose")),
    )
    op.create_table(
        "contracts",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("bandwidth_mbps", sa.Integer, nullable=False),
        sa.Column("ips", sa.Integer, nullable=False),
        sa.Column("fee", sa.Numeric(14, 2).with_variant(sa.String(20), "sqlite"), nullable=False),
        sa.Column("payment", sa.String(8), nullable=False),
        sa.Column("term_months", sa.Integer, nullable=False),
        sa.Column("power_w", sa.Integer, nullable=False),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id")),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("signed_at", TIME, nullable=False),
        sa.Column("request_id", sa.String(64), unique=True),
        sa.Column("request_fingerprint", sa.String(64)),
        sa.UniqueConstraint("year", "seq"),
    )
    op.create_table(
        "contract_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("ref", sa.String(64)),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("rack_id", sa.Integer, sa.ForeignKey("racks.id"), nullable=False, index=True),
        sa.Column("power_w", sa.Integer, nullable=False),
        sa.Column("released_at", TIME),
        sa.UniqueConstraint("contract_id", "position"),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rack_id", sa.Integer, sa.ForeignKey("racks.id"), nullable=False),
        sa.Column("for_name", sa.String(200), nullable=False),
        sa.Column("for_key", sa.String(200), nullable=False),
        sa.Column("until", TIME, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("placement_id", sa.Integer, sa.ForeignKey("placements.id", name="fk_units_placement")))
        batch.add_column(sa.Column("hold_id", sa.Integer, sa.ForeignKey("holds.id", name="fk_units_hold")))
        batch.create_index("ix_units_free", ["rack_id", "u"], **FREE_ONLY)
        batch.create_index("ix_units_placement_id", ["placement_id"])
    with op.batch_alter_table("ports") as batch:
        batch.add_column(sa.Column("placement_id", sa.Integer, sa.ForeignKey("placements.id", name="fk_ports_placement")))
        batch.create_index("ix_ports_free", ["switch_id", "position"], **FREE_ONLY)
        batch.create_index("ix_ports_placement_id", ["placement_id"])
    with op.batch_alter_table("addresses") as batch:
        batch.add_column(sa.Column("placement_id", sa.Integer,
                                   sa.ForeignKey("placements.id", name="fk_addresses_placement")))
        batch.add_column(sa.Column("quarantine_until", TIME))
        batch.create_index("ix_addresses_free", ["pool_id", "ip_int"], **FREE_ONLY)
        batch.create_index("ix_addresses_placement_id", ["placement_id"])
