"""POST /v1/chat through api/chat_fast_path answers exactly as the routed endpoint does.

Two copies of the real app on loopback, one with the fast path removed from its middleware, get
the same requests: a miss and a hit, a stream, refusals FastAPI words itself (a bad field, a body
that is not JSON, a list), one the pipeline raises, and one of another method. Status, headers and
bodies must agree, except the per-request ids and the latency.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.dialog import payment_error_dialog
from tests.conftest import make_settings
from tests.support.render import bmp_with_block, png_bytes
from tests.support.server import serve
from visdesk.api.chat_fast_path import ChatFastPath
from visdesk.app import create_app
from visdesk.exact_memo import sampled_key

VARYING_FIELDS = ("session_id", "message_id", "latency_ms")
VARYING_HEADERS = ("content-length", "date", "x-request-id")


@pytest.fixture(scope="module")
def fast_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(make_settings(tmp_path_factory.mktemp("fast")))


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, fast_app: FastAPI) -> Iterator[tuple[str, str]]:
    routed = create_app(make_settings(tmp_path_factory.mktemp("routed")))
    routed.user_middleware = [m for m in routed.user_middleware if m.cls is not ChatFastPath]
    assert len(routed.user_middleware) == len(fast_app.user_middleware) - 1
    with serve(fast_app) as fast_url, serve(routed) as routed_url:
        yield fast_url, routed_url


def fast_path_of(app: FastAPI) -> ChatFastPath:
    """The running app's ChatFastPath instance (the middleware stack is a chain of `.app`s)."""
    layer: Any = app.middleware_stack
    while not isinstance(layer, ChatFastPath):
        layer = layer.app
    return layer


def _same(fast: httpx.Response, routed: httpx.Response) -> Any:
    assert fast.status_code == routed.status_code, (fast.text, routed.text)
    headers = {k: v for k, v in fast.headers.items() if k not in VARYING_HEADERS}
    assert headers == {k: v for k, v in routed.headers.items() if k not in VARYING_HEADERS}
    if not fast.headers.get("content-type", "").startswith("application/json"):
        assert fast.text == routed.text
        return None
    body, other = fast.json(), routed.json()
    if isinstance(body, dict) and "answer" in body:
        for field in VARYING_FIELDS:
            assert (field in body) == (field in other)
            body.pop(field, None)
            other.pop(field, None)
    assert body == other
    return body


def test_answers_and_refusals_match_the_routed_endpoint(servers: tuple[str, str]) -> None:
    image = base64.b64encode(png_bytes(payment_error_dialog())).decode()
    ask = {"image": image, "question": "错误码是什么？"}
    requests: list[dict[str, Any]] = [
        {"json": ask},  # miss
        {"json": ask},  # hit
        {"json": {**ask, "choices": ["E1001", "E2002"]}},
        {"json": {**ask, "temprature": 0.2}},  # FastAPI's 400 for an unknown field
        {"json": ["a", "list"]},
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"content": b"question=hi", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"json": {"question": "还有呢？", "session_id": "nope"}},  # the pipeline's 404
        {"json": {"question": "  "}},  # missing_image, raised by the endpoint
        {"json": {**ask, "question": ""}},  # the pipeline's empty_question
    ]
    with (
        httpx.Client(base_url=servers[0], timeout=120) as fast,
        httpx.Client(base_url=servers[1], timeout=120) as routed,
    ):
        answers = [_same(fast.post("/v1/chat", **r), routed.post("/v1/chat", **r)) for r in requests]
        assert answers[0]["cached"] is False and answers[1]["cached"] is True
        assert answers[1]["answer"] == answers[0]["answer"]
        stream_fast = fast.post("/v1/chat", json={**ask, "stream": True})
        stream_routed = routed.post("/v1/chat", json={**ask, "stream": True})
        assert stream_fast.headers["content-type"] == stream_routed.headers["content-type"]
        assert stream_fast.text.count("data: ") == stream_routed.text.count("data: ")
        _same(fast.get("/v1/chat"), routed.get("/v1/chat"))  # 405 from the router
        metrics = fast.get("/metrics").text
    assert 'route="/v1/chat"' in metrics  # the request metrics keep the route's label


