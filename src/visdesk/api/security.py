"""The HTTP edge: request ids, request metrics, optional API keys, the principal, rate limits, body limits, CORS.

Why one pure-ASGI middleware instead of `@app.middleware` functions: Starlette's BaseHTTPMiddleware
swallows the `http.disconnect` that `Request.is_disconnected()` polls for (so a client that left
could not cancel its work), and buffers nothing here: this middleware sees every response
(401/413/429 included) for the metrics, measures time to the first streamed byte (TTFT of SSE
answers), and passes the server's own `receive` through. CORS sits outside it so browser
preflights are answered without a key.

The principal (request.state.principal) is who owns the sessions a request creates and may read
(docs/operations.md, "Tenancy"): with API keys, the key's id ("key:" + 16 hex digits of its
SHA-256, never the key itself); without keys, the page's anonymous browser-session cookie
("cookie:<random id>", set HttpOnly and SameSite=Lax when the page is loaded), else ANONYMOUS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import time
import uuid
from collections import OrderedDict
from typing import Any

from fastapi import Request
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visdesk.domain import ANONYMOUS
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import SafetySettings, Settings

_BODY_METHODS = {"POST", "PUT", "PATCH"}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
SESSION_COOKIE = "visdesk_sid"
_COOKIE_VALUE = re.compile(r"^[0-9a-f]{32}$")
_PAGE_PATHS = ("/", "/index.html")
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json")


def is_protected(path: str, *, public_docs: bool = True) -> bool:
    """The API (/v1/*, /chat, /feedback, /sessions/*) needs a key when keys are set, and so do the API docs
    unless `public_docs`; health, metrics, the page and static files stay open."""
    if path in DOCS_PATHS:
        return not public_docs
    return path in ("/chat", "/feedback") or path.startswith(("/v1/", "/chat/", "/sessions/"))


def principal(request: Request) -> str:
    """The principal the edge middleware found for this request (ANONYMOUS where it did not run)."""
    return getattr(request.state, "principal", None) or ANONYMOUS


def _cookie_id(scope: Scope) -> str | None:
    """The anonymous browser-session id from the Cookie header, when it has the shape this server mints."""
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name != b"cookie":
            continue
        for pair in value.decode("latin-1").split(";"):
            key, _, found = pair.strip().partition("=")
            if key == SESSION_COOKIE and _COOKIE_VALUE.match(found):
                return found
    return None


def _session_cookie(scope: Scope) -> tuple[bytes, bytes]:
    """A Set-Cookie header for a new anonymous browser session: random, HttpOnly, SameSite=Lax, no expiry."""
    secure = "; Secure" if scope.get("scheme") == "https" else ""
    value = f"{SESSION_COOKIE}={uuid.uuid4().hex}; Path=/; HttpOnly; SameSite=Lax{secure}"
    return b"set-cookie", value.encode("latin-1")


class TokenBuckets:
    """One token bucket per client: `per_minute` tokens of burst, refilled evenly over a minute."""

    def __init__(self, per_minute: int, max_clients: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, stamp)

    def take(self, client: str, now: float | None = None) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, stamp = self._buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        self._buckets.move_to_end(client)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


class EdgeMiddleware:
    """Metrics for every HTTP request, then auth → rate limit → body limit for protected paths."""

    def __init__(self, app: ASGIApp, settings: SafetySettings) -> None:
        self.app = app
        self.settings = settings
        self._keys = [key.encode() for key in settings.api_keys if key]
        self._buckets = TokenBuckets(settings.rate_limit_per_minute) if settings.rate_limit_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "ttft": None, "stream": False}
        offered = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # read by api.common.request_id
        extra_headers = [(b"x-request-id", request_id.encode())]
        if not self._keys:  # without keys the principal is the page's cookie (or ANONYMOUS)
            cookie = _cookie_id(scope)
            scope["state"]["principal"] = f"cookie:{cookie}" if cookie else ANONYMOUS
            if cookie is None and scope.get("method") == "GET" and scope.get("path") in _PAGE_PATHS:
                extra_headers.append(_session_cookie(scope))

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra_headers]}
                state["status"] = message["status"]
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                state["stream"] = content_type.startswith(b"text/event-stream")
            elif (
                message["type"] == "http.response.body"
                and state["stream"]
                and state["ttft"] is None
                and message.get("body")
            ):
                state["ttft"] = time.perf_counter() - started
            await send(message)

        try:
            await self._guarded(scope, receive, observed_send)
        finally:
            self._observe(scope, state, time.perf_counter() - started)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if not is_protected(path, public_docs=self.settings.public_docs) or scope.get("method") == "OPTIONS":
            limited = await self._limited_body(scope, receive, send)
            if limited is not None:
                await self.app(scope, limited, send)
            return
        client = self._client_id(scope)
        if client is None:
            await _send_error(send, _unauthorized())
            return
        if self._keys:
            scope["state"]["principal"] = client  # "key:<16 hex of the key's SHA-256>"
        if self._buckets is not None:
            wait = self._buckets.take(client)
            if wait > 0:
                retry = str(max(1, math.ceil(wait)))
                await _send_error(
                    send,
                    AppError(
                        ErrorCode.RATE_LIMITED,
                        f"Too many requests; at most {self.settings.rate_limit_per_minute} a minute are accepted. "
                        f"Retry in {retry} s.",
                        headers={"Retry-After": retry},
                    ),
                )
                return
        limited = await self._limited_body(scope, receive, send)
        if limited is not None:
            await self.app(scope, limited, send)

    def _client_id(self, scope: Scope) -> str | None:
        """The rate-limit identity: a hash of the API key, or the client IP when keys are off; None = refused."""
        if not self._keys:
            client = scope.get("client")
            return f"ip:{client[0] if client else '-'}"
        header = dict(scope.get("headers", [])).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        token = token.strip()
        if scheme.lower() != b"bearer" or not token:
            return None
        if not any(hmac.compare_digest(token, key) for key in self._keys):
            return None
        return "key:" + hashlib.sha256(token).hexdigest()[:16]

    async def _limited_body(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """Enforce max_body_bytes also for chunked bodies (no Content-Length): buffer up to the limit."""
        limit = self.settings.max_body_bytes
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None:
            if length.isdigit() and int(length) > limit:
                await _send_error(send, _too_large(int(length), limit))
                return None
            return receive
        if scope.get("method") not in _BODY_METHODS:
            return receive
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return receive  # the client went away; let the app see the disconnect
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                await _send_error(send, _too_large(None, limit))
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _observe(self, scope: Scope, state: dict[str, Any], latency_s: float) -> None:
        app = scope.get("app")
        services = getattr(getattr(app, "state", None), "services", None)
        if services is None:
            return
        services.metrics.observe_request(
            route=_route_label(scope), status=int(state["status"]), latency_s=latency_s, ttft_s=state["ttft"]
        )


def _route_label(scope: Scope) -> str:
    """The matched route's path template (bounded label values), or 'unmatched'."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        for candidate in getattr(getattr(app, "router", None), "routes", ()):
            match, _ = candidate.matches(scope)
            if match is Match.FULL:
                route = candidate
                break
    return str(getattr(route, "path", "unmatched")) if route is not None else "unmatched"


def _unauthorized() -> AppError:
    return AppError(
        ErrorCode.UNAUTHORIZED,
        "An API key is required: send it as 'Authorization: Bearer <key>'.",
        headers={"WWW-Authenticate": 'Bearer realm="visdesk"'},
    )


def _too_large(length: int | None, limit: int) -> AppError:
    shown = f"{length / 1e6:.1f} MB" if length is not None else f"over {limit / 1e6:.0f} MB"
    return AppError(
        ErrorCode.PAYLOAD_TOO_LARGE, f"The request body is {shown}; at most {limit / 1e6:.0f} MB is accepted."
    )


async def _send_error(send: Send, exc: AppError) -> None:
    body = json.dumps(exc.to_dict(), ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in exc.headers.items()]
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install_security(app: Any, settings: Settings) -> None:
    """Add the edge middleware, and CORS outside it when origins are configured (call after other middleware)."""
    app.add_middleware(EdgeMiddleware, settings=settings.safety)
    if settings.safety.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.safety.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "accept", "x-request-id"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
