"""Embedded CPU engine: answers from the Grounding (OCR + layout + knowledge) by rules. (v0)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from visdesk.domain import Delta, EngineRequest, Evidence, Source
from visdesk.engines.base import Capabilities
from visdesk.settings import Settings

_LABEL_VALUE = re.compile(r"^(?P<label>[^:：]{1,20})[:：]\s*(?P<value>\S.*)$")


class EmbeddedEngine:
    name = "embedded"
    capabilities = Capabilities(streaming=True, constrained=True, needs_ocr=True)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ready = False

    async def start(self) -> None:
        self._ready = True

    async def close(self) -> None:
        self._ready = False

    def ready(self) -> bool:
        return self._ready

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        seen = request.grounding.seen
        zh = request.query.language == "zh"
        question = request.query.question
        evidence: list[Evidence] = []
        text = ""
        if seen is not None:
            for line in seen.lines:
                match = _LABEL_VALUE.match(line.text)
                if match and match.group("label").strip() and match.group("label").strip() in question:
                    text = match.group("value").strip()
                    evidence.append(Evidence(line.text, line.box))
                    break
        if not text and seen is not None and seen.lines:
            evidence = [Evidence(line.text, line.box) for line in seen.lines[:3]]
            text = ("图中显示：" if zh else "The image says: ") + " / ".join(e.text for e in evidence)
        if not text:
            text = "抱歉，我在图片中没有找到相关内容。" if zh else "I can't find that in the image."
        sources = tuple(Source(p.title, p.section, p.source) for p in request.grounding.passages)
        for i in range(0, len(text), 16):
            yield Delta(text=text[i : i + 16])
        yield Delta(evidence=tuple(evidence), sources=sources, finish_reason="stop")


def create(settings: Settings, argument: str) -> EmbeddedEngine:
    return EmbeddedEngine(settings)
