"""Offline model resolution and loading: missing weights fail fast with a clear error, never a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import make_settings
from visdesk.engines import create_engine
from visdesk.engines.hf.loading import choose_dtype, quantization_config, resolve_model_dir
from visdesk.engines.transformers import weights_available
from visdesk.errors import AppError, ErrorCode

pytestmark = pytest.mark.vlm


def test_bogus_hub_id_fails_fast_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache
    started = time.monotonic()
    with pytest.raises(AppError) as caught:
        create_engine("transformers:no-such-org/no-such-model-7b", make_settings(tmp_path))
    assert time.monotonic() - started < 5
    assert caught.value.code is ErrorCode.MODEL_NOT_FOUND
    assert "no-such-org/no-such-model-7b" in caught.value.message
    assert not weights_available("no-such-org/no-such-model-7b")


def test_missing_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "models" / "glm-4.6v-flash"
    with pytest.raises(AppError) as caught:
        create_engine(f"transformers:{missing}", make_settings(tmp_path))
    assert caught.value.code is ErrorCode.MODEL_NOT_FOUND and str(missing) in caught.value.message


def test_directory_without_weights_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(AppError) as caught:
        resolve_model_dir(str(tmp_path))
    assert caught.value.code is ErrorCode.MODEL_NOT_FOUND and "weights" in caught.value.message
    assert not weights_available(str(tmp_path))


def test_argument_overrides_the_configured_model(tiny_glm_dir: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, transformers={"model": "no-such-org/absent"})
    engine = create_engine(f"transformers:{tiny_glm_dir}", settings)
    assert engine.model_name == str(tiny_glm_dir)
    assert weights_available(str(tiny_glm_dir))
    with pytest.raises(AppError):
        create_engine("transformers", settings)  # falls back to settings.transformers.model, which is absent


def test_dtype_defaults_and_quantization_errors() -> None:
    import importlib.util

    import torch

    assert choose_dtype("auto", "cpu") is torch.float32
    assert choose_dtype("auto", "cuda") is torch.bfloat16
    assert quantization_config("none", torch.float32) is None
    if importlib.util.find_spec("bitsandbytes") is None:
        with pytest.raises(AppError) as caught:
            quantization_config("4bit", torch.bfloat16)
        assert caught.value.code is ErrorCode.ENGINE_UNAVAILABLE and "bitsandbytes" in caught.value.message


def test_loaded_processor_handles_glm_without_torchvision(engine) -> None:  # type: ignore[no-untyped-def]
    from transformers.utils import is_torchvision_available

    processor = engine.loaded.processor
    assert processor.tokenizer.padding_side == "left"
    if not is_torchvision_available():
        assert type(processor).__name__ == "ImageOnlyGlm4vProcessor"
        assert not hasattr(processor, "video_processor")
    assert engine.loaded.model.config.model_type == "glm4v"
    assert engine.loaded.model.dtype.is_floating_point and str(engine.loaded.device) == "cpu"


def test_auto_picks_transformers_only_when_weights_are_on_disk(tiny_glm_dir: Path, tmp_path: Path) -> None:
    with_weights = make_settings(tmp_path, engine="auto", transformers={"model": str(tiny_glm_dir)})
    assert create_engine("auto", with_weights).name == "transformers"
    without = make_settings(tmp_path, engine="auto", transformers={"model": str(tmp_path / "absent")})
    assert create_engine("auto", without).name == "embedded"
