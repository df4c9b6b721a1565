"""Serve the full visdesk app, or a bare FastAPI endpoint, under identical uvicorn settings.

`python -m bench.serving.server --kind full --port 8123 --settings '{"engine": "embedded"}'`
`python -m bench.serving.server --kind bare --port 8124 --reply reply.json`

Why a separate process: the load client must not share the server's interpreter (GIL, event loop),
and both servers must run the same way for the comparison to mean anything.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

UVICORN = {"log_config": None, "access_log": False, "timeout_graceful_shutdown": 5}


def bare_app(reply: dict[str, Any]) -> FastAPI:
    """The baseline: POST /v1/chat (or /v1/chat/completions) reads the body and returns a fixed JSON answer."""
    app = FastAPI()

    @app.post("/v1/chat")
    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse(reply)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def full_app(
    overrides: dict[str, Any], data_dir: Path, *, memory_history: bool = False, fsync_thread: bool = False
) -> FastAPI:
    """The real app. `memory_history` swaps the SQL history for the in-memory one, to measure what the
    durable per-answer history write costs (every answer, cached or not, is recorded); `fsync_thread`
    gives a SQLite history's writer the fsync on a thread it had before the fsync helper process
    (history/fsync_helper.py), to compare the two in one run."""
    from bench.serving.engine import register_engine
    from visdesk.app import create_app
    from visdesk.settings import Settings

    register_engine()
    base: dict[str, Any] = {
        "data_dir": data_dir,
        "history": {"database_url": f"sqlite:///{data_dir / 'history.sqlite3'}"},
        "knowledge": {"index_path": data_dir / "kb.sqlite3"},
    }
    for key, value in overrides.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    app = create_app(Settings(_env_file=None, **base))  # type: ignore[arg-type]
    if memory_history:
        _start_with_memory_history(app)
    if fsync_thread:
        _start_with_fsync_thread(app)
    return app


def _start_with_fsync_thread(app: FastAPI) -> None:
    """After start-up, replace the SQL history's writer (not yet used) by one that fsyncs on a thread."""
    from visdesk.history import SqlHistory
    from visdesk.history.wal_writer import WalWriter

    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(target: FastAPI) -> AsyncIterator[None]:
        async with original(target):
            history = target.state.services.history
            assert isinstance(history, SqlHistory)
            await history.writer.aclose()
            history.writer = WalWriter(history.engine, fsync_helper=False)
            yield

    app.router.lifespan_context = lifespan


def _start_with_memory_history(app: FastAPI) -> None:
    """Build this app's services with MemoryHistory (visdesk.app.build_history swapped during start-up only)."""
    from visdesk import app as app_module
    from visdesk.history import MemoryHistory

    original = app.router.lifespan_context

    async def in_memory(settings: Any) -> MemoryHistory:
        return MemoryHistory()

    @asynccontextmanager
    async def lifespan(target: FastAPI) -> AsyncIterator[None]:
        context = original(target)
        saved, app_module.build_history = app_module.build_history, in_memory  # type: ignore[assignment]
        try:
            await context.__aenter__()
        finally:
            app_module.build_history = saved  # type: ignore[assignment]
        try:
            yield
        finally:
            await context.__aexit__(None, None, None)

    app.router.lifespan_context = lifespan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kind", choices=["full", "bare"], required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--settings", default="{}", help="JSON overrides of visdesk Settings (full only)")
    parser.add_argument("--reply", type=Path, help="JSON file the bare endpoint returns")
    parser.add_argument("--memory-history", action="store_true", help="in-memory history (full only)")
    parser.add_argument("--fsync-thread", action="store_true", help="SQLite history fsyncing on a thread")
    args = parser.parse_args()
    if args.kind == "bare":
        app = bare_app(json.loads(args.reply.read_text(encoding="utf-8")) if args.reply else {"answer": ""})
        uvicorn.run(app, host="127.0.0.1", port=args.port, **UVICORN)  # type: ignore[arg-type]
        return
    with tempfile.TemporaryDirectory(prefix="visdesk-bench-") as tmp:
        app = full_app(
            json.loads(args.settings), Path(tmp), memory_history=args.memory_history, fsync_thread=args.fsync_thread
        )
        uvicorn.run(app, host="127.0.0.1", port=args.port, **UVICORN)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
