"""A deterministic engine that reports what the pipeline handed it (tests of the layers above engines).

Its answer names the number of earlier turns it received, the image's content id, and the first
line it was told was seen, so a test can check multi-turn context and image reuse end to end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from visdesk.domain import Delta, EngineRequest
from visdesk.engines.base import Capabilities, ReadyAfterStart
from visdesk.settings import Settings


class EchoEngine(ReadyAfterStart):
    name = "history-echo"
    capabilities = Capabilities(streaming=True, needs_ocr=True)

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        query, seen = request.query, request.grounding.seen
        previous = "|".join(turn.question for turn in query.history)
        image = query.image.content_id if query.image else "-"
        first_line = seen.lines[0].text if seen and seen.lines else "-"
        yield Delta(text=f"turns={len(query.history)};previous={previous};image={image};seen={first_line}")
        yield Delta(evidence=(), sources=(), finish_reason="stop")


def create(settings: Settings, argument: str) -> EchoEngine:
    return EchoEngine()
