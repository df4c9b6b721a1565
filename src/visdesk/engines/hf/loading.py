"""Find and load a Hugging Face image-text-to-text model from disk, never from the network.

Why `local_files_only` everywhere: a service must start (or refuse to start) in seconds; a
from_pretrained that quietly reaches for the Hub hangs behind firewalls. Weights are a local
directory or a snapshot already in the HF cache, and a missing one is a clear AppError naming
what was looked for.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visdesk.errors import AppError, ErrorCode
from visdesk.settings import TransformersSettings

log = logging.getLogger("visdesk.engines.transformers")

WEIGHT_PATTERNS = ("*.safetensors", "*.safetensors.index.json", "pytorch_model*.bin", "model*.bin")


@dataclass
class LoadedModel:
    """What generation needs: the model, its processor/tokenizer, and where the inputs go."""

    model: Any  # a transformers PreTrainedModel (AutoModelForImageTextToText)
    processor: Any  # a ProcessorMixin with .tokenizer and .image_processor
    path: Path
    device: Any  # torch.device of the input embeddings

    @property
    def tokenizer(self) -> Any:
        return self.processor.tokenizer


def _has_weights(directory: Path) -> bool:
    return (directory / "config.json").is_file() and any(
        next(directory.glob(pattern), None) is not None for pattern in WEIGHT_PATTERNS
    )


def _looks_like_path(model: str) -> bool:
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model


def resolve_model_dir(model: str) -> Path:
    """The local directory holding `model` (a directory or a cached Hub id). Raises MODEL_NOT_FOUND."""
    if not model:
        raise AppError(ErrorCode.MODEL_NOT_FOUND, "No transformers model configured (settings.transformers.model).")
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        if _has_weights(candidate):
            return candidate
        raise AppError(
            ErrorCode.MODEL_NOT_FOUND,
            f"Model directory {candidate} has no config.json with weights (*.safetensors or *.bin).",
        )
    if _looks_like_path(model):
        raise AppError(ErrorCode.MODEL_NOT_FOUND, f"Model directory {candidate} does not exist.")
    return _cached_snapshot(model)


def _cached_snapshot(repo_id: str) -> Path:
    """The HF-cache snapshot of `repo_id`, looked up offline (never downloads)."""
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        snapshot = Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, HFValidationError, FileNotFoundError, OSError) as exc:
        raise AppError(
            ErrorCode.MODEL_NOT_FOUND,
            f"Model {repo_id!r} is neither a local directory nor in the Hugging Face cache "
            f"({constants.HF_HUB_CACHE}). Download it elsewhere (huggingface-cli download {repo_id}) and set "
            "VISDESK_ENGINE=transformers:/path/to/model.",
        ) from exc
    if not _has_weights(snapshot):
        raise AppError(ErrorCode.MODEL_NOT_FOUND, f"The cached snapshot {snapshot} of {repo_id!r} has no weights.")
    return snapshot


def weights_available(model: str) -> bool:
    """True when `model` can be loaded offline (a directory with config + weights, or a cached snapshot)."""
    try:
        resolve_model_dir(model)
    except AppError:
        return False
    return True


def choose_device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if setting.startswith("cuda") and not torch.cuda.is_available():
        raise AppError(ErrorCode.ENGINE_UNAVAILABLE, f"transformers.device={setting!r} but CUDA is not available.")
    return setting


def choose_dtype(setting: str, device: str) -> Any:
    """bf16 on CUDA, fp32 on CPU unless set explicitly."""
    import torch

    if setting == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    dtype = getattr(torch, setting, None)
    if not isinstance(dtype, torch.dtype):
        raise AppError(ErrorCode.ENGINE_UNAVAILABLE, f"Unknown transformers.dtype {setting!r}.")
    return dtype


def quantization_config(setting: str, dtype: Any) -> Any:
    """A BitsAndBytesConfig for '4bit'/'8bit', None for 'none'; a clear error without bitsandbytes."""
    if setting in ("", "none"):
        return None
    if setting not in ("4bit", "8bit"):
        raise AppError(ErrorCode.ENGINE_UNAVAILABLE, f"Unknown transformers.quantization {setting!r}.")
    if importlib.util.find_spec("bitsandbytes") is None:
        raise AppError(
            ErrorCode.ENGINE_UNAVAILABLE,
            f"transformers.quantization={setting!r} needs bitsandbytes (pip install bitsandbytes) and a CUDA GPU.",
        )
    from transformers import BitsAndBytesConfig

    if setting == "4bit":
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype)
    return BitsAndBytesConfig(load_in_8bit=True)


def load_model(settings: TransformersSettings, model: str, *, attn_implementation: str | None = None) -> LoadedModel:
    """Load weights + processor from disk (slow: call it off the event loop)."""
    from transformers import AutoModelForImageTextToText
    from transformers.utils import logging as hf_logging

    from visdesk.engines.hf.processor import load_processor

    path = resolve_model_dir(model)
    device = choose_device(settings.device)
    dtype = choose_dtype(settings.dtype, device)
    quant = quantization_config(settings.quantization, dtype)
    kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True, "use_safetensors": _has_safetensors(path)}
    if device.startswith("cuda"):
        kwargs["device_map"] = "auto" if device == "cuda" else {"": device}
    if quant is not None:
        kwargs["quantization_config"] = quant
    if attn_implementation or settings.attn_implementation:
        kwargs["attn_implementation"] = attn_implementation or settings.attn_implementation
    hf_logging.disable_progress_bar()
    processor = load_processor(path)
    try:
        hf_model = AutoModelForImageTextToText.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as exc:
        raise AppError(ErrorCode.ENGINE_UNAVAILABLE, f"Could not load the model in {path}: {exc}") from exc
    if device == "cpu":
        # PreTrainedModel.to is wrapped by functools.wraps; typeshed's _Wrapped does not bind self.
        hf_model.to("cpu")  # type: ignore[arg-type]
    hf_model.eval()
    log.info("loaded model", extra={"fields": {"path": str(path), "device": device, "dtype": str(dtype)}})
    device_of_inputs = hf_model.get_input_embeddings().weight.device
    return LoadedModel(model=hf_model, processor=processor, path=path, device=device_of_inputs)


def _has_safetensors(path: Path) -> bool:
    return next(path.glob("*.safetensors"), None) is not None
