"""RapidOCR wrapper: text lines with boxes in the user's original pixel coordinates.

The wheel of `rapidocr` carries its PP-OCR ONNX models, so this runs offline. One engine
instance per process; its sessions are thread-safe for concurrent calls (onnxruntime's by design,
OpenVINO's through one infer request per thread, see `openvino_backend`).
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

import numpy as np

from visdesk.domain import ImageInput, OcrLine
from visdesk.images import pad_for_ocr
from visdesk.perception import openvino_backend
from visdesk.perception.parallel_rec import install as install_parallel_recognition
from visdesk.settings import OcrSettings

log = logging.getLogger("visdesk.ocr")


class OcrReader:
    def __init__(self, settings: OcrSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.parallel_recognition = False
        self.backend = "onnxruntime"  # what the engine runs on, once loaded: "onnxruntime" or "openvino/<precision>"

    @cached_property
    def _engine(self):  # type: ignore[no-untyped-def]
        from rapidocr import RapidOCR

        threads = self.settings.threads or -1
        params = {
            "Global.log_level": "error",
            "Global.use_cls": self.settings.use_cls,
            "Global.text_score": self.settings.min_score,
            "Det.limit_side_len": self.settings.det_limit_side_len,
            "Det.limit_type": "max",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        }
        engine = RapidOCR(params=params)
        if self.settings.backend != "onnxruntime":
            precision = openvino_backend.install(engine, self.settings.threads, self.settings.precision)
            if precision is None and self.settings.backend == "openvino":
                raise RuntimeError(
                    "ocr.backend is 'openvino' but OpenVINO could not be loaded (pip install openvino, "
                    "or set VISDESK_OCR__BACKEND=auto or onnxruntime)"
                )
            if precision is not None:
                self.backend = f"openvino/{precision}"
        log.info("OCR runtime: %s, %d thread(s) per run", self.backend, self.settings.threads)
        self.parallel_recognition = install_parallel_recognition(engine, self.settings.rec_workers)
        return engine

    def warm_up(self) -> None:
        """Load the ONNX sessions now (start-up) rather than on the first customer's request."""
        blank = np.full((64, 256, 3), 255, dtype=np.uint8)
        with self._lock:
            self._engine(blank)

    def read(self, image: ImageInput) -> tuple[OcrLine, ...]:
        """OCR `image.ocr_image`; boxes are mapped back to the original image's pixels."""
        # thin strips padded (right/bottom, boxes unchanged) so the detector's resize cannot reach 0 px
        # RapidOCR expects BGR like OpenCV; contiguous, because every text line is cropped from this array
        # with cv2.warpPerspective, which copies a strided view whole first (≈ 5 ms per line on 1024 px)
        array = np.ascontiguousarray(np.asarray(pad_for_ocr(image.ocr_image))[:, :, ::-1])
        result = self._engine(array)
        if result.txts is None or result.boxes is None:
            return ()
        lines = []
        for text, score, quad in zip(result.txts, result.scores, result.boxes, strict=False):
            if not text.strip():
                continue
            xs = [float(p[0]) for p in quad]
            ys = [float(p[1]) for p in quad]
            box = image.to_original((min(xs), min(ys), max(xs), max(ys)), source="ocr")
            poly = tuple(image.to_original((x, y, x, y), source="ocr")[:2] for x, y in zip(xs, ys, strict=True))
            lines.append(OcrLine(text=text.strip(), box=box, score=float(score), polygon=poly))
        return tuple(lines)
