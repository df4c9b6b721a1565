"""Embedded CPU engine: answers from the Grounding (OCR + layout + knowledge) by rules.

No model and no GPU: the intent of the question picks a handler (field, table, chart, yes/no,
troubleshooting, crash log, describe), the handler quotes what the image prints with evidence
boxes and cites the knowledge-base passages it used, and constrained options shape the output.
See docs/embedded-engine.md.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from visdesk.domain import Delta, EngineRequest
from visdesk.engines.base import Capabilities, ReadyAfterStart
from visdesk.engines.embedded.composer import compose
from visdesk.engines.embedded.constrained import truncate_tokens
from visdesk.settings import Settings

_PIECE = re.compile(r".{1,12}(?:\s|$)|.{1,12}", re.DOTALL)


class EmbeddedEngine(ReadyAfterStart):
    name = "embedded"
    capabilities = Capabilities(streaming=True, constrained=True, needs_ocr=True)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        # CPU-bound rules (OCR text scans, fuzzy matching of choices, schema filling) run in a worker
        # thread: on the event loop one big request froze /healthz and every other client for its duration.
        reply = await asyncio.to_thread(compose, request)
        text, finish = reply.text, "stop"
        limit = request.query.options.max_new_tokens
        if limit is not None and limit > 0:
            text, cut = truncate_tokens(text, limit)
            finish = "length" if cut else finish
        for piece in split_pieces(text):
            yield Delta(text=piece)
        yield Delta(
            evidence=tuple(reply.evidence),
            sources=reply.sources(),
            structured=reply.structured,
            finish_reason=finish,
            recommendations=tuple(reply.recommendations),
        )


def split_pieces(text: str) -> list[str]:
    """Stream pieces of about a dozen characters, broken at spaces where there are some."""
    return [m.group(0) for m in _PIECE.finditer(text) if m.group(0)] or [""]


def create(settings: Settings, argument: str) -> EmbeddedEngine:
    return EmbeddedEngine(settings)
