"""The seed-compatible facade: GLMVisionModel picks the best engine ("auto"), ImageQueryProcessor answers pairs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

import glm_vision.model
from glm_vision import GLMVisionModel, ImageQueryProcessor, model_id
from tests.api.dialog import CODE, payment_error_dialog
from tests.conftest import make_settings
from visdesk.errors import AppError, ErrorCode


@pytest.fixture(scope="module")
def dialog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("glm") / "payment-error.png"
    payment_error_dialog().save(path)
    return path


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GLMVisionModel]:
    glm_vision.model._fallback_logged.clear()
    settings = make_settings(tmp_path_factory.mktemp("glm-settings"))
    with GLMVisionModel.from_pretrained("glm-4.6v-flash-web", settings=settings) as loaded:
        yield loaded


def test_seed_names_map_to_hub_ids_and_paths_pass_through() -> None:
    assert model_id("glm-4.6v-flash-web") == "zai-org/GLM-4.6V-Flash"
    assert model_id("GLM-4.6V-Flash-Web ") == "zai-org/GLM-4.6V-Flash"
    assert model_id("/models/my-glm") == "/models/my-glm"


def test_without_weights_auto_falls_back_to_embedded_and_answers(model: GLMVisionModel, dialog_path: Path) -> None:
    assert model.engine_name == "embedded"
    assert model.assistant.settings.transformers.model == "zai-org/GLM-4.6V-Flash"
    text = model.generate(image=str(dialog_path), text="错误码是什么？")
    assert isinstance(text, str) and CODE in text
    assert model.ask(image=dialog_path, text="订单号是多少？").evidence


def test_fallback_is_logged_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    glm_vision.model._fallback_logged.discard("glm-4.6v")
    caplog.set_level(logging.WARNING, logger="glm_vision")
    settings = make_settings(tmp_path)
    for _ in range(2):
        GLMVisionModel.from_pretrained("glm-4.6v", settings=settings).close()
    lines = [r for r in caplog.records if r.name == "glm_vision"]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert "falling back to the embedded engine" in message and "zai-org/GLM-4.6V" in message


def test_processor_answers_one_pair_and_batches(model: GLMVisionModel, dialog_path: Path) -> None:
    processor = ImageQueryProcessor(model)
    assert CODE in processor(dialog_path, "错误码是什么？")
    answers = processor.process(
        [
            (dialog_path, "错误码是什么？"),
            (payment_error_dialog(), "订单号是多少？"),
            (dialog_path.read_bytes(), "错误码？"),
        ]
    )
    assert len(answers) == 3
    assert CODE in answers[0] and "7731" in answers[1] and CODE in answers[2]


def test_processor_reports_bad_pairs(model: GLMVisionModel, dialog_path: Path) -> None:
    processor = ImageQueryProcessor(model)
    with pytest.raises(AppError) as caught:
        processor.process([(dialog_path, "错误码是什么？"), (b"GIF89a-but-broken", "这是什么？")])
    assert caught.value.code is ErrorCode.CORRUPT_IMAGE
    mixed = processor.process([(b"%PDF-1.4", "这是什么？"), (dialog_path, "错误码是什么？")], return_errors=True)
    assert isinstance(mixed[0], AppError) and mixed[0].code is ErrorCode.UNSUPPORTED_MEDIA_TYPE
    assert isinstance(mixed[1], str) and CODE in mixed[1]


def test_processor_normalisation_is_visdesk_intake(model: GLMVisionModel) -> None:
    processor = ImageQueryProcessor(model)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways
    buffer = io.BytesIO()
    Image.new("RGBA", (3000, 1000), (255, 0, 0, 255)).convert("RGB").save(buffer, "JPEG", exif=exif.tobytes())
    upright = processor.normalize_image(buffer.getvalue())
    assert upright.mode == "RGB"
    assert upright.height == 1024 and abs(upright.width - 341) <= 1  # portrait now, longest side = images.max_side
    assert processor.normalize_question("  错误码\x00是什么？ \n") == "错误码是什么？"
    with pytest.raises(AppError) as caught:
        processor.normalize_question(" \t ")
    assert caught.value.code is ErrorCode.EMPTY_QUESTION


@pytest.mark.vlm
@pytest.mark.slow
def test_local_weights_make_auto_choose_the_transformers_engine(
    tmp_path: Path, dialog_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.support.tiny_glm import build_tiny_glm

    weights = build_tiny_glm(tmp_path / "tiny-glm")
    caplog.set_level(logging.WARNING, logger="glm_vision")
    settings = make_settings(tmp_path, transformers={"max_new_tokens": 8, "num_beams": 1, "batch_wait_ms": 1.0})
    with GLMVisionModel.from_pretrained(str(weights), settings=settings) as vlm:
        assert vlm.engine_name == "transformers"
        text = vlm.generate(image=dialog_path, text="错误码是什么？")
    assert isinstance(text, str)  # random weights: any text, but produced by the VLM path
    assert not [r for r in caplog.records if r.name == "glm_vision"]  # no fallback line
