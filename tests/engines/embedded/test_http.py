"""The embedded engine behind the real app over loopback HTTP: answers with evidence, follow-ups without OCR."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings
from tests.support.render import png_bytes
from tests.support.scenes import scene
from tests.support.server import serve


@pytest.fixture(scope="module")
def app_and_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str, list[int]]]:
    from visdesk.app import create_app

    tmp: Path = tmp_path_factory.mktemp("embedded-http")
    app = create_app(make_settings(tmp, cache={"url": "none"}))
    calls: list[int] = []
    with serve(app) as base_url:
        reader = app.state.services.perceiver.reader
        real_read = reader.read

        def counting_read(image):  # type: ignore[no-untyped-def]
            calls.append(1)
            return real_read(image)

        reader.read = counting_read  # the real reader still runs; we only count its calls
        yield app, base_url, calls


def test_first_question_reads_the_image_and_follow_up_reuses_it(app_and_url) -> None:  # type: ignore[no-untyped-def]
    _, base_url, calls = app_and_url
    image = base64.b64encode(png_bytes(scene("order_page_zh").image)).decode()
    with httpx.Client(base_url=base_url, timeout=60) as client:
        first = client.post("/v1/chat", json={"image": image, "question": "运单号是多少？"})
        assert first.status_code == 200, first.text
        body = first.json()
        assert "SF1357924680" in body["answer"]
        assert body["engine"] == "embedded" and body["language"] == "zh"
        assert any(e["text"] == "SF1357924680" for e in body["evidence"])
        assert len(calls) == 1
        follow = client.post(
            "/v1/chat", json={"question": "What is the order number?", "session_id": body["session_id"]}
        )
        assert follow.status_code == 200, follow.text
        assert "2024051812345" in follow.json()["answer"]
        assert follow.json()["language"] == "en"
        assert len(calls) == 1  # the follow-up used the cached perception: no second OCR pass


def test_constrained_options_over_http(app_and_url) -> None:  # type: ignore[no-untyped-def]
    _, base_url, _ = app_and_url
    image = base64.b64encode(png_bytes(scene("nameplate_en").image)).decode()
    with httpx.Client(base_url=base_url, timeout=60) as client:
        reply = client.post("/v1/chat", json={"image": image, "question": "serial?", "regex": r"SN\d+"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["answer"] == "SN7741209"
        assert reply.json()["structured"] == {"valid": True, "value": "SN7741209"}
        bad = client.post("/v1/chat", json={"image": image, "question": "serial?", "regex": "(["})
        assert bad.status_code == 400
        assert bad.json()["error"]["code"] == "invalid_request"
