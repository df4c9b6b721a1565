"""POST /chat (multipart form) and POST /v1/chat (JSON, base64 image): thin routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile

from visdesk.api.common import get_pipeline, image_field_upload, reply, request_id, wants_stream
from visdesk.api.json_route import JsonRoute
from visdesk.api.security import principal
from visdesk.domain import Ask, GenerationOptions
from visdesk.errors import AppError, ErrorCode
from visdesk.protocol import ChatRequest, ChatResponse, ErrorResponse
from visdesk.settings import MB

router = APIRouter(tags=["chat"], route_class=JsonRoute)  # JSON bodies parsed by pydantic-core

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 404, 413, 415, 422, 429, 503, 504)
}


def _require_image_or_session(image: object | None, session_id: str | None) -> None:
    if image is None and not session_id:
        raise AppError(
            ErrorCode.MISSING_IMAGE,
            "No image was sent. Attach a JPEG, PNG, WebP, GIF, BMP or HEIC image "
            "(field 'image'), or continue an earlier session with 'session_id'.",
        )


async def _read_upload(upload: UploadFile | None, max_bytes: int) -> bytes | None:
    """The file's bytes; an upload already spooled past the cap (chunked bodies skip the
    Content-Length check) is refused before it is read into memory."""
    if upload is None:
        return None
    if upload.size is not None and upload.size > max_bytes:
        raise AppError(
            ErrorCode.IMAGE_TOO_LARGE,
            f"The image is {upload.size / MB:.1f} MB; at most {max_bytes / MB:.0f} MB is accepted.",
            details={"max_bytes": max_bytes, "bytes": upload.size},
        )
    return await upload.read()


@router.post("/chat", response_model=ChatResponse, responses=ERRORS)
async def chat_form(
    request: Request,
    text: Annotated[str, Form(description="The question.")] = "",
    image: Annotated[UploadFile | None, File(description="The screenshot or photo (≤ 20 MB).")] = None,
    session_id: Annotated[str | None, Form()] = None,
    stream: Annotated[bool | None, Form()] = None,
    client: Annotated[str, Form(description="'web' for the web page (canned reply under overload).")] = "api",
) -> Any:
    data = await _read_upload(image, request.app.state.settings.images.max_upload_bytes)
    _require_image_or_session(data, session_id)
    ask = Ask(
        question=text,
        image_bytes=data,
        session_id=session_id or None,
        client="web" if client == "web" else "api",
        request_id=request_id(request),
        route="/chat",
        owner=principal(request),
    )
    return await reply(request, get_pipeline(request).answer(ask), wants_stream(request, stream))


@router.post("/v1/chat", response_model=ChatResponse, responses=ERRORS)
async def chat_json(request: Request, body: ChatRequest) -> Any:
    upload = image_field_upload(body.image) if body.image is not None else None  # decoded only if new
    _require_image_or_session(upload, body.session_id)
    options = GenerationOptions(
        max_new_tokens=body.max_new_tokens,
        choices=tuple(body.choices or ()),
        response_format=body.response_format,
        regex=body.regex,
    )
    ask = Ask(
        question=body.question,
        upload=upload,
        session_id=body.session_id,
        options=options,
        request_id=request_id(request),
        route="/v1/chat",
        owner=principal(request),
    )
    return await reply(request, get_pipeline(request).answer(ask), wants_stream(request, body.stream))
