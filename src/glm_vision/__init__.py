"""The seed articles' API, kept working on top of visdesk.

    from glm_vision import GLMVisionModel, ImageQueryProcessor
    model = GLMVisionModel.from_pretrained("glm-4.6v-flash-web")
    model.generate(image="screenshot.png", text="错误码是什么？")

A thin facade: every call runs visdesk's pipeline (intake, safety, OCR, knowledge, engine), with
the engine chosen by "auto" — the GLM VLM when its weights are on disk, else the embedded engine.
"""

from __future__ import annotations

from glm_vision.model import MODEL_IDS, GLMVisionModel, model_id
from glm_vision.processor import ImageQueryProcessor

__all__ = ["MODEL_IDS", "GLMVisionModel", "ImageQueryProcessor", "model_id"]
