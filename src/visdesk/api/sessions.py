"""GET /sessions/{id} (and /v1/sessions/{id}): a session's messages, oldest first, with feedback.

Only the session's owner (the principal that created it, api.security) sees it; anyone else gets
the 404 unknown_session of a session that does not exist, so an id alone reveals nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from visdesk.api.security import principal
from visdesk.protocol import ErrorResponse, EvidenceOut, SourceOut

if TYPE_CHECKING:
    from visdesk.services import HistoryStore

router = APIRouter(tags=["sessions"])


class FeedbackOut(BaseModel):
    id: str
    rating: str
    comment: str | None
    created_at: str | None


class MessageOut(BaseModel):
    message_id: str
    created_at: str | None
    question: str
    answer: str
    engine: str
    mode: str
    level: str
    language: str
    cached: bool
    latency_ms: float
    finish_reason: str
    image_content_id: str | None
    evidence: list[EvidenceOut]
    sources: list[SourceOut]
    structured: dict[str, Any] | None = None
    feedback: list[FeedbackOut]


class SessionOut(BaseModel):
    session_id: str
    created_at: str | None
    updated_at: str | None
    client: str | None
    messages: list[MessageOut]


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 404, 429)}


@router.get("/sessions/{session_id}", response_model=SessionOut, responses=ERRORS)
@router.get("/v1/sessions/{session_id}", response_model=SessionOut, responses=ERRORS)
async def get_session(request: Request, session_id: str) -> dict[str, Any]:
    history: HistoryStore = request.app.state.services.history  # starlette's State is untyped
    return await history.session_view(session_id, owner=principal(request))
