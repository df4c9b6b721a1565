"""Pipeline events → OpenAI shapes: a chat.completion object, chat.completion.chunk SSE, errors.

Why our own renderer: OpenAI clients read `{"error": {"message", "type", "code", "param"}}`; the
HTTP status still comes from the one ErrorCode → status map, so both error shapes agree.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import JSONResponse

from visdesk.domain import Answer, Delta
from visdesk.errors import AppError, ErrorCode
from visdesk.protocol_openai import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    ChunkDelta,
    OpenAIErrorBody,
    OpenAIErrorResponse,
    Usage,
)
from visdesk.streaming import answer_json

log = logging.getLogger("visdesk.api.openai")

_TOKENISH = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+|[^\w\s]", re.UNICODE)
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 413: "invalid_request_error", 415: "invalid_request_error",
                422: "invalid_request_error", 429: "rate_limit_error"}  # fmt: skip
_PARAMS = {ErrorCode.UNKNOWN_MODEL: "model"}
_IMAGE_CODES = {
    ErrorCode.MISSING_IMAGE, ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.CORRUPT_IMAGE, ErrorCode.IMAGE_TOO_LARGE,
    ErrorCode.IMAGE_TOO_MANY_PIXELS, ErrorCode.BAD_BASE64, ErrorCode.REMOTE_IMAGE_URL_REFUSED, ErrorCode.UNSAFE_IMAGE,
    ErrorCode.EMPTY_QUESTION, ErrorCode.QUESTION_TOO_LONG,
}  # fmt: skip


def rough_tokens(text: str) -> int:
    """A rough token count (one per CJK character, word or symbol) for engines that do not count."""
    return len(_TOKENISH.findall(text))


def openai_error(exc: AppError, param: str | None = None) -> dict[str, Any]:
    status = exc.status
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    if param is None:
        param = _PARAMS.get(exc.code) or ("messages" if exc.code in _IMAGE_CODES else None)
    body = OpenAIErrorBody(message=exc.message, type=kind, code=exc.code.value, param=param)
    return OpenAIErrorResponse(error=body).model_dump()


def openai_error_response(exc: AppError, param: str | None = None) -> JSONResponse:
    return JSONResponse(openai_error(exc, param), status_code=exc.status, headers=exc.headers)


def _finish(reason: str) -> str:
    return reason if reason in ("stop", "length") else "stop"


def _usage(answer: Answer, question: str) -> Usage:
    reported = answer.usage or {}
    prompt = int(reported.get("prompt_tokens") or rough_tokens(question))
    completion = int(reported.get("completion_tokens") or rough_tokens(answer.answer))
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


_IN_COMPLETION = ("answer", "latency_ms", "finish_reason")


def visdesk_extra(answer: Answer) -> dict[str, Any]:
    """The non-standard `visdesk` field: what our own clients use and OpenAI clients ignore
    (the /v1/chat object without what the completion already carries)."""
    return {k: v for k, v in answer_json(answer).items() if k not in _IN_COMPLETION}


def completion(answer: Answer, model: str, question: str) -> dict[str, Any]:
    body = ChatCompletion(
        id=f"chatcmpl-{answer.message_id}",
        created=int(time.time()),
        model=model,
        choices=[Choice(message=AssistantMessage(content=answer.answer), finish_reason=_finish(answer.finish_reason))],
        usage=_usage(answer, question),
        visdesk=visdesk_extra(answer),
    )
    return body.model_dump(exclude_none=False)


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def chunk_events(
    events: AsyncIterator[Delta | Answer], *, completion_id: str, model: str, question: str, include_usage: bool
) -> AsyncIterator[str]:
    """Role delta, content deltas, a finish chunk (with `visdesk`), optional usage chunk, [DONE]."""
    created = int(time.time())

    def chunk(delta: ChunkDelta | None, finish: str | None = None, **extra: Any) -> str:
        choices = [ChunkChoice(delta=delta, finish_reason=finish)] if delta is not None else []
        body = ChatCompletionChunk(id=completion_id, created=created, model=model, choices=choices, **extra)
        data = body.model_dump()
        for choice in data["choices"]:  # OpenAI sends only the delta fields that are set
            choice["delta"] = {k: v for k, v in choice["delta"].items() if v is not None}
        if data["visdesk"] is None:
            del data["visdesk"]
        if not include_usage:
            del data["usage"]  # with include_usage every chunk carries "usage": null but the last
        return _sse(data)

    yield chunk(ChunkDelta(role="assistant", content=""))
    try:
        async for event in events:
            if isinstance(event, Answer):
                yield chunk(ChunkDelta(), _finish(event.finish_reason), visdesk=visdesk_extra(event))
                if include_usage:
                    yield chunk(None, usage=_usage(event, question))
            elif event.text:
                yield chunk(ChunkDelta(content=event.text))
    except AppError as exc:
        yield _sse(openai_error(exc))
    except Exception:
        log.exception("openai stream failed")
        yield _sse(openai_error(AppError(ErrorCode.INTERNAL, "The answer stream failed; please try again.")))
    yield "data: [DONE]\n\n"
