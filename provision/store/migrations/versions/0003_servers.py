"""Server records: hardware, serial and NIC MAC per placement, recorded at install.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "servers",
        sa.Column("placement_id", sa.Integer, sa.ForeignKey("placements.id"), primary_key=True),
        sa.Column("serial", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(12), nullable=False, index=True),
        sa.Column("cpu", sa.String(130)),
        sa.Column("board", sa.String(120)),
        sa.Column("memory", sa.String(130)),
        sa.Column("disks", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
