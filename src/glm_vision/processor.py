"""ImageQueryProcessor: the seed articles' helper that answers (image, question) pairs.

The seed code normalised images and questions itself (resize, RGB, strip); here that is delegated
to visdesk, so the facade answers exactly what the HTTP service would for the same pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PIL import Image

from glm_vision.model import GLMVisionModel
from visdesk.assistant import Assistant, ImageLike, image_bytes
from visdesk.errors import AppError, ErrorCode
from visdesk.images import intake


class ImageQueryProcessor:
    """Answers (image, question) pairs with a GLMVisionModel (or a visdesk Assistant)."""

    def __init__(self, model: GLMVisionModel | Assistant | None = None) -> None:
        self.model = model if model is not None else GLMVisionModel.from_pretrained()
        self._assistant: Assistant = self.model.assistant if isinstance(self.model, GLMVisionModel) else self.model

    def __call__(self, image: ImageLike, question: str, **options: Any) -> str:
        """The answer to one question about one image."""
        return self._assistant.generate(image=image, text=question, **options)

    def process(
        self, pairs: Iterable[tuple[ImageLike, str]], *, return_errors: bool = False, **options: Any
    ) -> list[str | AppError]:
        """Answers for many pairs, in order, computed concurrently. A bad pair raises its AppError, or with
        `return_errors=True` stands in the list in place of its answer."""
        results = self._assistant.ask_many(list(pairs), return_exceptions=return_errors, **options)
        return [r if isinstance(r, AppError) else r.answer for r in results]

    def normalize_image(self, image: ImageLike) -> Image.Image:
        """The RGB, upright, size-capped image visdesk's engines receive (intake's normalisation)."""
        data = image_bytes(image)
        if data is None:
            raise AppError(ErrorCode.MISSING_IMAGE, "No image given.")
        return intake(data, self._assistant.settings.images).image

    def normalize_question(self, question: str) -> str:
        """The question as visdesk accepts it (NFC, control characters removed, trimmed, length-checked)."""
        return self._assistant.services.safety.check_question(question)

    def close(self) -> None:
        self.model.close()
