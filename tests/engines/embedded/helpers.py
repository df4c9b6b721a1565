"""Run the embedded engine on a perceived scene and collect its stream."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.scenes import perceived
from visdesk.domain import Delta, EngineRequest, GenerationOptions, Grounding, Passage, Query
from visdesk.engines.embedded import EmbeddedEngine
from visdesk.language import detect_language
from visdesk.settings import Settings


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
