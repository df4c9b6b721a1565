"""The SQL history store: sessions, messages, feedback and (optionally) session images.

Why sync SQLAlchemy on a small thread pool instead of the async engine: the same code path then
serves SQLite (pysqlite) and PostgreSQL (psycopg 3) with the drivers' most used, best-tested
mode, and a blocking fsync never stalls the event loop. Reads run on that pool. Writes go to one
writer per store: on a SQLite file wal_writer.WalWriter (statements on the event loop, the WAL's
fsync on a thread, once per batch), elsewhere group_commit.GroupCommitter (a writer thread). Each
write has committed durably (see database.py for the fsync settings) before the awaiting request
continues, so an answer or a feedback is durable before the client sees it acknowledged; a read
returns only once every commit it could have seen is durable too.

Why sessions are created at the first record, not by new_session_id: a session id reaches the
client only in an answer, and that answer is recorded in the same transaction that creates the
session row, so one commit (one fsync) per request instead of two, and no empty sessions from
failed requests. Ids minted but not yet recorded are remembered in-process (with their owner) so
a racing follow-up on this replica sees an empty session rather than a 404.

Why ownership is checked in the same query as existence: a session of another principal answers
exactly like one that does not exist (UNKNOWN_SESSION / UNKNOWN_MESSAGE, the same body), so an id
seen in a log or guessed never tells its holder more than "no such session".
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar, overload

from sqlalchemy import Connection, Engine, Executable, Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from visdesk.domain import ANONYMOUS, Answer, ImageInput, Query, Turn
from visdesk.errors import AppError, ErrorCode
from visdesk.history.group_commit import GroupCommitter, Row, Rows
from visdesk.history.memory import unknown_message, unknown_session
from visdesk.history.models import Base, FeedbackRow, ImageRow, MessageRow, SessionRow, utcnow
from visdesk.history.wal_writer import WalWriter
from visdesk.ids import time_ordered_id
from visdesk.image_store import StoredImage, decode_image, encode_image

T = TypeVar("T")
Mask = Callable[[str], str]
RATINGS = ("up", "down")
_MAX_PENDING = 10_000
_MAX_ID = 64


def _table(row: type[Base]) -> Table:
    """A mapped class's Table (SQLAlchemy types `__table__` as the wider FromClause)."""
    table = row.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{row.__name__} is not mapped to a single table")
    return table


sessions_t = _table(SessionRow)
messages_t = _table(MessageRow)
feedback_t = _table(FeedbackRow)
images_t = _table(ImageRow)


def _identity(text: str) -> str:
    return text


