"""Monitoring: watched services, per-watch failure streaks, rounds; emergencies with kind and outcome;
a contract's notification channel; a unit's UPS feed.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("units") as t:
        t.add_column(sa.Column("ups_outlet_id", sa.Integer))
        t.create_unique_constraint("uq_units_ups_outlet_id", ["ups_outlet_id"])
        t.create_foreign_key("fk_units_ups_outlet_id", "outlets", ["ups_outlet_id"], ["id"])
    with op.batch_alter_table("contracts") as t:
        t.add_column(sa.Column("notify_channel", sa.String(8)))
        t.add_column(sa.Column("notify_target", sa.String(300)))
    with op.batch_alter_table("emergencies") as t:
        t.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="network"))
        t.add_column(sa.Column("target", sa.String(300)))
        t.add_column(sa.Column("ended_at", WHEN))
        t.add_column(sa.Column("outage_id", sa.Integer))
        t.add_column(sa.Column("notify_error", sa.String(300)))
        t.create_foreign_key("fk_emergencies_outage_id", "outages", ["outage_id"], ["id"])
    op.create_table(
        "service_checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.UniqueConstraint("contract_id", "kind", "target"),
    )
    op.create_table(
        "monitor_watches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False, index=True),
        sa.Column("check", sa.String(8), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failed_at", WHEN),
        sa.Column("emergency_id", sa.Integer, sa.ForeignKey("emergencies.id")),
        sa.Column("last_error", sa.String(300)),
        sa.UniqueConstraint("contract_id", "check", "target"),
    )
    op.create_table(
        "monitor_rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", WHEN, nullable=False, index=True),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("icmp_mode", sa.String(16), nullable=False),
        sa.Column("watched", sa.Integer, nullable=False),
        sa.Column("failing", sa.Integer, nullable=False),
        sa.Column("declared", sa.Integer, nullable=False),
        sa.Column("recovered", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )

