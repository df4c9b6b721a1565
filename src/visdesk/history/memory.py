"""In-process history (tests and embedding): the same contract as the SQL store, nothing durable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from visdesk.domain import ANONYMOUS, Answer, ImageInput, Query, Turn
from visdesk.errors import AppError, ErrorCode
from visdesk.ids import time_ordered_id


def unknown_session(session_id: str) -> AppError:
    return AppError(
        ErrorCode.UNKNOWN_SESSION, f"Unknown session {session_id[:64]!r}; omit session_id to start a new one."
    )


def unknown_message(message_id: str) -> AppError:
    return AppError(ErrorCode.UNKNOWN_MESSAGE, f"Unknown message {message_id[:64]!r}; use a message_id from an answer.")


class MemoryHistory:
    def __init__(self) -> None:
        self._sessions: dict[str, list[Turn]] = {}
        self._messages: dict[str, dict[str, Any]] = {}  # message_id → session view entry
        self._owners: dict[str, str] = {}  # session_id → the principal that created it

    def _owned(self, session_id: str, owner: str) -> bool:
        return session_id in self._sessions and self._owners.get(session_id) == owner

    async def new_session_id(self, *, owner: str = ANONYMOUS) -> str:
        session_id = time_ordered_id()
        self._sessions[session_id] = []
        self._owners[session_id] = owner
        return session_id

    async def session_exists(self, session_id: str, *, owner: str = ANONYMOUS) -> bool:
        return self._owned(session_id, owner)

    async def turns(self, session_id: str, limit: int, *, owner: str = ANONYMOUS) -> tuple[Turn, ...]:
        if not self._owned(session_id, owner):
            raise unknown_session(session_id)
        return tuple(self._sessions[session_id][-limit:]) if limit > 0 else ()

    async def record(self, query: Query, answer: Answer, image: ImageInput | None) -> None:
        content_id = image.content_id if image else None
        self._owners.setdefault(answer.session_id, query.owner)
        self._sessions.setdefault(answer.session_id, []).append(Turn(query.question, answer.answer, content_id))
        self._messages[answer.message_id] = {
            "session_id": answer.session_id,
            "message_id": answer.message_id,
            "created_at": datetime.now(UTC).isoformat(),
            "question": query.question,
            "answer": answer.answer,
            "engine": answer.engine,
            "mode": answer.mode.value,
            "level": answer.level.value,
            "language": answer.language,
            "cached": answer.cached,
            "latency_ms": answer.latency_ms,
            "finish_reason": answer.finish_reason,
            "image_content_id": content_id,
            "evidence": [{"text": e.text, "box": list(e.box) if e.box else None} for e in answer.evidence],
            "sources": [{"title": s.title, "section": s.section, "source": s.source} for s in answer.sources],
            "structured": answer.structured,
            "feedback": [],
        }

    async def load_image(self, content_id: str) -> ImageInput | None:
        """Nothing outlives the process here, so there is never a stored image to reload."""
        return None

    async def add_feedback(self, message_id: str, rating: str, comment: str | None, *, owner: str = ANONYMOUS) -> str:
        message = self._messages.get(message_id)
        if message is None or not self._owned(message["session_id"], owner):
            raise unknown_message(message_id)
        feedback_id = time_ordered_id()
        created = datetime.now(UTC).isoformat()
        message["feedback"].append({"id": feedback_id, "rating": rating, "comment": comment, "created_at": created})
        return feedback_id

    async def session_view(self, session_id: str, *, owner: str = ANONYMOUS) -> dict[str, Any]:
        if not self._owned(session_id, owner):
            raise unknown_session(session_id)
        messages = [
            {k: v for k, v in m.items() if k != "session_id"}
            for m in self._messages.values()
            if m["session_id"] == session_id
        ]
        first = messages[0]["created_at"] if messages else None
        last = messages[-1]["created_at"] if messages else None
        return {"session_id": session_id, "created_at": first, "updated_at": last, "client": None, "messages": messages}

    async def close(self) -> None:
        return None
