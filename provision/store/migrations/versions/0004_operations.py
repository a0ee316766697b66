"""Device-change journal (operations, their contracts and steps); switch SNMP access.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("switches") as batch:
        batch.add_column(sa.Column("snmp_port", sa.Integer))
        batch.add_column(sa.Column("snmp_credentials", sa.String(64)))
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("resumes", sa.Integer, sa.ForeignKey("operations.id")),
    )
    op.create_table(
        "operation_contracts",
        sa.Column("operation_id", sa.Integer, sa.ForeignKey("operations.id"), primary_key=True),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), primary_key=True, index=True),
    )
    op.create_table(
        "operation_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operation_id", sa.Integer, sa.ForeignKey("operations.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("commands", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("operation_id", "seq"),
    )
