"""Safety checks on what users send: question hygiene, image classifier, untrusted image text, PII."""

from __future__ import annotations

import re
import unicodedata

from visdesk.domain import ImageInput, Perception
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import SafetySettings

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BasicSafety:
    """Question checks only; `safety_full.SafetyFilter` adds the image classifier, injection and PII rules."""

    def __init__(self, settings: SafetySettings) -> None:
        self.settings = settings

    def check_question(self, question: str) -> str:
        cleaned = _CONTROL.sub("", unicodedata.normalize("NFC", question or "")).strip()
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
