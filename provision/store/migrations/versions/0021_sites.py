"""Several sites in one store: rooms, racks, devices, pools, contracts, calendars and rounds name their site.

A one-site store keeps every row: all of them are given the site row it already has.
Room and rack names become unique per site (Shanghai and Ningbo may both have an A01);
device and pool names, addresses and contract ids stay unique across the store.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SITED = ("rooms", "racks", "pdus", "switches", "pools", "contracts", "monitor_rounds")
PER_SITE_NAMES = ("rooms", "racks")
# SQLite's unique constraints from `unique=True` have no name; batch mode names them by this to drop them
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _name_key(table: str) -> str:
    return f"{table}_name_key" if op.get_bind().dialect.name == "postgresql" else f"uq_{table}_name"


def upgrade() -> None:
    with op.batch_alter_table("site", naming_convention=NAMING) as t:
        t.create_unique_constraint("uq_site_name", ["name"])
    first_site = "(SELECT min(id) FROM site)"
    for table in SITED:
        with op.batch_alter_table(table, naming_convention=NAMING) as t:
            t.add_column(sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id", name=f"fk_{table}_site")))
        op.execute(f"UPDATE {table} SET site_id = {first_site}")
        with op.batch_alter_table(table, naming_convention=NAMING) as t:
            t.alter_column("site_id", existing_type=sa.Integer, nullable=False)
            if table in PER_SITE_NAMES:
                t.drop_constraint(_name_key(table), type_="unique")
                t.create_unique_constraint(f"uq_{table}_site_name", ["site_id", "name"])
    for table in ("contracts", "monitor_rounds"):
        op.create_index(f"ix_{table}_site_id", table, ["site_id"])

    # read through typed columns: SQLite hands back dates as text otherwise
    days = sa.table("calendar_days", sa.column("site_id", sa.Integer), sa.column("day", sa.Date),
                    sa.column("working", sa.Boolean))
    site = op.get_bind().execute(sa.text("SELECT min(id) FROM site")).scalar()
    kept = [{"site_id": site, "day": day, "working": working}
            for day, working in op.get_bind().execute(sa.select(days.c.day, days.c.working))]
    op.drop_table("calendar_days")
    op.create_table(
        "calendar_days",
        sa.Column("site_id", sa.Integer, sa.ForeignKey("site.id"), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("working", sa.Boolean, nullable=False),
    )
    if kept:
        op.bulk_insert(days, kept)


def downgrade() -> None:
    raise NotImplementedError("a store with several sites cannot go back to one: restore the backup")
