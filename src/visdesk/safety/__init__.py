"""Safety checks on what users send: question hygiene, image classifier, untrusted image text, PII.

`SafetyFilter` is what the app uses; `BasicSafety` (question checks only) stays for callers that
want no classifier. Refusals and flags are logged with scores and ids only, never image bytes or
text, and counted in metrics.
"""

from __future__ import annotations

import logging
from typing import Protocol

from visdesk.domain import ImageInput, Perception
from visdesk.errors import AppError, ErrorCode
from visdesk.safety.injection import INSTRUCTION_IN_IMAGE, find_instructions
from visdesk.safety.nsfw import NsfwScorer
from visdesk.safety.pii import luhn_ok, mask_pii, valid_cn_id
from visdesk.settings import SafetySettings
from visdesk.text_input import normalise_text

log = logging.getLogger("visdesk.safety")

UNSAFE_MESSAGE = (
    "Sorry, we can't look at this image: it appears to contain adult or otherwise unsafe content. "
    "Please send a screenshot or photo of the product, order or error message instead. "
    "抱歉，这张图片可能包含不适宜的内容，我们无法处理。请发送商品、订单或错误信息的截图或照片。"
)


class SafetyEvents(Protocol):
    """The part of Metrics that safety reports to."""

    def safety_refusal(self, reason: str) -> None: ...
    def safety_flag(self, flag: str) -> None: ...


class BasicSafety:
    """Question checks only (no classifier, no flags, no masking)."""

    def __init__(self, settings: SafetySettings) -> None:
        self.settings = settings

    def check_question(self, question: str) -> str:
        cleaned = normalise_text(question or "", "question")  # NFC, invisible characters out; surrogates → 400
        if not cleaned:
            raise AppError(
                ErrorCode.EMPTY_QUESTION, "The question is empty. Type what you want to know about the image."
            )
        if len(cleaned) > self.settings.max_question_chars:
            raise AppError(
                ErrorCode.QUESTION_TOO_LONG,
                f"The question has {len(cleaned)} characters; at most {self.settings.max_question_chars} are accepted.",
                details={"max_chars": self.settings.max_question_chars, "chars": len(cleaned)},
            )
        return cleaned

    async def check_image(self, image: ImageInput) -> None:
        return None

    def untrusted_flags(self, seen: Perception | None) -> tuple[str, ...]:
        return ()

    def mask_pii(self, text: str) -> str:
        return text


class SafetyFilter(BasicSafety):
    """The full filter: NSFW classifier at intake, instruction detection in image text, PII masking."""

    def __init__(self, settings: SafetySettings, events: SafetyEvents | None = None) -> None:
        super().__init__(settings)
        self.events = events
        self.scorer = NsfwScorer(threads=settings.nsfw_threads) if settings.nsfw_enabled else None

    async def start(self) -> None:
        """Load the classifier once, before the first request."""
        if self.scorer is not None:
            await self.scorer.start()

    async def check_image(self, image: ImageInput) -> None:
        if self.scorer is None:
            return
        score = await self.scorer.score(image.content_id, image.image)
        if score < self.settings.nsfw_threshold:
            fields = {"image_id": image.content_id[:16], "score": round(score, 4)}
            log.debug("image allowed by classifier", extra={"fields": fields})
            return
        log.warning(
            "image refused by classifier",
            extra={
                "fields": {
                    "image_id": image.content_id[:16],
                    "score": round(score, 4),
                    "threshold": self.settings.nsfw_threshold,
                }
            },
        )
        if self.events is not None:
            self.events.safety_refusal("unsafe_image")
        raise AppError(ErrorCode.UNSAFE_IMAGE, UNSAFE_MESSAGE, details={"reason": "unsafe_image"})

    def untrusted_flags(self, seen: Perception | None) -> tuple[str, ...]:
        if seen is None or not seen.lines:
            return ()
        phrases = find_instructions(seen.text)
        if not phrases:
            return ()
        log.warning(
            "image text tries to instruct the assistant; treated as data",
            extra={"fields": {"image_id": seen.content_id[:16], "flag": INSTRUCTION_IN_IMAGE, "matches": len(phrases)}},
        )
        if self.events is not None:
            self.events.safety_flag(INSTRUCTION_IN_IMAGE)
        return (INSTRUCTION_IN_IMAGE,)

    def mask_pii(self, text: str) -> str:
        return mask_pii(text)


def build_safety(settings: SafetySettings, events: SafetyEvents | None = None) -> SafetyFilter:
    return SafetyFilter(settings, events)


__all__ = [
    "INSTRUCTION_IN_IMAGE",
    "BasicSafety",
    "SafetyFilter",
    "build_safety",
    "find_instructions",
    "luhn_ok",
    "mask_pii",
    "valid_cn_id",
]
