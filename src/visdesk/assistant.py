"""The Python API: Assistant.from_pretrained("embedded").generate(image=..., text=...).

Why a private event loop thread: the pipeline is async (engines stream, OCR runs in threads),
while callers of this API are often plain scripts or notebooks that already run a loop.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PIL import Image

from visdesk.domain import Answer, Ask, Delta, GenerationOptions
from visdesk.settings import Settings

ImageLike = str | Path | bytes | Image.Image | None


def _image_bytes(image: ImageLike) -> bytes | None:
    if image is None:
        return None
    if isinstance(image, bytes):
        return image
    if isinstance(image, Image.Image):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
    return Path(image).read_bytes()


class Assistant:
    """A visdesk pipeline in this process, with a blocking API."""

    def __init__(self, settings: Settings) -> None:
        from visdesk.app import build_services
        from visdesk.pipeline import Pipeline

        self.settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="visdesk-loop", daemon=True)
        self._thread.start()
        self.services = self._run(build_services(settings))
        self.pipeline = Pipeline(self.services)

    @classmethod
    def from_pretrained(cls, engine: str = "embedded", **overrides: Any) -> Assistant:
        """`engine` is an engine spec: "embedded", "transformers:<dir>", "remote:<url>", or "auto"."""
        return cls(Settings(engine=engine, **overrides))

    @property
    def engine_name(self) -> str:
        return self.services.engine.name

    def _run(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def _ask(self, image: ImageLike, text: str, session_id: str | None, **options: Any) -> Ask:
        return Ask(
            question=text,
            image_bytes=_image_bytes(image),
            session_id=session_id,
            options=GenerationOptions(**options),
            route="python",
        )

    def ask(self, image: ImageLike = None, text: str = "", session_id: str | None = None, **options: Any) -> Answer:
        """The full Answer (text, evidence boxes, sources, session id …). Raises AppError on bad input."""
        from visdesk.streaming import collect

        return self._run(collect(self.pipeline.answer(self._ask(image, text, session_id, **options))))  # type: ignore[no-any-return]

    def generate(self, image: ImageLike = None, text: str = "", **options: Any) -> str:
        """Just the answer text."""
        return self.ask(image=image, text=text, **options).answer

    def stream(
        self, image: ImageLike = None, text: str = "", session_id: str | None = None, **options: Any
    ) -> Iterator[Delta | Answer]:
        """Yield Delta events as the answer is produced, then the final Answer."""
        events = self.pipeline.answer(self._ask(image, text, session_id, **options))
        while True:
            try:
                yield self._run(anext(events))
            except StopAsyncIteration:
                return

    def close(self) -> None:
        if self._loop.is_running():
            self._run(self.services.close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
