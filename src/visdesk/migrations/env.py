"""Alembic environment for the history database.

visdesk passes its own open connection (config.attributes["connection"]) so migrations run with
the same durability settings as the service; the `alembic` command line instead opens
VISDESK_HISTORY__DATABASE_URL (or sqlalchemy.url). Logging is left to the application.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from visdesk.history.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = os.environ.get("VISDESK_HISTORY__DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from visdesk.history.database import open_engine
    from visdesk.settings import Settings

    url = os.environ.get("VISDESK_HISTORY__DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    engine = open_engine(url or Settings().history.database_url, pool_size=1)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
