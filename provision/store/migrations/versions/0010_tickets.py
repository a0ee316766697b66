"""Fault tickets and complaints with their response, resolution and report times.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fault_tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("reported_by_customer", sa.Text),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("responded_at", WHEN),
        sa.Column("resolved_at", WHEN),
        sa.Column("resolution", sa.Text),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("reported_at", WHEN),
        sa.Column("report_ref", sa.String(64)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
