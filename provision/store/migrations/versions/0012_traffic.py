"""Traffic statistics: each polled port's last counters, consolidated points per tier, closed months.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "traffic_ports",
        sa.Column("port_id", sa.Integer, sa.ForeignKey("ports.id"), primary_key=True),
        sa.Column("if_index", sa.Integer),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id")),
        sa.Column("at", WHEN),
        sa.Column("uptime_cs", sa.BigInteger),
        sa.Column("in_octets", sa.Numeric(20, 0)),
        sa.Column("out_octets", sa.Numeric(20, 0)),
        sa.Column("in_errors", sa.BigInteger),
        sa.Column("out_errors", sa.BigInteger),
        sa.Column("oper_up", sa.Boolean),
    )
    op.create_table(
        "traffic_points",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("port_id", sa.Integer, sa.ForeignKey("ports.id"), nullable=False),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False),
        sa.Column("tier", sa.String(4), nullable=False),
        sa.Column("start", WHEN, nullable=False),
        sa.Column("avg_in", sa.Float, nullable=False),
        sa.Column("avg_out", sa.Float, nullable=False),
        sa.Column("max_in", sa.Float, nullable=False),
        sa.Column("max_out", sa.Float, nullable=False),
        sa.Column("covered_s", sa.Float, nullable=False),
        sa.UniqueConstraint("port_id", "contract_id", "tier", "start"),
    )
    op.create_index("ix_traffic_points_contract", "traffic_points", ["contract_id", "tier", "start"])
    op.create_index("ix_traffic_points_tier_start", "traffic_points", ["tier", "start"])
    op.create_table(
        "traffic_months",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("port_id", sa.Integer, sa.ForeignKey("ports.id"), nullable=False),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("avg_in", sa.Float),
        sa.Column("avg_out", sa.Float),
        sa.Column("peak_in", sa.Float),
        sa.Column("peak_out", sa.Float),
        sa.Column("p95_in", sa.Float),
        sa.Column("p95_out", sa.Float),
        sa.Column("samples", sa.Integer, nullable=False),
        sa.Column("expected", sa.Integer, nullable=False),
        sa.UniqueConstraint("port_id", "contract_id", "month"),
    )

