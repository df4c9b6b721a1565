"""OpenVINO inference for RapidOCR's detection and recognition models (same ONNX files).

Why: on CPUs with AVX-512 BF16 / AMX, OpenVINO runs the PP-OCR networks in bfloat16 and is about
twice as fast as onnxruntime's fp32 kernels (measured in docs/ocr-tuning.md), which is what a new
image's latency is made of. On other CPUs it runs fp32 and is still somewhat faster.

RapidOCR's own OpenVINO engine keeps one infer request per model, so two threads recognising
at once would overwrite each other's output; `OpenVinoSession` gives every thread its own infer
request on one compiled model. It replaces the `session` of RapidOCR's detector and recogniser
(internals of rapidocr 3.x, as `parallel_rec` does): the recogniser keeps the character list it
read from the ONNX metadata when RapidOCR loaded it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

log = logging.getLogger("visdesk.ocr")

Precision = Literal["auto", "f32", "bf16"]


def available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


class OpenVinoSession:
    """A compiled OpenVINO model called like RapidOCR's sessions: array in, first output out."""

    def __init__(self, model_path: Path, threads: int, precision: Precision) -> None:
        import openvino as ov

        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY"}
        if threads > 0:
            config["INFERENCE_NUM_THREADS"] = threads
        if precision != "auto":
            config["INFERENCE_PRECISION_HINT"] = precision
        core = ov.Core()
        self.model_path = model_path
        self._compiled = core.compile_model(core.read_model(str(model_path)), "CPU", config)
        used = self._compiled.get_property("INFERENCE_PRECISION_HINT")  # an openvino Type: bf16, f32, ...
        self.precision = used.get_type_name() if hasattr(used, "get_type_name") else str(used)
        self._local = threading.local()

    def __call__(self, input_content: np.ndarray) -> np.ndarray:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        request.infer({0: input_content})
        # The output tensor is reused by the next inference of this request: hand out a copy.
        return np.array(request.get_output_tensor(0).data, copy=True)


def _model_path(component: Any) -> Path:
    """The ONNX file RapidOCR loaded for a detector or recogniser (its onnxruntime session's)."""
    return Path(component.session.session._model_path)


def install(engine: Any, threads: int, precision: Precision) -> str | None:
    """Run `engine`'s (a RapidOCR) detector and recogniser on OpenVINO; the precision used, or None.

    Returns None, leaving onnxruntime in place, when OpenVINO or the rapidocr internals are
    missing, or OpenVINO cannot compile a model.
    """
    if not available():
        return None
    try:
        detector = engine._load_det_model()
        recognizer = engine._load_rec_model()
        det_session = OpenVinoSession(_model_path(detector), threads, precision)
        rec_session = OpenVinoSession(_model_path(recognizer), threads, precision)
    except Exception as exc:  # any failure means: keep the working onnxruntime sessions
        log.warning("OpenVINO unavailable for OCR (%s: %s); using onnxruntime", type(exc).__name__, exc)
        return None
    detector.session = det_session
    recognizer.session = rec_session
    return rec_session.precision
