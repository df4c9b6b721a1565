"""Fixtures: one tiny random GLM-4V saved to disk per session, and an engine loaded from it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.support.tiny_glm import build_tiny_glm

pytest.importorskip("torch")
pytest.importorskip("transformers")

ENGINE_LIMITS = {"max_new_tokens": 24, "fast_max_new_tokens": 12, "num_beams": 3, "batch_wait_ms": 150.0}


@pytest.fixture(scope="session")
def tiny_glm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_glm(tmp_path_factory.mktemp("tiny-glm"))


@pytest.fixture(scope="module")
def engine(tiny_glm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real engine, loaded through the registry from the saved directory (weights + processor)."""
    from visdesk.engines import create_engine

    settings = make_settings(tmp_path_factory.mktemp("engine"), transformers=ENGINE_LIMITS)
    built = create_engine(f"transformers:{tiny_glm_dir}", settings)
    asyncio.run(built.start())
    yield built
    asyncio.run(built.close())
