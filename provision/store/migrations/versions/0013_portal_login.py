"""Portal login names: a customer may log in to the portal with a name of its own instead of a contract ID.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portal_credentials") as t:
        t.add_column(sa.Column("login", sa.String(32)))
        t.create_unique_constraint("uq_portal_credentials_login", ["login"])