def test_a_body_is_remembered_only_as_the_very_same_bytes(servers: tuple[str, str]) -> None:
    """Two bodies of one length whose bytes differ only between the sampled parts (two images) are
    two requests; the first again is a hit answered as before."""
    black, red = (base64.b64encode(bmp_with_block(c)).decode() for c in ((0, 0, 0), (255, 0, 0)))
    bodies = [json.dumps({"image": image, "question": "图片里有什么？"}).encode() for image in (black, red, black)]
    assert len(bodies[0]) == len(bodies[1]) and sampled_key(bodies[0]) == sampled_key(bodies[1])
    headers = {"Content-Type": "application/json"}
    with httpx.Client(base_url=servers[0], timeout=120) as fast:
        first, second, again = (fast.post("/v1/chat", content=body, headers=headers).json() for body in bodies)
    assert first["cached"] is False and second["cached"] is False, "the red image was taken for the black"
    assert again["cached"] is True and again["answer"] == first["answer"]


def user_turn(text: str, image_url: str) -> dict[str, Any]:
    parts = [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": image_url}}]
    return {"role": "user", "content": parts}


def _same_completion(fast: httpx.Response, routed: httpx.Response) -> Any:
    """As `_same`, for OpenAI replies: the completion id, creation time and visdesk ids vary."""
    assert fast.status_code == routed.status_code, (fast.text, routed.text)
    headers = {k: v for k, v in fast.headers.items() if k not in VARYING_HEADERS}
    assert headers == {k: v for k, v in routed.headers.items() if k not in VARYING_HEADERS}
    if not fast.headers.get("content-type", "").startswith("application/json"):
        assert fast.text.count("data: ") == routed.text.count("data: ")
        return None
    body, other = fast.json(), routed.json()
    for reply in (body, other):
        if isinstance(reply, dict) and "choices" in reply:
            reply.pop("id")
            reply.pop("created")
            for field in VARYING_FIELDS:
                (reply.get("visdesk") or {}).pop(field, None)
    assert body == other
    return body


def test_openai_answers_and_refusals_match_the_routed_endpoint(servers: tuple[str, str], fast_app: FastAPI) -> None:
    url = "data:image/png;base64," + base64.b64encode(png_bytes(payment_error_dialog())).decode()
    ask = {"model": "visdesk", "messages": [user_turn("付款失败的错误码是多少？", url)]}  # not asked above
    title = 'Generate a concise, 3-5 word title summarizing the chat history. Respond in JSON: {"title": "..."}'
    requests: list[dict[str, Any]] = [
        {"json": ask},  # miss
        {"json": ask},  # hit
        {"json": {**ask, "stream": True}},
        {"json": {**ask, "model": "gpt-4o"}},  # an AppError from the endpoint, in OpenAI's shape
        {"json": {"model": "visdesk", "messages": []}},  # FastAPI's validation, in OpenAI's shape
        {"json": {"model": "visdesk", "messages": [user_turn("hi", "data:image/png;base64,@@")]}},
        {"json": {"model": "visdesk", "messages": [{"role": "user", "content": title}]}},  # a front-end task
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
    ]  # fmt: skip
    with (
        httpx.Client(base_url=servers[0], timeout=120) as fast,
        httpx.Client(base_url=servers[1], timeout=120) as routed,
    ):
        replies = [
            _same_completion(fast.post("/v1/chat/completions", **r), routed.post("/v1/chat/completions", **r))
            for r in requests
        ]
        assert replies[0]["visdesk"]["cached"] is False and replies[1]["visdesk"]["cached"] is True
        assert replies[1]["choices"] == replies[0]["choices"]
        assert replies[3]["error"]["code"] == "unknown_model" and replies[5]["error"]["code"] == "bad_base64"
        _same_completion(fast.get("/v1/chat/completions"), routed.get("/v1/chat/completions"))
        metrics = fast.get("/metrics").text
    assert 'route="/v1/chat/completions"' in metrics
    path = fast_path_of(fast_app)
    openai_endpoint = path.endpoints["/v1/chat/completions"]
    remembered = [entry.value for entry in path._bodies._entries.values() if entry.tag is openai_endpoint]
    assert any(getattr(body, "model", None) == "visdesk" for body in remembered)  # taken by the fast path
