"""Run the embedded engine on a perceived scene and collect its stream."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache

from tests.support.render import png_bytes, render_lines
from tests.support.scenes import _perceiver, perceived
from visdesk.domain import Delta, EngineRequest, GenerationOptions, Grounding, ImageInput, Passage, Perception, Query
from visdesk.engines.embedded import EmbeddedEngine
from visdesk.images import intake
from visdesk.language import detect_language
from visdesk.settings import ImageSettings, Settings


@dataclass
class Result:
    text: str
    pieces: list[str]
    last: Delta


async def ask(scene_name: str | None, question: str, passages: tuple[Passage, ...] = (), **options: object) -> Result:
    image, seen = perceived(scene_name) if scene_name else (None, None)
    query = Query(
        question=question,
        image=image,
        language=detect_language(question),
        options=GenerationOptions(**options),  # type: ignore[arg-type]
    )
    request = EngineRequest(query=query, grounding=Grounding(seen=seen, passages=passages))
    engine = EmbeddedEngine(Settings(_env_file=None))  # type: ignore[call-arg]
    await engine.start()
    deltas = [delta async for delta in engine.stream(request)]
    pieces = [d.text for d in deltas if d.text]
    return Result("".join(pieces), pieces, deltas[-1])


@cache
def _seen_lines(lines: tuple[str, ...]) -> tuple[ImageInput, Perception]:
    image = intake(png_bytes(render_lines(list(lines))), ImageSettings())
    return image, _perceiver().perceive(image)


def ask_lines(lines: tuple[str, ...], question: str) -> str:
    """The engine's reply text for a page rendered from `lines` (real OCR, perceived once per page)."""
    image, seen = _seen_lines(lines)
    query = Query(question=question, image=image, language=detect_language(question), options=GenerationOptions())
    request = EngineRequest(query=query, grounding=Grounding(seen=seen, passages=()))

    async def run() -> str:
        engine = EmbeddedEngine(Settings(_env_file=None))  # type: ignore[call-arg]
        await engine.start()
        return "".join([d.text async for d in engine.stream(request) if d.text])

    return asyncio.run(run())
