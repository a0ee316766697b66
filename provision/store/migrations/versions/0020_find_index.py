"""`colo find`: servers found by serial number through an index, not a scan.

Revision ID: 0020
Revises: 0019
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_servers_serial", "servers", ["serial"])
