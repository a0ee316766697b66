"""Payments and stop-service notices.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2).with_variant(sa.String(20), "sqlite")


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("ref", sa.String(64)),
    )
    op.create_table(
        "stop_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stop_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolution", sa.String(32), nullable=False),
    )
