"""Authorized persons, portal credentials (salted hashes), authorizations, machine-room visits.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "authorized_persons",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("phone", sa.String(40)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("customer_id", "name"),
    )
    op.create_table(
        "portal_credentials",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(128), nullable=False),
        sa.Column("set_at", WHEN, nullable=False),
    )
    op.create_table(
        "authorizations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("authorized_persons.id"), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("operation", sa.String(200), nullable=False),
        sa.Column("ref", sa.String(64)),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("valid_until", WHEN, nullable=False),
        sa.Column("written_at", WHEN),
        sa.Column("used_at", WHEN),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("visitor", sa.String(120), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("activity", sa.String(200), nullable=False),
        sa.Column("support", sa.String(200), nullable=False),
        sa.Column("expected_enter", WHEN, nullable=False),
        sa.Column("expected_exit", WHEN, nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("escort", sa.String(120)),
        sa.Column("badge", sa.String(32)),
        sa.Column("entered_at", WHEN),
        sa.Column("left_at", WHEN),
    )
