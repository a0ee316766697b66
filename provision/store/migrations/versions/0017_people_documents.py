"""Contract clauses: people documents (placeholder, filled by the work on it).

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass
