"""Databases for the history tests: a SQLite file per test, and a throw-away PostgreSQL database.

PostgreSQL runs at 127.0.0.1:5432 with trust auth (users `postgres`, then `root`). Each session
creates `visdesk_test_<random>` and drops it afterwards. With VISDESK_REQUIRE_SERVICES=1 (CI) an
unreachable server fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"
PG_USERS = ("postgres", "root")


def _admin_connection() -> psycopg.Connection:
    errors = []
    for user in PG_USERS:
        try:
            return psycopg.connect(
                host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, autocommit=True, connect_timeout=3
            )
        except psycopg.OperationalError as exc:
            errors.append(f"{user}: {exc}".strip())
    message = "PostgreSQL unreachable at 127.0.0.1:5432/test: " + " | ".join(errors)
    if os.environ.get("VISDESK_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session (dropped at the end)."""
    admin = _admin_connection()
    name = f"visdesk_test_{uuid.uuid4().hex[:12]}"
    user = admin.info.user
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'nested' / 'history.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on both backends (PostgreSQL: a fresh database per test)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nested' / 'history.sqlite3'}"
    base: str = request.getfixturevalue("postgres_url")
    admin = _admin_connection()
    name = f"{base.rsplit('/', 1)[1]}_{uuid.uuid4().hex[:6]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    request.addfinalizer(lambda: (admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'), admin.close()))
    return base.rsplit("/", 1)[0] + "/" + name
