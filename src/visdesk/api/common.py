"""Helpers shared by the routers: the pipeline on app.state, request ids, JSON-or-SSE replies."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from visdesk.domain import Answer, Delta, Upload
from visdesk.errors import AppError, ErrorCode
from visdesk.pipeline import Pipeline
from visdesk.streaming import answer_json, collect, sse_events

_DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w-]+=[^;,]*)*)(?P<b64>;base64)?,", re.I)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_DISCONNECT_POLL_S = 0.25


def get_pipeline(request: Request) -> Pipeline:
    pipeline: Pipeline = request.app.state.pipeline  # starlette's State is untyped
    return pipeline


def request_id(request: Request) -> str:
    return getattr(request.state, "request_id", "") or uuid.uuid4().hex


def wants_stream(request: Request, flag: bool | None) -> bool:
    return bool(flag) or "text/event-stream" in request.headers.get("accept", "")


def decode_image_field(value: str) -> bytes:
    """Base64 or a data: URL → bytes. Remote URLs are refused (no server-side fetching)."""
    text = value.strip()
    if text.startswith(("http://", "https://")):
        raise AppError(
            ErrorCode.REMOTE_IMAGE_URL_REFUSED,
            "Image URLs are not fetched by the server. Send the image as base64 or a data: URL.",
        )
    match = _DATA_URL.match(text)
    if match:
        if not match.group("b64"):
            raise AppError(ErrorCode.BAD_BASE64, "The data: URL must be base64-encoded (data:image/png;base64,...).")
        text = text[match.end() :]
    compact = "".join(text.split())  # line-wrapped base64 is common; split() runs in C (a regex was ~0.3 ms/27 KB)
    if not compact:
        raise AppError(ErrorCode.MISSING_IMAGE, "The image field is empty. Send base64 image bytes or a data: URL.")
    try:
        padded = compact + "=" * (-len(compact) % 4)
        if "-" in padded or "_" in padded:  # URL-safe alphabet
            padded = padded.replace("-", "+").replace("_", "/")
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AppError(
            ErrorCode.BAD_BASE64,
            "The image field is not valid base64. Send standard base64 of the file bytes, or a data: URL.",
        ) from exc


def image_field_upload(value: str) -> Upload:
    """A base64 / data: URL field as an Upload: recognised by its text as sent, decoded (and refused
    with bad_base64 …) only when this exact text was not seen before."""
    return Upload(value, decode=decode_image_field)


async def until_disconnected(request: Request, awaitable: Any) -> Any:
    """Await `awaitable`, cancelling it when the client goes away (no work for nobody).

    The watcher starts only once the work has taken one poll interval: a cache hit (≈0.5 ms) never
    pays for a second task and a disconnect probe, and longer work is watched as before."""
    task = asyncio.ensure_future(awaitable)
    watcher: asyncio.Task[None] | None = None

    async def watch() -> None:
        while not task.done():
            if await request.is_disconnected():
                task.cancel()
                return
            await asyncio.sleep(_DISCONNECT_POLL_S)

    def start_watching() -> None:
        nonlocal watcher
        if not task.done():
            watcher = asyncio.create_task(watch())

    timer = asyncio.get_running_loop().call_later(_DISCONNECT_POLL_S, start_watching)
    try:
        return await task
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.cancel()


async def reply(request: Request, events: AsyncIterator[Delta | Answer], stream: bool) -> Any:
    """JSON or SSE for a pipeline stream. Errors before the first event still become 4xx/5xx JSON."""
    if not stream:
        answer = await until_disconnected(request, collect(events))
        return JSONResponse(answer_json(answer))
    return StreamingResponse(sse_events(await primed(events)), media_type="text/event-stream", headers=SSE_HEADERS)


async def primed(events: AsyncIterator[Delta | Answer]) -> AsyncIterator[Delta | Answer]:
    """Pull the first event before a 200 is sent, so bad input still becomes a proper HTTP error;
    the returned stream replays it and continues."""
    iterator = aiter(events)
    first = await anext(iterator)

    async def chained() -> AsyncIterator[Delta | Answer]:
        yield first
        async for event in iterator:
            yield event

    return chained()


def error_response(exc: AppError) -> JSONResponse:
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=exc.headers)
