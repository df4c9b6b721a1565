"""Sessions, messages and feedback. (In-memory placeholder; the SQLAlchemy store replaces it.)"""

from __future__ import annotations

import uuid

from visdesk.domain import Answer, ImageInput, Query, Turn
from visdesk.errors import AppError, ErrorCode


class MemoryHistory:
    def __init__(self) -> None:
        self._sessions: dict[str, list[Turn]] = {}

    async def new_session_id(self) -> str:
        session_id = uuid.uuid4().hex
        self._sessions[session_id] = []
        return session_id

    async def session_exists(self, session_id: str) -> bool:
        return session_id in self._sessions

    async def turns(self, session_id: str, limit: int) -> tuple[Turn, ...]:
        if session_id not in self._sessions:
            raise AppError(ErrorCode.UNKNOWN_SESSION, f"Unknown session {session_id!r}; omit session_id to start one.")
        return tuple(self._sessions[session_id][-limit:])

    async def record(self, query: Query, answer: Answer, image: ImageInput | None) -> None:
        turn = Turn(query.question, answer.answer, image.content_id if image else None)
        self._sessions.setdefault(answer.session_id, []).append(turn)

    async def close(self) -> None:
        return None
