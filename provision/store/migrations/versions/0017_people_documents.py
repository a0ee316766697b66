"""Contract clauses, people and documents: the named representative and engineer of a contract,
complaint categories and the employee complained about, the written report on an authorized
operation, the authorized person behind a visit, and the motherboard's count.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as t:
        t.add_column(sa.Column("service_rep", sa.String(120)))
        t.add_column(sa.Column("engineer", sa.String(120)))
    with op.batch_alter_table("complaints") as t:
        t.add_column(sa.Column("category", sa.String(24)))
        t.add_column(sa.Column("employee", sa.String(120)))
    with op.batch_alter_table("authorizations") as t:
        t.add_column(sa.Column("reported_at", sa.DateTime(timezone=True)))
        t.add_column(sa.Column("report_ref", sa.String(64)))
    with op.batch_alter_table("visits") as t:
        t.add_column(sa.Column("authorized_by", sa.String(120)))
    with op.batch_alter_table("servers") as t:
        t.alter_column("board", existing_type=sa.String(120), type_=sa.String(130))
    # A written authorization's written form came with it: its §6.6 clock (new in this revision) is met at
    # once, as `authorize record --written` now records. Without this, every earlier one would show as late.
    op.execute("INSERT INTO contract_events (contract_id, kind, at, ref, months, actor, detail) "
               "SELECT contract_id, 'authorization_written', written_at, CAST(id AS VARCHAR(64)), 0, recorded_by, "
               "'written form ' || COALESCE(ref, '') || ' came with the authorization' "
               "FROM authorizations WHERE channel = 'written' AND written_at IS NOT NULL")
