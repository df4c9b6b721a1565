"""Opening the history database durably, and bringing its schema to the latest Alembic revision.

Durability, deliberately: an answer or a feedback is acknowledged only after its transaction has
committed, and a commit must survive `kill -9` of the server (and, for SQLite, power loss too):
  * SQLite runs in WAL mode with `synchronous=FULL` (default): safe against process kills and
    power loss. The store's writer (wal_writer.WalWriter) commits with NORMAL and fsyncs the WAL
    itself before it acknowledges, which is what FULL adds in WAL mode, once per batch of answers;
    this engine's own connections (reads, migrations, the writer's fallback) keep FULL. `NORMAL`
    (settings.history.sqlite_synchronous) drops that fsync: still safe against `kill -9` (the OS
    holds the written pages), but the last commits may be lost on power loss or a kernel crash.
    `busy_timeout` lets concurrent writers queue instead of failing, and foreign keys are enforced.
  * PostgreSQL keeps its default `synchronous_commit=on`: COMMIT returns after the WAL flush.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

log = logging.getLogger("visdesk.history")

PACKAGE_DIR = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
ALEMBIC_INI = PACKAGE_DIR / "alembic.ini"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_MIGRATION_LOCK_KEY = 0x76697364  # "visd": one replica migrates at a time on PostgreSQL


def open_engine(url: str, *, pool_size: int = 8, sqlite_synchronous: str = "FULL") -> Engine:
    """An Engine for `url` with the durability settings above; creates SQLite's parent folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ValueError(f"history.database_url must be SQLite or PostgreSQL, not {parsed.get_backend_name()!r}")
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        if sqlite_synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"history.sqlite_synchronous must be FULL or NORMAL, not {sqlite_synchronous!r}")
        engine = create_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=30)
        event.listen(engine, "connect", partial(_sqlite_pragmas, synchronous=sqlite_synchronous))
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=4, pool_pre_ping=True, pool_timeout=30)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, synchronous: str) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def alembic_config() -> Config:
    """The package's Alembic config, pointing at the installed migrations folder (works from a wheel)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """`alembic upgrade head` on `engine`; on PostgreSQL under an advisory lock so replicas don't race."""
    config = alembic_config()
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("history schema at head", extra={"fields": {"backend": engine.dialect.name}})
