"""Contract clauses: licences, annual review, authorities and abuse (hosting §5.7-5.9, user undertaking 5.2).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "licence_declarations",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("declared_at", WHEN, nullable=False),
        sa.Column("declared_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "licences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("filed", sa.String(200), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "service_stops",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("ordered_at", WHEN, nullable=False),
        sa.Column("ordered_by", sa.String(64), nullable=False),
        sa.Column("lifted_at", WHEN),
        sa.Column("lifted_ref", sa.String(64)),
        sa.Column("lifted_by", sa.String(64)),
    )
    op.create_table(
        "abuse_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("reported_at", WHEN, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("warned_at", WHEN),
        sa.Column("warning_ref", sa.String(64)),
        sa.Column("continued_at", WHEN),
        sa.Column("closed_at", WHEN),
        sa.Column("close_note", sa.Text),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
