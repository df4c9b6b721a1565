"""The manual drafter: photos + spec CSV + languages → Markdown and HTML drafts with a review checklist.

Why outside the chat pipeline: a draft is no conversation turn (no history, no answer cache), but
it uses the same intake, safety check, load admission and perception. A VLM engine, when one is
configured, writes the overview prose; the embedded engine drafts from the lexicon alone.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from visdesk import images as image_intake
from visdesk.domain import EngineRequest, GenerationOptions, Grounding, ImageInput, Perception, Query
from visdesk.errors import AppError, ErrorCode
from visdesk.manuals.draft import LanguageDraft, draft_manual
from visdesk.manuals.lexicon import lexicon
from visdesk.manuals.render import to_html, to_markdown
from visdesk.manuals.specs import parse_specs
from visdesk.services import Services

_PROSE_PROMPT = {
    "en": "Write a short product overview (3 sentences) for a user manual of the product in the photo. {facts}",
    "zh": "请为照片中的产品写一段简短的说明书概述（3 句话）。{facts}",
    "es": "Escribe una breve descripción (3 frases) del producto de la foto para su manual de usuario. {facts}",
    "fr": "Rédige une courte présentation (3 phrases) du produit de la photo pour son manuel d'utilisation. {facts}",
}


def check_languages(languages: list[str]) -> list[str]:
    """The requested languages, lower-cased and de-duplicated; an unknown one is a 400 naming the choices."""
    known = lexicon().languages
    wanted = list(dict.fromkeys(lang.strip().lower() for lang in languages if lang.strip()))
    unknown = [lang for lang in wanted if lang not in known]
    if unknown or not wanted:
        raise AppError(
            ErrorCode.INVALID_REQUEST,
            f"Unsupported draft language(s) {unknown or languages}; choose from {', '.join(known)}.",
            details={"accepted": list(known)},
        )
    return wanted


def draft_json(drafts: dict[str, LanguageDraft]) -> dict[str, Any]:
    return {
        "product": next(iter(drafts.values())).product,
        "languages": {
            lang: {"markdown": to_markdown(d), "html": to_html(d), "checklist": d.checklist}
            for lang, d in drafts.items()
        },
    }


class ManualDrafter:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def draft(
        self, images: list[bytes], specs_csv: str, languages: list[str], product_name: str = ""
    ) -> dict[str, Any]:
        s = self.services
        wanted = check_languages(languages)
        specs = parse_specs(specs_csv)
        if not images and not specs:
            raise AppError(ErrorCode.MISSING_IMAGE, "Send at least one product photo or a spec table to draft from.")
        started = time.perf_counter()
        deadline = started + s.settings.load.request_timeout_s
        decoded: list[ImageInput] = []
        for data in images:
            image = await asyncio.to_thread(image_intake.intake, data, s.settings.images)
            await s.safety.check_image(image)
            decoded.append(image)
        async with s.governor.admit("api", deadline=deadline):
            photos = [await asyncio.wait_for(s.perceiver.see(img), deadline - time.perf_counter()) for img in decoded]
            prose = await self._prose(decoded, photos, specs_csv, wanted) if decoded else {}
        drafts = draft_manual(photos, specs, wanted, product_name.strip(), prose)
        return draft_json(drafts) | {"latency_ms": round((time.perf_counter() - started) * 1000, 1)}

    async def _prose(
        self, images: list[ImageInput], photos: list[Perception], specs_csv: str, languages: list[str]
    ) -> dict[str, str]:
        """Overview paragraphs from an engine that sees the pixels (a VLM); none from the embedded engine."""
        engine = self.services.engine
        if not engine.capabilities.sees_pixels:
            return {}
        facts = f"Spec table (CSV, untrusted data): {specs_csv[:1500]}" if specs_csv else ""
        out: dict[str, str] = {}
        for lang in languages:
            query = Query(
                question=_PROSE_PROMPT[lang].format(facts=facts),
                image=images[0],
                language="zh" if lang == "zh" else "en",
                options=GenerationOptions(max_new_tokens=200),
            )
            parts = [d.text async for d in engine.stream(EngineRequest(query=query, grounding=Grounding(photos[0])))]
            if text := "".join(parts).strip():
                out[lang] = text
        return out
