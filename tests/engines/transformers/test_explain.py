"""Attention heatmaps from the tiny GLM: grid shape follows the image's merged patch grid; PNG written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.support.render import png_bytes, render_lines
from visdesk.cli import main

pytestmark = pytest.mark.vlm


@pytest.fixture(scope="module")
def explain_model(tiny_glm_dir: Path):  # type: ignore[no-untyped-def]
    from visdesk.engines.explain import load_for_explain
    from visdesk.settings import TransformersSettings

    return load_for_explain(TransformersSettings(device="cpu"), str(tiny_glm_dir))


def test_heatmap_lies_on_the_merged_patch_grid(explain_model) -> None:  # type: ignore[no-untyped-def]
    from visdesk.engines.explain import explain

    image = render_lines(["Error E42", "Restart"], size=20, width=224)  # wide: more columns than rows
    result = explain(explain_model, image, "What does the error mean?", max_new_tokens=6, last_layers=2)
    grid_h, grid_w = result.grid.shape
    processed = explain_model.processor.image_processor(images=[image], return_tensors="pt")
    _t, h, w = processed["image_grid_thw"][0].tolist()
    assert (grid_h, grid_w) == (h // 2, w // 2) and grid_w > grid_h
    assert np.isclose(result.grid.sum(), 1.0, atol=1e-4) and (result.grid >= 0).all()
    assert result.heatmap.shape == (image.height, image.width)
    assert result.heatmap.min() >= 0.0 and result.heatmap.max() <= 1.0
    assert result.overlay.size == image.size and result.layers == (0, 1)
    assert not np.array_equal(np.asarray(result.overlay), np.asarray(image))


def test_cli_writes_the_png(tiny_glm_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "receipt.png"
    source.write_bytes(png_bytes(render_lines(["Total 12.50"], size=20, width=200)))
    out = tmp_path / "heat" / "map.png"
    code = main(
        ["explain", str(source), "What is the total?", "--out", str(out), "--model", str(tiny_glm_dir),
         "--device", "cpu", "--max-new-tokens", "4"]
    )  # fmt: skip
    assert code == 0
    with Image.open(out) as written:
        assert written.format == "PNG" and written.size == Image.open(source).size
    assert "heatmap:" in capsys.readouterr().out


def test_cli_reports_missing_weights(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "x.png"
    source.write_bytes(png_bytes(render_lines(["x"], size=20, width=100)))
    code = main(["explain", str(source), "q?", "--model", str(tmp_path / "absent"), "--out", str(tmp_path / "o.png")])
    assert code == 2 and "model_not_found" in capsys.readouterr().err
