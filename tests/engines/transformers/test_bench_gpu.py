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
