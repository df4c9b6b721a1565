"""Processor loading, with an image-only GLM-4V path for machines without torchvision.

Why: in transformers 5 the stock Glm4vProcessor always builds a video processor, and that one
(like the "fast" image processor) imports torchvision. There is no CPU torchvision wheel in every
environment, and support answers never carry video, so where torchvision is missing GLM models
get a processor with the PIL image processor and the tokenizer only. Elsewhere the stock
AutoProcessor is used unchanged.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from visdesk.errors import AppError, ErrorCode

log = logging.getLogger("visdesk.engines.transformers")

GLM_MODEL_TYPES = frozenset({"glm4v", "glm4v_moe", "glm46v"})


def _image_only_glm_class() -> type:
    from transformers import ProcessorMixin
    from transformers.models.glm4v.processing_glm4v import Glm4vProcessor

    class ImageOnlyGlm4vProcessor(Glm4vProcessor):
        """Glm4vProcessor without the video slot: prompts and images only (no torchvision needed)."""

        def __init__(
            self, image_processor: Any = None, tokenizer: Any = None, chat_template: Any = None, **kwargs: Any
        ) -> None:
            self.image_token = getattr(tokenizer, "image_token", None) or "<|image|>"
            self.video_token = getattr(tokenizer, "video_token", None) or "<|video|>"
            self.image_token_id = tokenizer.convert_tokens_to_ids(self.image_token)
            self.video_token_id = tokenizer.convert_tokens_to_ids(self.video_token)
            ProcessorMixin.__init__(self, image_processor, tokenizer, chat_template=chat_template, **kwargs)
            self.video_start_id = tokenizer.convert_tokens_to_ids("<|begin_of_video|>")
            self.video_end_id = tokenizer.convert_tokens_to_ids("<|end_of_video|>")

    return ImageOnlyGlm4vProcessor


def model_type(path: Path) -> str:
    try:
        return str(json.loads((path / "config.json").read_text(encoding="utf-8")).get("model_type", ""))
    except (OSError, ValueError):
        return ""


def _chat_template(path: Path, tokenizer: Any) -> str | None:
    """The chat template as shipped: chat_template.jinja, chat_template.json, or the tokenizer's."""
    jinja = path / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    as_json = path / "chat_template.json"
    if as_json.is_file():
        shipped: str | None = json.loads(as_json.read_text(encoding="utf-8")).get("chat_template")
        return shipped
    return getattr(tokenizer, "chat_template", None)


def load_image_only_glm_processor(path: Path) -> Any:
    from transformers import AutoTokenizer
    from transformers.models.glm4v.image_processing_pil_glm4v import Glm4vImageProcessorPil

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    image_processor = Glm4vImageProcessorPil.from_pretrained(path, local_files_only=True)
    cls = _image_only_glm_class()
    return cls(image_processor=image_processor, tokenizer=tokenizer, chat_template=_chat_template(path, tokenizer))


def load_processor(path: Path) -> Any:
    """The model's processor, left-padding (batched generation needs the prompt flush right)."""
    from transformers import AutoProcessor
    from transformers.utils.import_utils import is_torchvision_available

    if not is_torchvision_available() and model_type(path) in GLM_MODEL_TYPES:
        log.info("torchvision missing: using the image-only GLM-4V processor")
        processor = load_image_only_glm_processor(path)
    else:
        try:
            processor = AutoProcessor.from_pretrained(path, local_files_only=True)
        except ImportError as exc:
            raise AppError(
                ErrorCode.ENGINE_UNAVAILABLE,
                f"The processor of {path} needs a package that is missing ({exc}); install torchvision.",
            ) from exc
        except (OSError, ValueError) as exc:
            raise AppError(ErrorCode.ENGINE_UNAVAILABLE, f"Could not load the processor in {path}: {exc}") from exc
    processor.tokenizer.padding_side = "left"
    if processor.tokenizer.pad_token is None:
        processor.tokenizer.pad_token = processor.tokenizer.eos_token
    return processor
