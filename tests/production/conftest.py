"""Helpers for the production-layer tests: apps with chosen settings on loopback, tiny images."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from bench.serving.engine import register_engine
from fastapi import FastAPI
from PIL import Image

from tests.conftest import make_settings
from tests.support.render import png_bytes
from tests.support.server import serve
from visdesk.app import create_app

register_engine()


@contextmanager
def running(tmp: Path, **overrides: Any) -> Iterator[tuple[str, FastAPI]]:
    """The real app with `overrides` on a loopback port: (base URL, app)."""
    app = create_app(make_settings(tmp, **overrides))
    with serve(app) as url:
        yield url, app


def tiny_png(seed: int = 0) -> bytes:
    """A small distinct image (no OCR needed by the slow test engine)."""
    return png_bytes(Image.new("RGB", (48, 32), (seed % 256, (seed * 7) % 256, 120)))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path
