"""POST /v1/returns/attribute: a thin router over the return desk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from visdesk.api.common import decode_image_field
from visdesk.protocol import ErrorResponse
from visdesk.protocol_aftersales import ReturnAttributeRequest, ReturnAttributeResponse
from visdesk.returns import ReturnDesk

router = APIRouter(tags=["after-sales"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 404, 413, 415, 503, 504)
}


@router.post("/v1/returns/attribute", response_model=ReturnAttributeResponse, responses=ERRORS)
async def attribute_return(request: Request, body: ReturnAttributeRequest) -> Any:
    """Attribute a return to a reason of the knowledge base's taxonomy, with the evidence and the next action.

    Low confidence never guesses: the reason is null and the action is human review.
    """
    desk: ReturnDesk = request.app.state.returns
    data = decode_image_field(body.image) if body.image is not None else None
    return await desk.attribute(body.text, data)
