"""POST /v1/manuals/draft: a thin router over the manual drafter."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from visdesk.api.common import decode_image_field
from visdesk.manuals import ManualDrafter
from visdesk.protocol import ErrorResponse
from visdesk.protocol_aftersales import ManualDraftRequest, ManualDraftResponse

router = APIRouter(tags=["after-sales"])

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (400, 401, 413, 415, 503, 504)}


@router.post("/v1/manuals/draft", response_model=ManualDraftResponse, responses=ERRORS)
async def draft_manual(request: Request, body: ManualDraftRequest) -> Any:
    """Draft a manual in each requested language from product photos and a spec table.

    Every statement cites its photo box or table cell; what a person must confirm is in the checklist.
    """
    images = [decode_image_field(value) for value in body.images]
    drafter = ManualDrafter(request.app.state.services)
    return await drafter.draft(images, body.specs_csv, body.languages, body.product_name)
