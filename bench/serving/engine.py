"""A slow, deterministic stand-in engine for serving tests and benchmarks (layers above the engine).

Why it exists: overload, timeout and cancellation behaviour depends on how long generation takes,
not on what is said. This engine sleeps a fixed time per request (half of it in fast mode, as a
real engine's greedy/shorter answers are quicker), streams a few pieces, and counts how often its
stream was cancelled or closed early, so tests can prove a disconnect stops the work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from visdesk.domain import Delta, EngineRequest, Evidence, Mode
from visdesk.engines import register
from visdesk.engines.base import Capabilities, ReadyAfterStart
from visdesk.settings import Settings

ENGINE_NAME = "slowtest"
_PIECES = 4


class SlowEngine(ReadyAfterStart):
    """Answers "echo: <question>" after `delay_s` seconds (half in fast mode), in four streamed pieces."""

    name = ENGINE_NAME
    capabilities = Capabilities(streaming=True, needs_ocr=False)

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.started = 0
        self.finished = 0
        self.cancelled = 0  # streams that ended early: CancelledError or aclose() before the last piece
        self.active = 0

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        delay = self.delay_s / (2 if request.mode is Mode.FAST else 1)
        text = f"echo: {request.query.question}"
        step = -(-len(text) // _PIECES)  # ceil: exactly _PIECES pieces, so the delay does not depend on the text
        self.started += 1
        self.active += 1
        completed = False
        try:
            for i in range(0, len(text), step):
                await asyncio.sleep(delay / _PIECES)
                yield Delta(text=text[i : i + step])
            yield Delta(evidence=(Evidence(text=text),), finish_reason="stop")
            completed = True
        finally:
            self.active -= 1
            if completed:
                self.finished += 1
            else:
                self.cancelled += 1


def create(settings: Settings, argument: str) -> SlowEngine:
    """Registry factory: spec "slowtest:<seconds>" (default 0.2 s)."""
    return SlowEngine(float(argument) if argument else 0.2)


def register_engine() -> None:
    """Make "slowtest[:seconds]" a valid VISDESK_ENGINE in this process."""
    register(ENGINE_NAME, "bench.serving.engine:create")
