"""Contract clauses, availability and emergencies: authorized persons' contact channels and the one designated
for a contract's emergencies (SLA §4.2); an emergency's waiver of the 15-minute report and whom it went to
(§4.7); fault tickets the provider opened from an emergency, and a major fault's consultation (§5.6, §6.3).

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("authorized_persons") as t:
        t.add_column(sa.Column("mobile", sa.String(40)))
        t.add_column(sa.Column("email", sa.String(300)))
        t.add_column(sa.Column("fax", sa.String(40)))
        t.add_column(sa.Column("pager", sa.String(40)))
        t.add_column(sa.Column("webhook", sa.String(300)))
    op.create_table(
        "emergency_contacts",
        sa.Column("contract_id", sa.String(16), sa.ForeignKey("contracts.id"), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("authorized_persons.id"), nullable=False, index=True),
        sa.Column("channel", sa.String(16), nullable=False),
    )
    with op.batch_alter_table("emergencies") as t:
        t.add_column(sa.Column("contact_person", sa.String(120)))
        t.add_column(sa.Column("waived", sa.String(16)))
        t.add_column(sa.Column("waived_by", sa.String(64)))
        t.add_column(sa.Column("waived_at", WHEN))
    with op.batch_alter_table("fault_tickets") as t:
        t.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="customer"))
        t.add_column(sa.Column("emergency_id", sa.Integer))
        t.add_column(sa.Column("major_at", WHEN))
        t.add_column(sa.Column("major_by", sa.String(64)))
        t.add_column(sa.Column("consulted_at", WHEN))
        t.add_column(sa.Column("consulted_with", sa.String(120)))
        t.add_column(sa.Column("consultation", sa.Text))
        t.add_column(sa.Column("consulted_by", sa.String(64)))
        t.create_foreign_key("fk_fault_tickets_emergency_id", "emergencies", ["emergency_id"], ["id"])
