"""Schema migrations (Alembic), run by `colo init` so a newer toolkit opens an older store.

Alembic is imported only here: it costs ~0.3 s, and only `init` needs it.
"""

from __future__ import annotations

from pathlib import Path

from provision.store.engine import Store


def upgrade(store: Store, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
