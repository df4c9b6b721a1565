"""examples/debug_vision_attention.ipynb is valid nbformat 4 and its code runs on the tiny GLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.vlm

NOTEBOOK = Path(__file__).resolve().parents[3] / "examples" / "debug_vision_attention.ipynb"


def test_notebook_is_valid_and_runs(tiny_glm_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4 and notebook["nbformat_minor"] >= 5
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(set(ids)) == len(ids)
    code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code_cells and all(cell["outputs"] == [] and cell["execution_count"] is None for cell in code_cells)

    out = tmp_path / "heat.png"
    monkeypatch.setenv("VISDESK_EXPLAIN_MODEL", str(tiny_glm_dir))
    monkeypatch.setenv("VISDESK_EXPLAIN_OUT", str(out))
    monkeypatch.setenv("VISDESK_TRANSFORMERS__DEVICE", "cpu")
    namespace: dict[str, object] = {}
    for cell in code_cells:
        exec(compile("".join(cell["source"]), f"<{cell['id']}>", "exec"), namespace)
    assert out.is_file() and out.stat().st_size > 0
    assert namespace["result"].overlay.size == namespace["image"].size  # type: ignore[attr-defined]
