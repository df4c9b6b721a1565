"""Sessions, follow-ups and feedback over real HTTP (uvicorn on loopback, real OCR, SQLite history).

The engine is a deterministic echo (tests/history/echo_engine.py) that reports the turns, image and
perception it was given, so these tests check the pipeline ↔ history wiring, across app restarts.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.engines import register
from visdesk.image_store import MemoryImageStore

register("history-echo", "tests.history.echo_engine:create")
FIRST_LINE = "Order 20241108"


@pytest.fixture(scope="module")
def image_b64() -> str:
    return base64.b64encode(png_bytes(render_lines([FIRST_LINE, "Total 42.50"], width=420))).decode()


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("history-api")


def _app(tmp: Path, db: str, *, store_images: bool) -> FastAPI:
    settings = make_settings(
        tmp,
        engine="history-echo",
        history={"database_url": f"sqlite:///{tmp / db}", "store_images": store_images},
        cache={"url": "none"},
    )
    return create_app(settings)


@pytest.fixture
def client_for() -> Iterator:  # type: ignore[type-arg]
    """Start an app and give an httpx client for it; every app is stopped at the end of the test."""
    stack: list = []  # type: ignore[type-arg]

    def start(app: FastAPI) -> httpx.Client:
        server = serve(app)
        base_url = server.__enter__()
        client = httpx.Client(base_url=base_url, timeout=60)
        stack.append((server, client))
        return client

    yield start
    for server, client in reversed(stack):
        client.close()
        server.__exit__(None, None, None)


def _fields(answer: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in answer.split(";"))


def test_follow_ups_feedback_and_restart(tmp: Path, image_b64: str, client_for) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp, "kept.sqlite3", store_images=True)
    client = client_for(app)
    first = client.post("/v1/chat", json={"image": image_b64, "question": "What is the order number?"})
    assert first.status_code == 200, first.text
    session_id, image_id = first.json()["session_id"], _fields(first.json()["answer"])["image"]
    assert _fields(first.json()["answer"])["turns"] == "0" and FIRST_LINE in _fields(first.json()["answer"])["seen"]

    follow = client.post("/v1/chat", json={"session_id": session_id, "question": "And the total?"})
    assert follow.status_code == 200, follow.text
    echoed = _fields(follow.json()["answer"])
    assert echoed["turns"] == "1" and echoed["previous"] == "What is the order number?"
    assert echoed["image"] == image_id  # the session's image, reused without re-sending it

    message_id = follow.json()["message_id"]
    created = client.post("/feedback", json={"message_id": message_id, "rating": "down", "comment": " too short "})
    assert created.status_code == 201, created.text
    assert client.post("/v1/feedback", json={"message_id": message_id, "rating": "up"}).status_code == 201

    bad_rating = client.post("/feedback", json={"message_id": message_id, "rating": "meh"})
    assert bad_rating.status_code == 400 and bad_rating.json()["error"]["code"] == "invalid_request"
    unknown = client.post("/feedback", json={"message_id": "0" * 32, "rating": "up"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_message"
    for path in ("/sessions/does-not-exist", "/v1/sessions/" + "0" * 32):
        missing = client.get(path)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_session"
    stranger = client.post("/v1/chat", json={"session_id": "f" * 32, "question": "hello?"})
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "unknown_session"

    view = client.get(f"/sessions/{session_id}").json()
    assert [m["message_id"] for m in view["messages"]] == [first.json()["message_id"], message_id]
    assert [m["image_content_id"] for m in view["messages"]] == [image_id, image_id]
    ratings = [(f["id"], f["rating"], f["comment"]) for f in view["messages"][1]["feedback"]]
    assert ratings[0] == (created.json()["feedback_id"], "down", "too short") and ratings[1][1] == "up"

    # A restart (a new app on the same database: empty image store and perception cache):
    # the session, its turns and — because store_images is on — its image come back from the database.
    restarted = client_for(_app(tmp, "kept.sqlite3", store_images=True))
    again = restarted.post("/v1/chat", json={"session_id": session_id, "question": "Shipping date?"})
    assert again.status_code == 200, again.text
    echoed = _fields(again.json()["answer"])
    assert echoed["turns"] == "2" and echoed["image"] == image_id and FIRST_LINE in echoed["seen"]
    assert len(restarted.get(f"/sessions/{session_id}").json()["messages"]) == 3


def test_without_stored_images_falls_back_or_asks_again(tmp: Path, image_b64: str, client_for) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp, "no-images.sqlite3", store_images=False)
    client = client_for(app)
    first = client.post("/v1/chat", json={"image": image_b64, "question": "Order number?"})
    session_id = first.json()["session_id"]

    # The image left memory (evicted), but its perception is still cached: answer from what was seen.
    app.state.services.images = MemoryImageStore()
    follow = client.post("/v1/chat", json={"session_id": session_id, "question": "Total?"})
    assert follow.status_code == 200, follow.text
    echoed = _fields(follow.json()["answer"])
    assert echoed["image"] == "-" and FIRST_LINE in echoed["seen"] and echoed["turns"] == "1"

    # After a restart nothing of the image remains: a clear request to send it again, not a 500.
    restarted = client_for(_app(tmp, "no-images.sqlite3", store_images=False))
    lost = restarted.post("/v1/chat", json={"session_id": session_id, "question": "Total?"})
    assert lost.status_code == 400, lost.text
    assert lost.json()["error"]["code"] == "missing_image" and "send it again" in lost.json()["error"]["message"]
