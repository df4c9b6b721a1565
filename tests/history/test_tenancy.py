"""Tenancy over real HTTP on both backends: a session, its messages and their feedback belong to the
principal that created it (an API key's id, or the page's anonymous cookie), and everyone else gets
the 404 of a session or message that does not exist (issue #9, the probe's findings 1).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import select, text

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.domain import ANONYMOUS
from visdesk.engines import register
from visdesk.errors import AppError
from visdesk.history import build_history
from visdesk.history.database import alembic_config, open_engine
from visdesk.history.store import sessions_t
from visdesk.settings import Settings

register("history-echo", "tests.history.echo_engine:create")
KEY_A, KEY_B = "tenant-key-a", "tenant-key-b"
A = {"Authorization": f"Bearer {KEY_A}"}
B = {"Authorization": f"Bearer {KEY_B}"}


@pytest.fixture(scope="module")
def image_b64() -> str:
    return base64.b64encode(png_bytes(render_lines(["ID 110101199003071234", "Total 42.50"], width=420))).decode()


@pytest.fixture
def keyed(tmp_path: Path, database_url: str) -> Iterator[httpx.Client]:
    """The app with two API keys on the backend under test, over loopback HTTP."""
    settings = make_settings(
        tmp_path,
        engine="history-echo",
        history={"database_url": database_url},
        cache={"url": "none"},
        safety={"nsfw_enabled": False, "api_keys": [KEY_A, KEY_B]},
    )
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def _session_of_a(client: httpx.Client, image_b64: str) -> tuple[str, str]:
    first = client.post("/v1/chat", json={"image": image_b64, "question": "What is the ID?"}, headers=A)
    assert first.status_code == 200, first.text
    return first.json()["session_id"], first.json()["message_id"]


def _same_as_unknown(client: httpx.Client, response: httpx.Response, path: str, real_id: str) -> None:
    """The refusal is byte-for-byte the body a never-existing id gets (with the id swapped), so nothing leaks."""
    fake_id = "0" * len(real_id)
    unknown = client.get(path.replace(real_id, fake_id), headers=B)
    assert response.status_code == unknown.status_code == 404
    assert response.json()["error"]["code"] == "unknown_session"
    assert response.text.replace(real_id, fake_id) == unknown.text


def test_other_key_cannot_read_a_session(keyed: httpx.Client, image_b64: str) -> None:
    session_id, _ = _session_of_a(keyed, image_b64)
    for path in (f"/sessions/{session_id}", f"/v1/sessions/{session_id}"):
        refused = keyed.get(path, headers=B)
        _same_as_unknown(keyed, refused, path, session_id)
        assert "110101" not in refused.text and "What is the ID" not in refused.text
        owned = keyed.get(path, headers=A)
        assert owned.status_code == 200 and len(owned.json()["messages"]) == 1


def test_other_key_cannot_rate_a_message(keyed: httpx.Client, image_b64: str) -> None:
    session_id, message_id = _session_of_a(keyed, image_b64)
    for path in ("/feedback", "/v1/feedback"):
        refused = keyed.post(path, json={"message_id": message_id, "rating": "down", "comment": "B"}, headers=B)
        unknown = keyed.post(path, json={"message_id": "0" * 32, "rating": "down", "comment": "B"}, headers=B)
        assert refused.status_code == unknown.status_code == 404
        assert refused.json()["error"]["code"] == "unknown_message"
        assert refused.text.replace(message_id, "0" * 32) == unknown.text
    assert keyed.get(f"/sessions/{session_id}", headers=A).json()["messages"][0]["feedback"] == []
    assert keyed.post("/feedback", json={"message_id": message_id, "rating": "up"}, headers=A).status_code == 201


def test_other_key_cannot_continue_a_session(keyed: httpx.Client, image_b64: str) -> None:
    session_id, _ = _session_of_a(keyed, image_b64)
    json_follow = keyed.post("/v1/chat", json={"session_id": session_id, "question": "And the ID?"}, headers=B)
    sse_follow = keyed.post(
        "/v1/chat", json={"session_id": session_id, "question": "And the ID?", "stream": True}, headers=B
    )
    form_follow = keyed.post("/chat", data={"session_id": session_id, "text": "And the ID?"}, headers=B)
    for refused in (json_follow, sse_follow, form_follow):
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["code"] == "unknown_session"
        assert "110101" not in refused.text and "image=" not in refused.text
    # B's attempts left nothing in A's session; A continues it with its image and turns.
    own = keyed.post("/v1/chat", json={"session_id": session_id, "question": "And the total?"}, headers=A)
    assert own.status_code == 200, own.text
    assert "turns=1" in own.json()["answer"] and "image=-" not in own.json()["answer"]
    assert len(keyed.get(f"/sessions/{session_id}", headers=A).json()["messages"]) == 2


def test_browser_cookie_is_the_principal_without_keys(tmp_path: Path, database_url: str, image_b64: str) -> None:
    settings = make_settings(
        tmp_path, engine="history-echo", history={"database_url": database_url}, cache={"url": "none"}
    )
    with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as page:
        loaded = page.get("/")
        cookie = loaded.headers["set-cookie"]
        assert cookie.startswith("visdesk_sid=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert page.get("/").headers.get("set-cookie") is None  # one id per browser session
        image = base64.b64decode(image_b64)
        first = page.post("/chat", data={"text": "What is the ID?", "client": "web"}, files={"image": ("a.png", image)})
        assert first.status_code == 200, first.text
        session_id, message_id = first.json()["session_id"], first.json()["message_id"]
        assert page.get(f"/sessions/{session_id}").status_code == 200
        assert page.post("/chat", data={"session_id": session_id, "text": "Total?"}).status_code == 200

        with httpx.Client(base_url=url, timeout=60) as other_browser:
            other_browser.get("/")
            with httpx.Client(base_url=url, timeout=60) as anonymous_api:
                for stranger in (other_browser, anonymous_api):
                    assert stranger.get(f"/sessions/{session_id}").status_code == 404
                    follow = stranger.post("/v1/chat", json={"session_id": session_id, "question": "ID?"})
                    assert follow.status_code == 404 and follow.json()["error"]["code"] == "unknown_session"
                    rated = stranger.post("/feedback", json={"message_id": message_id, "rating": "up"})
                    assert rated.status_code == 404 and rated.json()["error"]["code"] == "unknown_message"
                # anonymous API clients (no key, no cookie) share the ANONYMOUS principal: their sessions work
                mine = anonymous_api.post("/v1/chat", json={"image": image_b64, "question": "ID?"})
                assert anonymous_api.get(f"/sessions/{mine.json()['session_id']}").status_code == 200
                assert page.get(f"/sessions/{mine.json()['session_id']}").status_code == 404


async def test_migration_gives_existing_sessions_a_legacy_owner(tmp_path: Path, database_url: str) -> None:
    old_id = "1" * 32
    engine = open_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:  # a database as the release before tenancy left it
        config.attributes["connection"] = connection
        command.upgrade(config, "0001_initial")
        stamp = datetime(2026, 1, 1, tzinfo=UTC)
        connection.execute(
            text("INSERT INTO sessions (id, created_at, updated_at, client) VALUES (:id, :t, :t, 'api')"),
            {"id": old_id, "t": stamp},
        )
    engine.dispose()

    settings = Settings(_env_file=None, history={"database_url": database_url})  # type: ignore[arg-type]
    store = await build_history(settings)  # migrates to head
    try:
        with store.engine.connect() as connection:
            assert connection.scalar(select(sessions_t.c.owner).where(sessions_t.c.id == old_id)) == "legacy"
        for owner in (ANONYMOUS, "key:0123456789abcdef", "cookie:" + "a" * 32):
            with pytest.raises(AppError) as refused:
                await store.session_view(old_id, owner=owner)
            assert refused.value.code.value == "unknown_session"
            assert not await store.session_exists(old_id, owner=owner)
    finally:
        await store.close()