class SqlHistory:
    """HistoryStore on SQLAlchemy; also the feedback and session-view queries the API needs."""

    def __init__(
        self,
        engine: Engine,
        *,
        store_images: bool = False,
        max_side: int = 1024,
        mask: Mask | None = None,
        workers: int = 4,
    ) -> None:
        self.engine = engine
        self.store_images = store_images
        self.max_side = max_side
        self.mask = mask or _identity
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="visdesk-history")
        # One writer commits concurrent writes together (one fsync for all of them); it is also this
        # process's only writer, which is what SQLite wants.
        self.writer: WalWriter | GroupCommitter = WalWriter(engine) if _sqlite_file(engine) else GroupCommitter(engine)
        self._statements = _RecordStatements(engine.dialect.name)
        self._pending: OrderedDict[str, str] = OrderedDict()  # minted, not yet recorded session id → owner

    # -- HistoryStore --------------------------------------------------------------------------

    async def new_session_id(self, *, owner: str = ANONYMOUS) -> str:
        session_id = time_ordered_id()
        self._pending[session_id] = owner
        while len(self._pending) > _MAX_PENDING:
            self._pending.popitem(last=False)
        return session_id

    async def session_exists(self, session_id: str, *, owner: str = ANONYMOUS) -> bool:
        if session_id in self._pending:
            return self._pending[session_id] == owner
        if not session_id or len(session_id) > _MAX_ID:
            return False
        return await self._run(self._owned_session, session_id, owner)

    async def turns(self, session_id: str, limit: int, *, owner: str = ANONYMOUS) -> tuple[Turn, ...]:
        if session_id in self._pending:
            if self._pending[session_id] != owner:
                raise unknown_session(session_id)
            return ()
        if not session_id or len(session_id) > _MAX_ID:
            raise unknown_session(session_id)
        return await self._run(self._turns, session_id, limit, owner)

    async def record(self, query: Query, answer: Answer, image: ImageInput | None) -> None:
        stored = encode_image(image) if (image is not None and self.store_images) else None
        await self._write(self._record_work(query, answer, image.content_id if image else None, stored))
        self._pending.pop(answer.session_id, None)

    async def load_image(self, content_id: str) -> ImageInput | None:
        """The session image saved with store_images (after a restart or on another replica)."""
        if not self.store_images or not content_id:
            return None
        stored = await self._run(self._load_image, content_id)
        return None if stored is None else await asyncio.to_thread(decode_image, stored, self.max_side)

    async def close(self) -> None:
        await self.writer.aclose()
        self._executor.shutdown(wait=True)
        self.engine.dispose()

    # -- feedback and the session view (api/feedback.py, api/sessions.py) ----------------------

    async def add_feedback(self, message_id: str, rating: str, comment: str | None, *, owner: str = ANONYMOUS) -> str:
        """Store a rating for one of `owner`'s messages durably; raises UNKNOWN_MESSAGE / INVALID_REQUEST.

        A message in another principal's session is UNKNOWN_MESSAGE, the same as one that does not exist.
        """
        if rating not in RATINGS:
            raise AppError(ErrorCode.INVALID_REQUEST, f"rating must be 'up' or 'down', not {rating[:20]!r}.")
        if not message_id or len(message_id) > _MAX_ID:
            raise unknown_message(message_id)
        feedback_id = time_ordered_id()
        values = {
            "id": feedback_id,
            "message_id": message_id,
            "rating": rating,
            "comment": self.mask(comment) if comment else None,
            "created_at": utcnow(),
        }
        owned = (
            select(messages_t.c.id)
            .join_from(messages_t, sessions_t, sessions_t.c.id == messages_t.c.session_id)
            .where(messages_t.c.id == message_id, sessions_t.c.owner == owner)
        )

        def work(connection: Connection) -> bool:  # check and insert in one transaction
            if connection.scalar(owned) is None:
                return False
            connection.execute(insert(feedback_t).values(**values))
            return True

        if not await self._write(work):
            raise unknown_message(message_id)
        return feedback_id

    async def session_view(self, session_id: str, *, owner: str = ANONYMOUS) -> dict[str, Any]:
        """`owner`'s session and its messages, oldest first, each with its feedback (else UNKNOWN_SESSION)."""
        if not session_id or len(session_id) > _MAX_ID:
            raise unknown_session(session_id)
        return await self._run(self._session_view, session_id, owner)

    # -- blocking parts, run on the executor ----------------------------------------------------

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._executor, partial(fn, *args))
        await self.writer.synced()  # what the read saw is durable before anyone is told it
        return result

    @overload
    async def _write(self, work: Rows) -> None: ...
    @overload
    async def _write(self, work: Callable[[Connection], T]) -> T: ...
    async def _write(self, work: Callable[[Connection], T] | Rows) -> T | None:
        """Commit `work` durably (group commit); returns once its transaction has committed."""
        result: T | None = await self.writer.write(work)  # Rows resolve to None
        return result

    def _owned_session(self, session_id: str, owner: str) -> bool:
        with self.engine.connect() as connection:
            return _is_owned(connection, session_id, owner)

    def _turns(self, session_id: str, limit: int, owner: str) -> tuple[Turn, ...]:
        with self.engine.connect() as connection:
            if not _is_owned(connection, session_id, owner):
                raise unknown_session(session_id)
            if limit <= 0:
                return ()
            rows = connection.execute(
                select(messages_t.c.question, messages_t.c.answer, messages_t.c.image_content_id)
                .where(messages_t.c.session_id == session_id)
                .order_by(messages_t.c.created_at.desc(), messages_t.c.id.desc())
                .limit(limit)
            ).all()
        return tuple(Turn(row.question, row.answer, row.image_content_id) for row in reversed(rows))

    def _record_work(self, query: Query, answer: Answer, content_id: str | None, stored: StoredImage | None) -> Rows:
        """The answer's rows (session upsert, image, message) for the writer to batch with its neighbours."""
        now = utcnow()
        statements = self._statements
        session = {"id": answer.session_id, "created_at": now, "updated_at": now, "client": query.client,
                   "owner": query.owner}  # fmt: skip
        rows = [Row(0, statements.session, session, key=answer.session_id, keep=("created_at", "client", "owner"))]
        if stored is not None:
            image = {
                "content_id": stored.content_id,
                "media_type": stored.media_type,
                "original_width": stored.original_size[0],
                "original_height": stored.original_size[1],
                "byte_size": stored.byte_size,
                "data": stored.png,
                "created_at": now,
            }
            rows.append(Row(1, statements.image, image, key=stored.content_id, keep=tuple(image)))
        message = {
            "id": answer.message_id,
            "session_id": answer.session_id,
            "created_at": now,
            "question": self.mask(query.question),
            "answer": self.mask(answer.answer),
            "engine": answer.engine,
            "mode": answer.mode.value,
            "level": answer.level.value,
            "language": answer.language,
            "cached": answer.cached,
            "latency_ms": float(answer.latency_ms),
            "finish_reason": answer.finish_reason,
            "image_content_id": content_id,
            "evidence": [{"text": self.mask(e.text), "box": list(e.box) if e.box else None} for e in answer.evidence],
            "sources": [
                {"title": s.title, "section": s.section, "source": s.source, "snippet": s.snippet}
                for s in answer.sources
            ],
            "structured": answer.structured,
        }
        rows.append(Row(2, statements.message, message))
        return Rows(tuple(rows))

    def _load_image(self, content_id: str) -> StoredImage | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(images_t).where(images_t.c.content_id == content_id)).first()
        if row is None:
            return None
        return StoredImage(
            row.content_id, row.media_type, (row.original_width, row.original_height), row.byte_size, bytes(row.data)
        )

    def _session_view(self, session_id: str, owner: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            session = connection.execute(
                select(sessions_t).where(sessions_t.c.id == session_id, sessions_t.c.owner == owner)
            ).first()
            if session is None:
                raise unknown_session(session_id)
            messages = connection.execute(
                select(messages_t)
                .where(messages_t.c.session_id == session_id)
                .order_by(messages_t.c.created_at, messages_t.c.id)
            ).all()
            feedback = connection.execute(
                select(feedback_t)
                .join(messages_t, messages_t.c.id == feedback_t.c.message_id)
                .where(messages_t.c.session_id == session_id)
                .order_by(feedback_t.c.created_at, feedback_t.c.id)
            ).all()
        by_message: dict[str, list[dict[str, Any]]] = {}
        for row in feedback:
            by_message.setdefault(row.message_id, []).append(
                {"id": row.id, "rating": row.rating, "comment": row.comment, "created_at": _iso(row.created_at)}
            )
        return {
            "session_id": session.id,
            "created_at": _iso(session.created_at),
            "updated_at": _iso(session.updated_at),
            "client": session.client,
            "messages": [_message_json(row, by_message.get(row.id, [])) for row in messages],
        }

    def count(self, table: str) -> int:
        """Row count of one table (operations and tests)."""
        target = {"sessions": sessions_t, "messages": messages_t, "feedback": feedback_t, "images": images_t}[table]
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(target)) or 0)


