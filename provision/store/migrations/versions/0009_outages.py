"""Outages and emergencies for the SLA report.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("start", WHEN, nullable=False),
        sa.Column("end", WHEN),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("reported_at", WHEN),
        sa.Column("excluded", sa.String(32)),
        sa.Column("classified_by", sa.String(64)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "emergencies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("declared_at", WHEN, nullable=False),
        sa.Column("notified_at", WHEN),
        sa.Column("channel", sa.String(16)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
