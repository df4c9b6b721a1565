"""The return desk: image + the buyer's words → a taxonomy reason, its evidence and the next action.

Why it reuses the pipeline's services and not the pipeline: an attribution is no chat turn (no
history, no answer cache), but it needs the same intake, safety check, load admission and
perception. Any engine works: the clues come from perception, and a VLM engine (one that reads
the image itself) adds its own pick through constrained `choices`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from visdesk import images as image_intake
from visdesk.domain import EngineRequest, GenerationOptions, Grounding, ImageInput, Perception, Query
from visdesk.knowledge import knowledge_dirs
from visdesk.language import detect_language
from visdesk.returns.attribute import Attribution, attribute
from visdesk.returns.taxonomy import Taxonomy, find_taxonomy, load_taxonomy, unavailable
from visdesk.services import Services

_ENGINE_PROMPT = (
    "A buyer wants to return the item in the photo and says: «{text}». "
    "Which return reason fits best? Answer with exactly one of: {ids}."
)


class ReturnDesk:
    def __init__(self, services: Services, taxonomy: Taxonomy | None) -> None:
        self.services = services
        self.taxonomy = taxonomy

    async def attribute(self, text: str, image_bytes: bytes | None, *, client: str = "api") -> dict[str, Any]:
        """The attribution as a JSON-ready dict (raises AppError for bad input, overload, timeout)."""
        if self.taxonomy is None:
            raise unavailable()
        s = self.services
        said = s.safety.check_question(text)
        language = detect_language(said)
        started = time.perf_counter()
        deadline = started + s.settings.load.request_timeout_s
        image = None
        if image_bytes is not None:
            image = await asyncio.to_thread(image_intake.intake, image_bytes, s.settings.images)
            await s.safety.check_image(image)
        seen: Perception | None = None
        pick: str | None = None
        async with s.governor.admit(client, deadline=deadline):
            if image:
                seen = await asyncio.wait_for(s.perceiver.see(image), deadline - time.perf_counter())
                pick = await self._engine_pick(said, image, seen, language)
        result = attribute(self.taxonomy, said, seen, pick)
        return self._json(result, language, round((time.perf_counter() - started) * 1000, 1))

    async def _engine_pick(self, text: str, image: ImageInput, seen: Perception, language: str) -> str | None:
        """The choice among the reason ids of an engine that looks at the pixels itself (a VLM); None otherwise."""
        engine = self.services.engine
        if not engine.capabilities.sees_pixels or self.taxonomy is None:
            return None
        ids = tuple(r.id for r in self.taxonomy.reasons)
        query = Query(
            question=_ENGINE_PROMPT.format(text=text, ids=", ".join(ids)),
            image=image,
            language="zh" if language == "zh" else "en",
            options=GenerationOptions(choices=ids, max_new_tokens=16),
        )
        request = EngineRequest(query=query, grounding=Grounding(seen=seen))
        parts: list[str] = []
        choice: str | None = None
        async for delta in engine.stream(request):
            parts.append(delta.text)
            if delta.structured and isinstance(delta.structured.get("choice"), str):
                choice = delta.structured["choice"]
        picked = choice or "".join(parts).strip()
        return picked if picked in ids else None

    def _json(self, result: Attribution, language: str, latency_ms: float) -> dict[str, Any]:
        assert self.taxonomy is not None
        lang = "zh" if language == "zh" else "en"
        reason = result.reason
        action = self.taxonomy.actions[result.action]
        return {
            "reason": {"id": reason.id, "name": reason.names.get(lang) or next(iter(reason.names.values()))}
            if reason
            else None,
            "confidence": result.confidence,
            "needs_human_review": reason is None,
            "action": {"id": action.id, "description": action.description.get(lang, "")},
            "guide": reason.guide if reason else "",
            "evidence": [
                {
                    "reason": clue.reason,
                    "cue": clue.cue,
                    "source": clue.source,
                    "text": clue.evidence.text,
                    "box": list(clue.evidence.box) if clue.evidence.box else None,
                }
                for clue in result.clues
            ],
            "scores": result.scores,
            "language": lang,
            "latency_ms": latency_ms,
        }


def build_return_desk(services: Services) -> ReturnDesk:
    """The desk with the knowledge base's taxonomy (none configured → the endpoint answers 404 not_configured)."""
    path = find_taxonomy(knowledge_dirs(services.settings))
    return ReturnDesk(services, load_taxonomy(path) if path else None)
