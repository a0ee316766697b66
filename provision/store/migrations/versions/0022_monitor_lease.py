"""Monitor leases: one round owner per site at a time, across machines sharing the store.

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "monitor_leases",
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id"), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("acquired_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("monitor_leases")
