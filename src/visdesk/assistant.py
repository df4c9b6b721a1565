"""The Python API: Assistant.from_pretrained("embedded").generate(image=..., text=...).

Why a private event loop thread: the pipeline is async (engines stream, OCR runs in threads),
while callers of this API are often plain scripts or notebooks that already run a loop. Every
call goes through the same pipeline as HTTP (intake, cache, safety, perception, knowledge,
engine, history), so an answer here is the answer the service would give.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from PIL import Image

from visdesk.domain import Answer, Ask, Delta, GenerationOptions
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import Settings

if TYPE_CHECKING:
    from visdesk.services import Services

ImageLike = str | Path | bytes | bytearray | memoryview | Image.Image | IO[bytes] | None
"""A file path, the file's bytes, an open binary file, or a PIL image (None: reuse the session's image)."""

_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


def image_bytes(image: ImageLike) -> bytes | None:
    """Bytes for the pipeline's intake, which alone decodes and normalises them (as for HTTP uploads)."""
    if image is None:
        return None
    if isinstance(image, bytes | bytearray | memoryview):
        return bytes(image)
    if isinstance(image, Image.Image):
        # PNG is lossless, so the content id (and cache key) matches the same pixels uploaded as a file
        frame = image if image.mode in _PNG_MODES else image.convert("RGB")
        buffer = io.BytesIO()
        frame.save(buffer, format="PNG")
        return buffer.getvalue()
    if hasattr(image, "read"):
        return bytes(image.read())
    path = Path(image).expanduser()
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror or type(exc).__name__
        raise AppError(ErrorCode.MISSING_IMAGE, f"Cannot read the image file {str(path)!r}: {reason}.") from exc


class Assistant:
    """A visdesk pipeline in this process, with a blocking API. Use as a context manager, or call close()."""

    def __init__(self, settings: Settings) -> None:
        from visdesk.app import build_services
        from visdesk.pipeline import Pipeline

        self.settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="visdesk-loop", daemon=True)
        self._thread.start()
        try:
            self.services: Services = self._run(build_services(settings))
        except BaseException:
            self._stop_loop()
            raise
        self.pipeline = Pipeline(self.services)
        self._closed = False

    @classmethod
    def from_pretrained(
        cls, engine: str = "embedded", *, settings: Settings | None = None, **overrides: Any
    ) -> Assistant:
        """`engine` is an engine spec: "embedded", "transformers:<dir>", "remote:<url>", or "auto".

        `settings` (else the environment, VISDESK_*) configures everything else; keyword `overrides`
        replace top-level settings fields, e.g. `data_dir=...` or `safety={"nsfw_enabled": False}`.
        """
        if settings is None:
            return cls(Settings(engine=engine, **overrides))
        merged = Settings.model_validate({**settings.model_dump(), **overrides, "engine": engine})
        return cls(merged)

    @property
    def engine_name(self) -> str:
        return self.services.engine.name

    def _run(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def _ask(self, image: ImageLike, text: str, session_id: str | None, options: dict[str, Any]) -> Ask:
        data = image_bytes(image)
        if data is None and not session_id:  # the same rule as /chat: a question is about an image
            raise AppError(
                ErrorCode.MISSING_IMAGE,
                "No image was given. Pass image= (a path, bytes, a file object or a PIL image), "
                "or continue an earlier conversation with session_id=.",
            )
        return Ask(
            question=text,
            image_bytes=data,
            session_id=session_id,
            options=GenerationOptions(**options),
            route="python",
        )

    def ask(self, image: ImageLike = None, text: str = "", session_id: str | None = None, **options: Any) -> Answer:
        """The full Answer (text, evidence boxes, sources, session id …). Raises AppError on bad input.

        `options` are GenerationOptions fields: max_new_tokens, choices, response_format, regex, …
        """
        from visdesk.streaming import collect

        ask = self._ask(image, text, session_id, options)
        answer: Answer = self._run(collect(self.pipeline.answer(ask)))
        return answer

    async def aask(
        self, image: ImageLike = None, text: str = "", session_id: str | None = None, **options: Any
    ) -> Answer:
        """`ask` for async code: awaits the assistant's own loop without blocking the caller's."""
        from visdesk.streaming import collect

        ask = self._ask(image, text, session_id, options)
        future = asyncio.run_coroutine_threadsafe(collect(self.pipeline.answer(ask)), self._loop)
        return await asyncio.wrap_future(future)

    def generate(self, image: ImageLike = None, text: str = "", session_id: str | None = None, **options: Any) -> str:
        """Just the answer text."""
        return self.ask(image=image, text=text, session_id=session_id, **options).answer

    def ask_many(
        self, pairs: Iterable[tuple[ImageLike, str]], *, return_exceptions: bool = False, **options: Any
    ) -> list[Answer | AppError]:
        """Answer (image, question) pairs concurrently, in order; the load governor bounds the parallelism
        and engines that batch (transformers) batch them. With return_exceptions, a bad pair yields its
        AppError in place instead of failing the whole call."""
        from visdesk.streaming import collect

        async def one(image: ImageLike, text: str) -> Answer:
            return await collect(self.pipeline.answer(self._ask(image, text, None, options)))

        async def everything() -> list[Any]:
            return await asyncio.gather(*(one(i, q) for i, q in pairs), return_exceptions=return_exceptions)

        results: list[Any] = self._run(everything())
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, AppError):
                raise result
        return results

    def stream(
        self, image: ImageLike = None, text: str = "", session_id: str | None = None, **options: Any
    ) -> Iterator[Delta | Answer]:
        """Yield Delta events as the answer is produced, then the final Answer.

        Stopping early (break, or closing the iterator) cancels the generation.
        """
        events = self.pipeline.answer(self._ask(image, text, session_id, options))
        finished = False
        try:
            while True:
                try:
                    yield self._run(anext(events))
                except StopAsyncIteration:
                    finished = True
                    return
        finally:
            if not finished and not self._closed:
                self._run(events.aclose())

    def close(self) -> None:
        """Stop the engine and release the database and cache; safe to call twice."""
        if getattr(self, "_closed", True):
            return
        self._closed = True
        try:
            self._run(self.services.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._loop.is_running():
            self._loop.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
