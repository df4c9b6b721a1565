"""A deterministic test engine that fails after its first piece of text (tests the streaming layer only)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from visdesk.domain import Delta, EngineRequest
from visdesk.engines.base import Capabilities, ReadyAfterStart
from visdesk.settings import Settings

PARTIAL = "正在查询"


class ExplodingEngine(ReadyAfterStart):
    name = "exploding"
    capabilities = Capabilities(streaming=True, needs_ocr=False)

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        yield Delta(text=PARTIAL)
        raise RuntimeError("simulated engine crash after the stream began")


def create(settings: Settings, argument: str) -> ExplodingEngine:
    return ExplodingEngine()
