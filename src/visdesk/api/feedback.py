"""POST /feedback (and /v1/feedback): a thumbs up/down on one answer, durable before the 201.

Only the owner of the answer's session may rate it; for anyone else the message is a 404
unknown_message, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from visdesk.api.security import principal
from visdesk.protocol import ErrorResponse

router = APIRouter(tags=["feedback"])


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=64, description="The message_id of the answer being rated.")
    rating: Literal["up", "down"] = Field(description="'up' (helpful) or 'down' (not helpful).")
    comment: str | None = Field(None, max_length=2000, description="Optional free text from the customer.")


class FeedbackResponse(BaseModel):
    feedback_id: str
    message_id: str
    rating: str


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (400, 401, 404, 429)}


@router.post("/feedback", status_code=201, response_model=FeedbackResponse, responses=ERRORS)
@router.post("/v1/feedback", status_code=201, response_model=FeedbackResponse, responses=ERRORS)
async def post_feedback(request: Request, body: FeedbackRequest) -> JSONResponse:
    history = request.app.state.services.history
    comment = body.comment.strip() if body.comment else None
    feedback_id = await history.add_feedback(body.message_id, body.rating, comment or None, owner=principal(request))
    payload = FeedbackResponse(feedback_id=feedback_id, message_id=body.message_id, rating=body.rating)
    return JSONResponse(payload.model_dump(), status_code=201)
