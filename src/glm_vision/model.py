"""GLMVisionModel: `from_pretrained(name).generate(image=..., text=...)`, answered by the best engine available."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from visdesk.assistant import Assistant, ImageLike
from visdesk.domain import Answer, Delta
from visdesk.settings import Settings

log = logging.getLogger("glm_vision")

MODEL_IDS: dict[str, str] = {
    # the names used in the seed articles → Hugging Face ids (looked up in the local cache only)
    "glm-4.6v-flash-web": "zai-org/GLM-4.6V-Flash",
    "glm-4.6v-flash": "zai-org/GLM-4.6V-Flash",
    "glm-4.6v": "zai-org/GLM-4.6V",
    "glm-4.5v": "zai-org/GLM-4.5V",
    "glm-4.1v-9b-thinking": "zai-org/GLM-4.1V-9B-Thinking",
}

_fallback_logged: set[str] = set()
_fallback_lock = threading.Lock()


def model_id(name: str) -> str:
    """A seed-article model name → its Hugging Face id; anything else (an id, a local directory) as given."""
    return MODEL_IDS.get(name.strip().lower(), name)


def _log_fallback_once(name: str, engine: str) -> None:
    with _fallback_lock:
        if name in _fallback_logged:
            return
        _fallback_logged.add(name)
    log.warning(
        "No VLM weights found for %s (%s); falling back to the %s engine (OCR + knowledge base).",
        name,
        model_id(name),
        engine,
    )


class GLMVisionModel:
    """A GLM vision model as the seed articles used it, served by visdesk."""

    def __init__(self, assistant: Assistant, name: str) -> None:
        self.assistant = assistant
        self.name = name

    @classmethod
    def from_pretrained(
        cls,
        name: str = "glm-4.6v-flash-web",
        *,
        engine: str = "auto",
        settings: Settings | None = None,
        **overrides: Any,
    ) -> GLMVisionModel:
        """Load `name` (a seed-article name, a Hugging Face id in the local cache, or a directory).

        With engine "auto" the transformers engine answers when the weights are on disk; otherwise the
        embedded engine does, and one log line says so. Weights are never downloaded.
        """
        base = settings if settings is not None else Settings(**overrides)
        data = base.model_dump()
        if settings is not None:
            data.update(overrides)
        data["engine"] = engine
        data.setdefault("transformers", {})["model"] = model_id(name)
        assistant = Assistant(Settings.model_validate(data))
        if engine == "auto" and assistant.engine_name != "transformers" and not base.remote.base_url:
            _log_fallback_once(name, assistant.engine_name)
        return cls(assistant, name)

    @property
    def engine_name(self) -> str:
        """Which engine answers: "transformers", "embedded" or "remote"."""
        return self.assistant.engine_name

    def generate(self, image: ImageLike = None, text: str = "", **options: Any) -> str:
        """The answer text for one image and question (options: max_new_tokens, choices, regex …)."""
        return self.assistant.generate(image=image, text=text, **options)

    def ask(self, image: ImageLike = None, text: str = "", **options: Any) -> Answer:
        """The full visdesk Answer, with evidence boxes and sources."""
        return self.assistant.ask(image=image, text=text, **options)

    def stream(self, image: ImageLike = None, text: str = "", **options: Any) -> Iterator[Delta | Answer]:
        return self.assistant.stream(image=image, text=text, **options)

    def close(self) -> None:
        self.assistant.close()

    def __enter__(self) -> GLMVisionModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
