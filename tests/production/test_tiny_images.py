"""A 1×1 image (and other images too small for image features) is answered without an ERROR or a
traceback from product identification (issue #9, the probe's finding 6), over real HTTP."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import make_settings
from tests.production.conftest import b64
from tests.support.render import png_bytes
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.knowledge.products import CatalogMatcher, describe


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    handler, root = _Records(), logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


@pytest.mark.parametrize("size", [(1, 1), (1, 5), (3000, 2), (62, 400)])
def test_images_too_small_for_orb_have_no_features(size: tuple[int, int]) -> None:
    image = Image.effect_noise(size, 80).convert("RGB")
    features = describe(image)
    assert len(features) == 0
    catalog = {"sku": describe(Image.effect_noise((400, 400), 80).convert("RGB"))}
    assert CatalogMatcher(catalog).best(features) == []


def test_a_one_pixel_image_logs_no_error(tmp_path: Path, records: list[logging.LogRecord]) -> None:
    pixel = png_bytes(Image.new("RGB", (1, 1), (200, 30, 30)))
    with serve(create_app(make_settings(tmp_path))) as url, httpx.Client(base_url=url, timeout=60) as client:
        for question in ("What product is this?", "这是什么产品？"):
            response = client.post("/v1/chat", json={"image": b64(pixel), "question": question})
            assert response.status_code < 500, response.text
            assert "error" in response.json() or response.json()["answer"]
    problems = [r for r in records if r.levelno >= logging.ERROR or r.exc_info]
    assert not problems, [(r.name, r.getMessage()) for r in problems]
