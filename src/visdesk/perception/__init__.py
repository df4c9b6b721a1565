"""Perception: OCR lines → layout facts, cached per image content id."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from visdesk.domain import ImageInput, Perception
from visdesk.perception.layout import analyse
from visdesk.perception.ocr import OcrReader
from visdesk.settings import Settings


class CachedPerceiver:
    """Runs OCR (+ layout) off the event loop; follow-up questions on the same image reuse the result."""

    def __init__(self, reader: OcrReader, cache_size: int = 256) -> None:
        self.reader = reader
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Perception] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[Perception]] = {}

    def cached(self, content_id: str) -> Perception | None:
        seen = self._cache.get(content_id)
        if seen is not None:
            self._cache.move_to_end(content_id)
        return seen

    async def see(self, image: ImageInput) -> Perception:
        seen = self.cached(image.content_id)
        if seen is not None:
            return seen
        pending = self._inflight.get(image.content_id)
        if pending is not None:  # the same image is being read for another request: share it
            return await asyncio.shield(pending)
        future: asyncio.Future[Perception] = asyncio.get_running_loop().create_future()
        self._inflight[image.content_id] = future
        try:
            seen = await asyncio.to_thread(self.perceive, image)
            future.set_result(seen)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved when nobody else waits
            raise
        finally:
            self._inflight.pop(image.content_id, None)
        self._cache[image.content_id] = seen
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return seen

    def perceive(self, image: ImageInput) -> Perception:
        """Synchronous OCR + layout (also used by benchmarks and the CLI)."""
        lines = self.reader.read(image)
        return analyse(image.content_id, image.original_size, lines, image)


def build_perceiver(settings: Settings) -> CachedPerceiver:
    return CachedPerceiver(OcrReader(settings.ocr), settings.ocr.perception_cache_size)
