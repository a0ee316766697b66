"""Contract clauses, money and notices: why a suspended contract is stopped (and what may lift it).

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as t:
        t.add_column(sa.Column("stop_reason", sa.String(16)))
    # every contract suspended so far was suspended for non-payment by enforcement
    op.execute("UPDATE contracts SET stop_reason = 'nonpayment' WHERE state = 'suspended'")
