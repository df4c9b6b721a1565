"""POST /v1/chat and /v1/chat/completions without FastAPI's per-request plumbing: the same
endpoints, called directly.

Why: with a 1 MB upload, a cache hit spent about a third of the app's own time in the framework's
layers between our middleware and the endpoint (routing through the included routers, the
exception and exit-stack middleware, dependency solving, query-parameter and content-type
parsing), more than the answer itself once the upload's digest is done (docs/performance.md,
"Serving: cache hits and overload"). This ASGI middleware sits inside EdgeMiddleware and
ReceiveGuard, so request ids, API keys, rate limits, body caps, the body deadline and the request
metrics apply as before; it reads the body, validates it as the route would (`ChatRequest` or
`ChatCompletionRequest`, the body parsed by pydantic-core as `JsonRoute` does) and awaits
`chat.chat_json` or `openai.chat_completions` itself, so the reply's bytes and headers, the errors
(an AppError rendered as the OpenAI route renders it, else the app's own exception handlers, looked
up the way Starlette does), the log line and the history write are the routed call's.

A body seen before (a retry, the same question about the same upload again) is not parsed again: the
request it validated to is remembered under the body's exact bytes and its endpoint
(`exact_memo.ExactMemo`, compared in full piece by piece as it arrived, never joined; the request
models are frozen, so a remembered one cannot change). Parsing a 1 MB body costs ≈ 0.2 ms, joining
and comparing it ≈ 0.09 ms, comparing its pieces in place ≈ 0.03 ms; the image field is then the
very string remembered with the upload, so the pipeline's upload memo compares nothing.

Everything else goes to FastAPI untouched, with the body replayed message by message as it
arrived: another path or method, a root_path, a body that is not JSON by its content type, that
pydantic-core does not parse, or that is not a valid request (FastAPI then words the 4xx itself).
An exception with no handler propagates, as from the router, to ServerErrorMiddleware.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visdesk.api import chat, openai
from visdesk.api.json_route import is_json
from visdesk.api.openai_stream import openai_error_response
from visdesk.errors import AppError
from visdesk.exact_memo import ExactMemo
from visdesk.protocol import ChatCompletionRequest, ChatRequest

_BODIES = 32  # bodies remembered (each kept with its request: at most _BODY_BYTES in all)
_BODY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, eq=False)
class Endpoint:
    """A JSON POST route taken directly: its route (the metrics label), body model and endpoint, and
    how its router renders an AppError (None: the app's exception handlers do)."""

    route: APIRoute
    model: type[BaseModel]
    call: Callable[[Request, Any], Awaitable[Response]]
    app_error: Callable[[AppError], Response] | None = None


def _route(router: APIRouter, path: str) -> APIRoute:
    for route in router.routes:
        if isinstance(route, APIRoute) and route.path == path and "POST" in (route.methods or ()):
            return route
    raise LookupError(path)  # pragma: no cover - the routers always define them


def _endpoints() -> dict[str, Endpoint]:
    return {
        "/v1/chat": Endpoint(_route(chat.router, "/v1/chat"), ChatRequest, chat.chat_json),
        "/v1/chat/completions": Endpoint(
            _route(openai.router, "/v1/chat/completions"),
            ChatCompletionRequest,
            openai.chat_completions,
            openai_error_response,  # as openai.OpenAIRoute renders it
        ),
    }


class ChatFastPath:
    """ASGI middleware: a valid JSON POST to /v1/chat or /v1/chat/completions → its endpoint, else the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.endpoints = _endpoints()
        self._bodies: ExactMemo[BaseModel] = ExactMemo(max_entries=_BODIES, max_size=_BODY_BYTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope.get("path", "")) if scope["type"] == "http" else None
        if (
            endpoint is None
            or scope.get("method") != "POST"
            or scope.get("root_path")
            or not is_json(_header(scope, b"content-type"))
        ):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        chunks: list[bytes] = []
        try:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
        except AppError as exc:  # ReceiveGuard's body deadline: what FastAPI's body reading would have met
            await self._handled(scope, receive, send, exc)
            return
        body = await self._valid_body(endpoint, messages, chunks)
        if body is None:
            await self.app(scope, _replaying(messages, receive), send)
            return
        scope["route"] = endpoint.route  # the metrics label, as the router would have set it
        request = Request(scope, receive, send)
        try:
            response = await endpoint.call(request, body)
        except AppError as exc:
            if endpoint.app_error is None:
                await self._handled(scope, receive, send, exc)
                return
            response = endpoint.app_error(exc)
        except Exception as exc:
            await self._handled(scope, receive, send, exc)
            return
        await response(scope, receive, send)

    async def _valid_body(self, endpoint: Endpoint, messages: list[Message], chunks: list[bytes]) -> Any:
        """The endpoint's request model for this body (remembered, or parsed and validated), or None."""
        if messages[-1]["type"] != "http.request":
            return None  # the client went away mid-body: FastAPI sees the same messages
        known = self._bodies.get_parts(chunks, endpoint)
        if known is not None:
            return known
        raw = b"".join(chunks)
        if not raw:
            return None
        try:
            body = endpoint.model.model_validate(from_json(raw))
        except (ValueError, ValidationError):  # FastAPI parses and refuses it again, in its own words
            return None
        return self._bodies.put(raw, body, endpoint)

    async def _handled(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """The app's handler for `exc`, found by class as Starlette's ExceptionMiddleware finds it;
        none (the catch-all 500 is ServerErrorMiddleware's) → re-raised."""
        handlers: dict[Any, Any] = getattr(scope.get("app"), "exception_handlers", {})
        handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers and cls is not Exception), None)
        if handler is None:
            raise exc
        response = await handler(Request(scope, receive, send), exc)
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = deque(messages)

    async def replay() -> Message:
        return pending.popleft() if pending else await receive()

    return replay
