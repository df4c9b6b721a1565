"""The whole service over real HTTP with engine="transformers:<dir>" (real OCR, real uvicorn)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve

pytestmark = pytest.mark.vlm


def test_v1_chat_answers_with_the_transformers_engine(tiny_glm_dir: Path, tmp_path: Path) -> None:
    from visdesk.app import create_app

    settings = make_settings(
        tmp_path, engine=f"transformers:{tiny_glm_dir}", transformers={"max_new_tokens": 16, "num_beams": 1}
    )
    image = base64.b64encode(png_bytes(render_lines(["订单号: 12345", "Total: 88.00"], size=22, width=360))).decode()
    with serve(create_app(settings)) as base_url, httpx.Client(base_url=base_url, timeout=120) as client:
        reply = client.post("/v1/chat", json={"image": image, "question": "What is the total?"})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["engine"] == "transformers" and body["session_id"]
        events = []
        ask = {"image": image, "question": "订单号是多少？", "stream": True}
        with client.stream("POST", "/v1/chat", json=ask) as sse:
            assert sse.status_code == 200
            for line in sse.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[len("data: ") :]))
        assert any("delta" in event for event in events)
        assert events[-1].get("done") is True and events[-1]["engine"] == "transformers"
