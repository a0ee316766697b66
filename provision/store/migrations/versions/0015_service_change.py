"""Contract clauses: changes of a running service (SLA §5 服务内容变更处理), each term before and after.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2).with_variant(sa.String(20), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "service_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), unique=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=False),
        sa.Column("operation_id", sa.Integer, sa.ForeignKey("operations.id")),
        sa.Column("bandwidth_before", sa.Integer, nullable=False),
        sa.Column("bandwidth_after", sa.Integer, nullable=False),
        sa.Column("ips_before", sa.Integer, nullable=False),
        sa.Column("ips_after", sa.Integer, nullable=False),
        sa.Column("slots_before", sa.Integer, nullable=False),
        sa.Column("slots_after", sa.Integer, nullable=False),
        sa.Column("fee_before", MONEY, nullable=False),
        sa.Column("fee_after", MONEY, nullable=False),
        sa.Column("fee_from_period", sa.Integer, nullable=False),
        sa.Column("fee_from", WHEN, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
