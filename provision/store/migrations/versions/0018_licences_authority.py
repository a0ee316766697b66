"""Contract clauses: licences, annual review, authorities and abuse (placeholder, filled by the work on it).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass
