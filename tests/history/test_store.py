"""The SQL history store on real SQLite files and a real PostgreSQL database (each test runs on both)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from visdesk.domain import Answer, Evidence, ImageInput, Query, Source
from visdesk.errors import AppError, ErrorCode
from visdesk.history import SqlHistory, build_history
from visdesk.history.database import alembic_config
from visdesk.history.models import Base
from visdesk.images import intake
from visdesk.settings import ImageSettings


def _settings(tmp_path: Path, url: str, **history: object) -> object:
    return make_settings(tmp_path, history={"database_url": url, **history}, images={"max_side": 128})


def _exchange(session_id: str, question: str, answer: str, image: ImageInput | None = None) -> tuple[Query, Answer]:
    query = Query(question=question, image=image, language="en", session_id=session_id)
    reply = Answer(
        answer=answer,
        evidence=(Evidence("Order: A1", (1.0, 2.0, 3.0, 4.0)),),
        sources=(Source("Returns", "Refunds", "faq.md", "snippet"),),
        engine="embedded",
        session_id=session_id,
        message_id=uuid.uuid4().hex,
        cached=False,
        latency_ms=12.5,
        language="en",
        image_content_id=image.content_id if image else None,
    )
    return query, reply


@pytest.fixture(scope="module")
def sample_image() -> ImageInput:
    return intake(png_bytes(render_lines(["Order: A1", "Total: 9.90"], width=300)), ImageSettings(max_side=128))


async def test_migrations_reach_head_and_are_idempotent(tmp_path: Path, database_url: str) -> None:
    first = await build_history(_settings(tmp_path, database_url))  # type: ignore[arg-type]
    await first.close()
    store = await build_history(_settings(tmp_path, database_url))  # type: ignore[arg-type]  # second start: no-op
    try:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == head
            assert compare_metadata(context, Base.metadata) == []  # the models and the migrations agree
            if store.engine.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: fsync every commit
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert {store.count(t) for t in ("sessions", "messages", "feedback", "images")} == {0}
    finally:
        await store.close()


async def test_turns_feedback_and_session_view(tmp_path: Path, database_url: str) -> None:
    store = await build_history(_settings(tmp_path, database_url, max_turns=2))  # type: ignore[arg-type]
    try:
        session_id = await store.new_session_id()
        assert await store.turns(session_id, 6) == ()  # minted, not yet recorded: empty, not unknown
        recorded = []
        for i in range(3):
            query, answer = _exchange(session_id, f"question {i}", f"answer {i}")
            await store.record(query, answer, None)
            recorded.append(answer.message_id)
        turns = await store.turns(session_id, 2)
        assert [t.question for t in turns] == ["question 1", "question 2"]  # the latest two, oldest first
        assert await store.session_exists(session_id)

        feedback_id = await store.add_feedback(recorded[0], "down", "wrong order number")
        view = await store.session_view(session_id)
        assert [m["message_id"] for m in view["messages"]] == recorded
        first = view["messages"][0]
        assert first["feedback"] == [
            {
                "id": feedback_id,
                "rating": "down",
                "comment": "wrong order number",
                "created_at": first["feedback"][0]["created_at"],
            }
        ]
        assert first["evidence"] == [{"text": "Order: A1", "box": [1.0, 2.0, 3.0, 4.0]}]
        assert first["sources"][0]["title"] == "Returns"
        assert view["client"] == "api" and view["created_at"] <= view["updated_at"]

        for call in (store.turns("f" * 32, 3), store.session_view("no-such-session")):
            with pytest.raises(AppError) as error:
                await call
            assert error.value.code is ErrorCode.UNKNOWN_SESSION
        with pytest.raises(AppError) as error:
            await store.add_feedback("0" * 32, "up", None)
        assert error.value.code is ErrorCode.UNKNOWN_MESSAGE
        with pytest.raises(AppError) as error:
            await store.add_feedback(recorded[0], "sideways", None)
        assert error.value.code is ErrorCode.INVALID_REQUEST
        assert store.count("feedback") == 1
    finally:
        await store.close()


async def test_concurrent_records_all_commit(tmp_path: Path, database_url: str) -> None:
    store = await build_history(_settings(tmp_path, database_url))  # type: ignore[arg-type]
    try:
        sessions = [await store.new_session_id() for _ in range(4)]
        exchanges = [_exchange(sessions[i % 4], f"q{i}", f"a{i}") for i in range(40)]
        await asyncio.gather(*(store.record(q, a, None) for q, a in exchanges))
        await asyncio.gather(*(store.add_feedback(a.message_id, "up", None) for _, a in exchanges[:10]))
        assert store.count("sessions") == 4 and store.count("messages") == 40 and store.count("feedback") == 10
    finally:
        await store.close()


async def test_concurrent_writes_share_commits_and_a_bad_write_fails_alone(tmp_path: Path, database_url: str) -> None:
    """Group commit: 60 concurrent answers take far fewer transactions than 60, each still durable;
    feedback for an unknown message in the same batch fails on its own."""
    store = await build_history(_settings(tmp_path, database_url))  # type: ignore[arg-type]
    try:
        session = await store.new_session_id()
        exchanges = [_exchange(session, f"q{i}", f"a{i}") for i in range(60)]
        commits_before = store.writer.commits
        await asyncio.gather(*(store.record(q, a, None) for q, a in exchanges))
        assert store.count("messages") == 60
        assert store.writer.commits - commits_before < 60
        good = [store.add_feedback(a.message_id, "down", "slow") for _, a in exchanges[:20]]
        results = await asyncio.gather(*good, store.add_feedback("no-such-message", "up", None), return_exceptions=True)
        assert all(isinstance(r, str) for r in results[:20])
        assert isinstance(results[20], AppError) and results[20].code is ErrorCode.UNKNOWN_MESSAGE
        assert store.count("feedback") == 20
    finally:
        await store.close()


async def test_session_image_round_trip(tmp_path: Path, database_url: str, sample_image: ImageInput) -> None:
    store = await build_history(_settings(tmp_path, database_url, store_images=True))  # type: ignore[arg-type]
    try:
        session_id = await store.new_session_id()
        for question in ("first", "follow-up"):  # the same image twice: stored once
            query, answer = _exchange(session_id, question, "ok", sample_image)
            await store.record(query, answer, sample_image)
        assert store.count("images") == 1
        loaded = await store.load_image(sample_image.content_id)
        assert loaded is not None
        assert loaded.content_id == sample_image.content_id
        assert loaded.ocr_image.tobytes() == sample_image.ocr_image.tobytes()  # lossless
        assert loaded.image.tobytes() == sample_image.image.tobytes()  # the engine copy, rebuilt as intake does
        assert (loaded.original_size, loaded.media_type) == (sample_image.original_size, "image/png")
        assert await store.load_image("0" * 64) is None
    finally:
        await store.close()


async def test_images_not_kept_unless_asked(tmp_path: Path, sample_image: ImageInput, sqlite_url: str) -> None:
    store = await build_history(_settings(tmp_path, sqlite_url))  # type: ignore[arg-type]
    try:
        query, answer = _exchange(await store.new_session_id(), "q", "a", sample_image)
        await store.record(query, answer, sample_image)
        assert store.count("images") == 0
        assert await store.load_image(sample_image.content_id) is None
        assert (await store.turns(answer.session_id, 1))[0].image_content_id == sample_image.content_id
    finally:
        await store.close()


async def test_pii_masked_in_history_when_configured(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(
        tmp_path, history={"database_url": sqlite_url}, safety={"nsfw_enabled": False, "mask_pii_in_history": True}
    )
    store: SqlHistory = await build_history(settings)
    try:
        query, answer = _exchange(await store.new_session_id(), "call me at 13812345678", "mail a.b@example.com")
        await store.record(query, answer, None)
        message = (await store.session_view(answer.session_id))["messages"][0]
        assert "13812345678" not in message["question"] and "5678" in message["question"]
        assert "a.b@example.com" not in message["answer"]
    finally:
        await store.close()


async def test_unsupported_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        await build_history(_settings(tmp_path, "mysql+pymysql://u@127.0.0.1/x"))  # type: ignore[arg-type]


async def test_sqlite_fsync_policy_is_configurable(tmp_path: Path, sqlite_url: str) -> None:
    store = await build_history(_settings(tmp_path, sqlite_url, sqlite_synchronous="NORMAL"))  # type: ignore[arg-type]
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        await store.close()
