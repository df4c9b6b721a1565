"""POST /v1/chat/completions and GET /v1/models: visdesk behind the OpenAI Chat Completions API.

Thin like the other routers: parse the OpenAI body into an Ask, run the one pipeline, and render
its events as a chat.completion object or chat.completion.chunk SSE. Errors on these routes take
OpenAI's shape (so the openai SDKs raise their usual exceptions) with our status codes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse

from visdesk.api import client_tasks
from visdesk.api.common import SSE_HEADERS, get_pipeline, primed, request_id, until_disconnected
from visdesk.api.json_route import JsonRoute
from visdesk.api.openai_request import earlier_turns, generation_options, image_upload, question_and_image_url
from visdesk.api.openai_stream import chunk_events, completion, openai_error_response
from visdesk.api.security import principal
from visdesk.domain import Answer, Ask, Delta
from visdesk.errors import AppError, ErrorCode
from visdesk.observability import log_request
from visdesk.protocol_openai import ChatCompletion, ChatCompletionRequest, ModelCard, ModelList, OpenAIErrorResponse
from visdesk.streaming import collect

STARTED = int(time.time())


class OpenAIRoute(JsonRoute):
    """Renders AppError and validation errors of these routes in OpenAI's error shape (fast JSON body parsing)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except AppError as exc:
                return openai_error_response(exc)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                field = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
                message = f"The request is not valid: {field or 'body'}: {first.get('msg', 'invalid')}."
                return openai_error_response(AppError(ErrorCode.INVALID_REQUEST, message), param=field or None)

        return route


router = APIRouter(tags=["openai"], route_class=OpenAIRoute)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": OpenAIErrorResponse} for code in (400, 401, 404, 413, 415, 422, 429, 500, 502, 503, 504)
}


def served_models(request: Request) -> list[str]:
    """`visdesk` and `visdesk-<engine>` (e.g. visdesk-embedded); requests must name one of them."""
    return ["visdesk", f"visdesk-{get_pipeline(request).engine_name}"]


@router.get("/v1/models", response_model=ModelList)
async def list_models(request: Request) -> ModelList:
    return ModelList(data=[ModelCard(id=name, created=STARTED) for name in served_models(request)])


@router.post("/v1/chat/completions", response_model=ChatCompletion, responses=ERRORS)
async def chat_completions(request: Request, body: ChatCompletionRequest) -> Any:
    models = served_models(request)
    if body.model not in models:
        raise AppError(
            ErrorCode.UNKNOWN_MODEL,
            f"The model {body.model!r} is not served here; use one of: {', '.join(models)} (GET /v1/models).",
        )
    task = client_tasks.recognise(body.messages)
    if task is not None:
        return _task_reply(request, body, task)
    question, url = question_and_image_url(body.messages)
    upload = await image_upload(url, get_pipeline(request).services.settings) if url is not None else None
    ask = Ask(
        question=question,
        upload=upload,
        options=generation_options(body),
        history=earlier_turns(body.messages),
        request_id=request_id(request),
        route="/v1/chat/completions",
        owner=principal(request),
    )
    events = get_pipeline(request).answer(ask)
    if not body.stream:
        answer = await until_disconnected(request, collect(events))
        return JSONResponse(completion(answer, body.model, question))
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    chunks = chunk_events(
        await primed(events), completion_id=f"chatcmpl-{uuid.uuid4().hex}", model=body.model, question=question,
        include_usage=include_usage,
    )  # fmt: skip
    return StreamingResponse(chunks, media_type="text/event-stream", headers=SSE_HEADERS)


def _task_reply(request: Request, body: ChatCompletionRequest, task: client_tasks.ClientTask) -> Response:
    """A front-end task request (title, tags, follow-ups …): the asked JSON at once, no pipeline, no history."""
    started = time.perf_counter()
    answer = task.answer(started)
    log_request({"request_id": request_id(request), "route": "/v1/chat/completions", "client_task": task.name,
                 "status": "ok", "http_status": 200, "latency_ms": answer.latency_ms})  # fmt: skip
    prompt = task.history
    if not body.stream:
        return JSONResponse(completion(answer, body.model, prompt))

    async def events() -> AsyncIterator[Delta | Answer]:
        yield Delta(text=answer.answer)
        yield answer

    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    chunks = chunk_events(
        events(), completion_id=f"chatcmpl-{answer.message_id}", model=body.model, question=prompt,
        include_usage=include_usage,
    )  # fmt: skip
    return StreamingResponse(chunks, media_type="text/event-stream", headers=SSE_HEADERS)
