"""Text recognition split across worker threads: both cores busy on one screenshot.

Why: recognition is ~75 % of OCR time (one small CNN run per text line, in batches). With
onnxruntime's own intra-op threads those small batches parallelise poorly and the waiting threads
spin (measured: ~1.6 s of CPU per 1024 px screenshot with 2 intra-op threads vs ~0.95 s with 1).
Giving each session run one thread and recognising interleaved halves of the lines concurrently
keeps both cores doing useful work. Sessions are thread-safe for concurrent runs.

This wraps RapidOCR's recogniser object (`RapidOCR.text_rec`), an internal of rapidocr 3.x;
`install` returns False and leaves the engine as it was when that internal is not there.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

log = logging.getLogger("visdesk.ocr")
_MIN_LINES = 4  # below this, splitting costs more than it saves


class ParallelRecognizer:
    def __init__(self, recognizer: Any, workers: int) -> None:
        from rapidocr.ch_ppocr_rec.typings import TextRecInput, TextRecOutput

        self._recognizer = recognizer
        self._input, self._output = TextRecInput, TextRecOutput
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="visdesk-ocr-rec")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._recognizer, name)

    def __call__(self, request: Any) -> Any:
        crops = [request.img] if isinstance(request.img, np.ndarray) else list(request.img)
        if len(crops) < _MIN_LINES:
            return self._recognizer(request)
        # Interleave by aspect ratio so every worker gets lines of similar widths (batches pad to
        # their widest line) and a similar amount of work.
        order = np.argsort([crop.shape[1] / max(1, crop.shape[0]) for crop in crops])
        shares = [order[k :: self.workers] for k in range(self.workers)]

        def recognise(indexes: np.ndarray) -> Any:
            part = [crops[i] for i in indexes]
            return self._recognizer(self._input(img=part, return_word_box=request.return_word_box))

        outputs = list(self._pool.map(recognise, shares))
        texts: list[str] = [""] * len(crops)
        scores: list[float] = [0.0] * len(crops)
        words: list[Any] = [None] * len(crops)
        for indexes, output in zip(shares, outputs, strict=True):
            for j, i in enumerate(indexes):
                texts[i], scores[i], words[i] = output.txts[j], output.scores[j], output.word_results[j]
        # rapidocr annotates txts as Tuple[str] (a 1-tuple) though it holds one text per crop.
        return self._output(
            crops,
            tuple(texts),  # type: ignore[arg-type]
            scores,
            tuple(words),
            max(o.elapse or 0.0 for o in outputs),
            viser=outputs[0].viser,
        )


def install(engine: Any, workers: int) -> bool:
    """Make `engine` (a RapidOCR) recognise with `workers` threads; False when not possible."""
    if workers < 2:
        return False
    try:
        recognizer = engine._load_rec_model()
        engine.text_rec = ParallelRecognizer(recognizer, workers)
    except (AttributeError, ImportError) as exc:
        log.warning("parallel text recognition unavailable (%s); recognising serially", type(exc).__name__)
        return False
    return True
