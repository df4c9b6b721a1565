"""bench.gpu: refuses clearly without CUDA; its --tiny --device cpu smoke mode runs end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.vlm

ROOT = Path(__file__).resolve().parents[3]


def test_full_run_without_cuda_exits_with_a_clear_message() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present: the full benchmark would run")
    done = subprocess.run(
        [sys.executable, "-m", "bench.gpu", "--no-docs"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert "CUDA" in done.stderr and "--tiny --device cpu" in done.stderr


def test_tiny_cpu_smoke_run_writes_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.gpu.run import main

    out = tmp_path / "gpu.json"
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n")
    argv = ["--tiny", "--device", "cpu", "--concurrency", "1,3", "--new-tokens", "6", "--repeats", "1"]
    argv += ["--batch-wait-ms", "300"]  # 2 busy CPU cores: give the three requests time to meet
    assert main([*argv, "--out", str(out), "--docs", str(docs)]) == 0
    report = json.loads(out.read_text())
    assert report["tiny"] is True and report["image"] == [1024, 768]
    assert report["bandwidth_gbs"] > 0 and report["ceiling_tok_s"] > 0 and report["prompt_tokens"] > 50
    assert report["plain"]["1"]["tokens"] == 6 and report["plain"]["3"]["tokens"] == 18
    assert set(report["http"]) == {"1", "3"}
    assert report["http"]["3"]["tokens"] == 18  # every answer is exactly --new-tokens long
    assert report["http"]["3"]["generate_calls"] < 3  # the three concurrent requests were batched
    assert "| 3 |" in capsys.readouterr().out
    assert docs.read_text() == "# Performance\n"  # --tiny never touches the docs


def test_full_architecture_builder_materialises_from_meta(tmp_path: Path) -> None:
    """The GPU path's builder (meta → device → init), shrunk to CPU size: finite weights, rotary buffers, decoding."""
    import torch
    from bench.gpu.measure import plain_generate
    from bench.gpu.model import GLM_46V_FLASH_TEXT, build_full
    from PIL import Image

    text = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4}
    text["rope_parameters"] = {**GLM_46V_FLASH_TEXT["rope_parameters"], "mrope_section": [1, 1, 2]}  # head_dim 16
    vision = {"depth": 1, "hidden_size": 32, "intermediate_size": 64, "num_heads": 2, "out_hidden_size": 64}
    loaded = build_full(tmp_path, "cpu", text=text, vision=vision)
    model = loaded.model
    assert model.dtype is torch.bfloat16 and model.config.text_config.vocab_size == GLM_46V_FLASH_TEXT["vocab_size"]
    assert all(torch.isfinite(p).all() for p in model.parameters())
    rotary = model.model.language_model.rotary_emb
    assert torch.isfinite(rotary.inv_freq).all() and rotary.inv_freq[0] == 1.0
    prompt = loaded.processor.apply_chat_template(
        [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "order status?"}]}],
        add_generation_prompt=True,
        tokenize=False,
    )
    image = Image.new("RGB", (112, 84), "white")
    timing = plain_generate(loaded, prompt, image, batch=2, new_tokens=5, device="cpu")
    assert timing.tokens == 10 and timing.ttft_s > 0
    inputs = loaded.processor(text=[prompt], images=[image], return_tensors="pt")
    inputs["pixel_values"] = inputs["pixel_values"].to(model.dtype)
    out = model.generate(**inputs, max_new_tokens=5, do_sample=False)
    assert int(out.max()) < len(loaded.tokenizer)  # answers decode to text (streamed, so TTFT is measurable)
