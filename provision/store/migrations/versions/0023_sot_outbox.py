"""Source of truth: each site's Nautobot (where, which token secret, which location) and the write-back outbox.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sot_settings",
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id"), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("token_secret", sa.String(64), nullable=False),
        sa.Column("location", sa.String(100), nullable=False),
    )
    op.create_table(
        "sot_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id"), nullable=False),
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_attempt_at", WHEN),
        sa.Column("last_error", sa.String(600)),
        sa.Column("done_at", WHEN),
    )
    op.create_index("ix_sot_outbox_pending", "sot_outbox", ["site_id", "id"],
                    sqlite_where=sa.text("done_at IS NULL"), postgresql_where=sa.text("done_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_sot_outbox_pending", "sot_outbox")
    op.drop_table("sot_outbox")
    op.drop_table("sot_settings")
