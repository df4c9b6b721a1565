"""Server-side cost of one request, measured in process by calling the ASGI app directly.

Why: on a small shared machine, req/s over sockets swings with whatever else runs; the time the
app itself spends per request (no sockets, no client) is steadier and shows where a cache hit
goes. Best of several batches, so interference only ever makes a batch slower.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fastapi import FastAPI

CHUNK = 65536  # bytes per http.request message: a server hands a large body on in pieces like these


def chunked(body: bytes) -> list[bytes]:
    return [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)] or [b""]


async def _call(app: FastAPI, chunks: list[bytes], path: str = "/v1/chat") -> int:
    """One request whose body arrives as `chunks` (so the app joins them into a new object, as it
    does behind a real server: nothing can recognise the body by its identity)."""
    pending = iter(chunks)
    left = len(chunks)
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal left
        if left:
            left -= 1
            return {"type": "http.request", "body": next(pending), "more_body": left > 0}
        await asyncio.sleep(3600)  # no disconnect while the app works
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(sum(map(len, chunks))).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return status


async def per_request_ms(
    app: FastAPI, body: dict[str, Any], *, path: str = "/v1/chat", batch: int = 200, batches: int = 5
) -> float:
    """Best-of-`batches` mean milliseconds per request (the app's lifespan must be running)."""
    raw = chunked(json.dumps(body).encode())
    for _ in range(20):
        assert await _call(app, raw, path) == 200
    best = float("inf")
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(batch):
            await _call(app, raw, path)
        best = min(best, (time.perf_counter() - started) / batch * 1000)
    return round(best, 3)


async def measure(apps: dict[str, FastAPI], body: dict[str, Any], path: str = "/v1/chat") -> dict[str, float]:
    """Per-request ms for each app, each inside its own lifespan."""
    out: dict[str, float] = {}
    for name, app in apps.items():
        async with app.router.lifespan_context(app):
            out[name] = await per_request_ms(app, body, path=path)
    return out
