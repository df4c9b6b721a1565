"""Group commit's batched rows on real SQLite and PostgreSQL: merged, ordered, and a bad write fails alone."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from sqlalchemy import select

from tests.conftest import make_settings
from visdesk.domain import Answer, Query
from visdesk.history import build_history
from visdesk.history.store import messages_t, sessions_t


def _exchange(session_id: str, n: int, owner: str = "key:abc") -> tuple[Query, Answer]:
    query = Query(question=f"q{n}", image=None, language="en", session_id=session_id, owner=owner)
    answer = Answer(
        answer=f"a{n}", evidence=(), sources=(), engine="embedded", session_id=session_id,
        message_id=uuid.uuid4().hex, cached=True, latency_ms=1.0, language="en",
    )  # fmt: skip
    return query, answer


async def test_a_batch_of_answers_merges_sessions_and_a_bad_row_fails_alone(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, history={"database_url": database_url})
    store = await build_history(settings)
    try:
        first = await store.new_session_id(owner="key:abc")
        query, answer = _exchange(first, 0)
        await store.record(query, answer, None)
        with store.engine.connect() as connection:
            created = connection.execute(select(sessions_t.c.created_at).where(sessions_t.c.id == first)).scalar_one()
        others = [await store.new_session_id(owner="key:abc") for _ in range(3)]
        exchanges = [_exchange(others[i % 3] if i % 2 else first, i) for i in range(1, 61)]
        commits = store.writer.commits
        await asyncio.gather(*(store.record(q, a, None) for q, a in exchanges[:50]))
        assert store.writer.commits - commits < 50  # batched: far fewer transactions than answers
        duplicate = (exchanges[5][0], answer)  # the first answer's message id again: a primary-key violation
        results = await asyncio.gather(
            *(store.record(q, a, None) for q, a in [*exchanges[50:55], duplicate, *exchanges[55:]]),
            return_exceptions=True,
        )
        assert [isinstance(r, Exception) for r in results] == [False] * 5 + [True] + [False] * 5
        assert store.count("messages") == 61 and store.count("sessions") == 4
        with store.engine.connect() as connection:
            session = connection.execute(select(sessions_t).where(sessions_t.c.id == first)).one()
            owners = set(connection.execute(select(sessions_t.c.owner)).scalars())
            texts = set(connection.execute(select(messages_t.c.question)).scalars())
        assert session.created_at == created and session.updated_at > created  # merged rows keep the first's
        assert owners == {"key:abc"} and texts == {f"q{i}" for i in range(61)}
    finally:
        await store.close()
