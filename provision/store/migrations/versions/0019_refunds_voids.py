"""Refunds kept until paid, reversing records (voids), and the real time of each audit record (issue 16).

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
MONEY = sa.Numeric(14, 2).with_variant(sa.String(20), "sqlite")


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("lines", sa.Text, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("due_since", WHEN, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("paid_at", WHEN),
        sa.Column("paid_ref", sa.String(64)),
        sa.Column("paid_by", sa.String(64)),
        sa.UniqueConstraint("contract_id", "kind"),
    )
    op.create_table(
        "voids",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("target_id", sa.Integer, nullable=False),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.UniqueConstraint("kind", "target_id"),
    )
    with op.batch_alter_table("audit") as t:
        t.add_column(sa.Column("recorded_at", WHEN))


def downgrade() -> None:
    with op.batch_alter_table("audit") as t:
        t.drop_column("recorded_at")
    op.drop_table("voids")
    op.drop_table("refunds")