class _RecordStatements:
    """The constant statements of an answer's rows (one object each, so the writer can executemany them)."""

    def __init__(self, dialect: str) -> None:
        insert_for = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session = insert_for(sessions_t)
        self.session: Executable = session.on_conflict_do_update(
            index_elements=["id"], set_={"updated_at": session.excluded.updated_at}
        )
        self.image: Executable = insert_for(images_t).on_conflict_do_nothing(index_elements=["content_id"])
        self.message: Executable = insert(messages_t)


def _sqlite_file(engine: Engine) -> bool:
    """A SQLite database in a file (WAL possible), not one in memory."""
    url = engine.url
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory" or "mode=memory" in database
    return engine.dialect.name == "sqlite" and not in_memory


def _is_owned(connection: Connection, session_id: str, owner: str) -> bool:
    found = connection.scalar(select(sessions_t.c.id).where(sessions_t.c.id == session_id, sessions_t.c.owner == owner))
    return found is not None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _message_json(row: Any, feedback: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "message_id": row.id,
        "created_at": _iso(row.created_at),
        "question": row.question,
        "answer": row.answer,
        "engine": row.engine,
        "mode": row.mode,
        "level": row.level,
        "language": row.language,
        "cached": row.cached,
        "latency_ms": row.latency_ms,
        "finish_reason": row.finish_reason,
        "image_content_id": row.image_content_id,
        "evidence": row.evidence,
        "sources": row.sources,
        "structured": row.structured,
        "feedback": feedback,
    }
