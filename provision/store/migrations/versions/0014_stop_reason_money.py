"""Contract clauses, money and notices: why a suspended contract is stopped (and what may lift it),
how each stop-service notice was delivered, and the contract's install fee.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("contracts") as t:
        t.add_column(sa.Column("stop_reason", sa.String(16)))
        t.add_column(sa.Column("install_fee", sa.Numeric(14, 2).with_variant(sa.String(20), "sqlite"), nullable=False,
                               server_default="0.00"))
    # every contract suspended so far was suspended for non-payment by enforcement
    op.execute("UPDATE contracts SET stop_reason = 'nonpayment' WHERE state = 'suspended'")
    with op.batch_alter_table("stop_notices") as t:
        t.add_column(sa.Column("channel", sa.String(8)))
        t.add_column(sa.Column("delivered_at", WHEN))
        t.add_column(sa.Column("failed_at", WHEN))
        t.add_column(sa.Column("last_error", sa.String(300)))
        t.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
