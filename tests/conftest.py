"""Shared fixtures: settings in a temp dir, the real app on loopback, rendered images."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import chromium
from tests.support.server import serve
from visdesk.settings import Settings


def make_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings isolated from the developer's environment and state."""
    base: dict[str, object] = {
        "data_dir": tmp,
        "history": {"database_url": f"sqlite:///{tmp / 'history.sqlite3'}"},
        "knowledge": {"index_path": tmp / "kb.sqlite3"},
        "safety": {"nsfw_enabled": False},
    }
    base.update(overrides)
    return Settings(_env_file=None, **base)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("visdesk")


@pytest.fixture(scope="session")
def embedded_server(session_tmp: Path) -> Iterator[str]:
    """The real app with the embedded engine, on a loopback port, shared by the session's HTTP tests."""
    from visdesk.app import create_app

    with serve(create_app(make_settings(session_tmp))) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for the page tests of one module (tests/support/browser.py)."""
    with chromium() as launched:
        yield launched
