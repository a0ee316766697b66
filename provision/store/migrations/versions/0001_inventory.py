"""Site inventory: rooms, racks, units, PDUs and outlets, switches and ports, pools and addresses.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("dns", sa.String(200), nullable=False),
        sa.Column("quarantine_days", sa.Integer, nullable=False),
    )
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("working", sa.Boolean, nullable=False),
    )
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "racks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, index=True),
        sa.Column("height_u", sa.Integer, nullable=False),
        sa.Column("power_budget_w", sa.Integer, nullable=False),
    )
    for table in ("pdus", "switches"):
        op.create_table(
            table,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(64), nullable=False, unique=True),
            sa.Column("platform", sa.String(32), nullable=False),
            sa.Column("host", sa.String(253), nullable=False),
            sa.Column("port", sa.Integer, nullable=False),
            sa.Column("credentials", sa.String(64), nullable=False),
        )
    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pdu_id", sa.Integer, sa.ForeignKey("pdus.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.UniqueConstraint("pdu_id", "number"),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rack_id", sa.Integer, sa.ForeignKey("racks.id"), nullable=False),
        sa.Column("u", sa.Integer, nullable=False),
        sa.Column("reserved", sa.Boolean, nullable=False),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id"), unique=True),
        sa.UniqueConstraint("rack_id", "u"),
    )
    op.create_table(
        "switch_racks",
        sa.Column("switch_id", sa.Integer, sa.ForeignKey("switches.id"), primary_key=True),
        sa.Column("rack_id", sa.Integer, sa.ForeignKey("racks.id"), primary_key=True),
    )
    op.create_table(
        "ports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("switch_id", sa.Integer, sa.ForeignKey("switches.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("switch_id", "name"),
    )
    op.create_table(
        "pools",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(18), nullable=False),
        sa.Column("gateway", sa.String(15), nullable=False),
        sa.Column("vlan", sa.Integer, nullable=False),
    )
    op.create_table(
        "pool_racks",
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), primary_key=True),
        sa.Column("rack_id", sa.Integer, sa.ForeignKey("racks.id"), primary_key=True),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("ip", sa.String(15), nullable=False, unique=True),
        sa.Column("ip_int", sa.BigInteger, nullable=False),
        sa.Column("reserved", sa.Boolean, nullable=False),
    )
