"""End to end: a GLM-style upstream streams a boxed answer; /v1/chat SSE carries clean text and the box.

Real parts throughout: our app under uvicorn (real OCR on the rendered image), the remote engine, and
the fake vLLM-style upstream on loopback streaming GLM markup split across chunks.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.engines.remote.conftest import remote_settings
from tests.engines.remote.fake_upstream import GLM_THOUGHT, FakeUpstream
from tests.support.render import png_bytes, render_lines, text_box
from tests.support.server import serve
from visdesk.app import create_app

CODE = "K7Q2M9"
LINE = f"Order number: {CODE}"
WIDTH = 1400  # wider than images.max_side (1024): the upstream sees a scaled copy; boxes come back in ours


def _scene() -> tuple[bytes, tuple[int, int], tuple[float, float, float, float]]:
    image = render_lines([LINE, "Status: shipped"], width=WIDTH)
    return png_bytes(image), image.size, text_box((40, 40), LINE, 26)


def _glm_box(line: tuple[float, float, float, float], size: tuple[int, int]) -> list[int]:
    """Where a GLM model would point at the line: its box on the 0–1000 frame (a little loose)."""
    x0, y0, x1, y1 = line
    w, h = size
    return [int((x0 - 4) * 1000 / w), int((y0 - 4) * 1000 / h), round((x1 + 4) * 1000 / w), round((y1 + 4) * 1000 / h)]


def _sse(response: httpx.Response) -> list[dict]:
    return [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")]


@pytest.fixture(scope="module")
def scene() -> tuple[bytes, tuple[int, int], tuple[float, float, float, float]]:
    return _scene()


def test_streamed_glm_box_arrives_as_clean_text_and_an_evidence_box(
    fake_upstream: tuple[str, FakeUpstream], scene: tuple, tmp_path_factory: pytest.TempPathFactory
) -> None:
    png, size, line = scene
    upstream, fake = fake_upstream
    model = "glm-box:" + ",".join(map(str, _glm_box(line, size)))
    settings = remote_settings(tmp_path_factory.mktemp("glm-app"), model=model, retries=0)
    settings = settings.model_copy(update={"engine": f"remote:{upstream}"})
    body = {"image": base64.b64encode(png).decode(), "question": "What is my order number?", "stream": True}
    with serve(create_app(settings)) as url, httpx.stream("POST", f"{url}/v1/chat", json=body, timeout=90) as response:
        assert response.status_code == 200
        events = _sse(response)
    deltas = [e["delta"] for e in events if "delta" in e]
    assert len(deltas) > 3
    text = "".join(deltas)
    assert text == "The order number is printed here. It has shipped."
    done = next(e for e in events if e.get("done"))
    assert done["answer"] == text and done.get("reasoning") is None  # thinking stays out unless asked for
    boxed = [e for e in done["evidence"] if e["box"]]
    assert boxed, done["evidence"]
    x0, y0, x1, y1 = boxed[0]["box"]  # in the pixels of the image the customer sent (1400 wide)
    assert abs(x0 - (line[0] - 4)) < 2.5 and abs(x1 - (line[2] + 4)) < 2.5
    assert abs(y0 - (line[1] - 4)) < 2.5 and abs(y1 - (line[3] + 4)) < 2.5
    assert CODE in boxed[0]["text"]  # named by the OCR line the box covers
    sent = fake.received[-1]
    assert sent["chat_template_kwargs"] == {"enable_thinking": False}
    ocr_hint = sent["messages"][-1]["content"][-1]["text"]
    assert CODE in ocr_hint  # the same grounding reached the model


def test_kept_reasoning_reaches_the_response_but_never_the_answer(
    fake_upstream: tuple[str, FakeUpstream], scene: tuple, tmp_path_factory: pytest.TempPathFactory
) -> None:
    png, size, line = scene
    upstream, _ = fake_upstream
    model = "glm-box:" + ",".join(map(str, _glm_box(line, size)))
    settings = remote_settings(tmp_path_factory.mktemp("glm-why"), model=model, retries=0, keep_reasoning=True)
    settings = settings.model_copy(update={"engine": f"remote:{upstream}"})
    body = {"image": base64.b64encode(png).decode(), "question": "What is my order number?"}
    with serve(create_app(settings)) as url:
        response = httpx.post(f"{url}/v1/chat", json=body, timeout=90)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["reasoning"] == GLM_THOUGHT
    assert (
        GLM_THOUGHT not in answer["answer"] and answer["answer"] == "The order number is printed here. It has shipped."
    )
