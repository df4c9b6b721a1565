"""`visdesk kb ingest/search` as a customer runs them, and the start-up path the app uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_settings
from tests.knowledge.conftest import ask
from visdesk.knowledge import DEMO_DIR, build_knowledge


def _visdesk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "visdesk", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_ingest_is_incremental_and_search_prints_citations(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "delivery.md").write_text(
        "# 配送说明 / Delivery\n\n## 配送时间 / Delivery times\n\n同城次日达。Same-city orders arrive the next day.\n",
        encoding="utf-8",
    )
    (kb / "codes.csv").write_text("code,message,solution\nZ-5001,Gift card frozen,Call support\n", encoding="utf-8")
    (kb / "returns.txt").write_text("退货\n\n七天无理由退货。Returns within 7 days.", encoding="utf-8")
    index = tmp_path / "cli.sqlite3"
    first = _visdesk("kb", "ingest", str(kb), "--index", str(index), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "3 added" in first.stdout and "0 unchanged" in first.stdout
    second = _visdesk("kb", "ingest", str(kb), "--index", str(index), cwd=tmp_path)
    assert "0 added" in second.stdout and "3 unchanged" in second.stdout

    found = _visdesk("kb", "search", "同城多久能到", "--index", str(index), cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("1. [") and "配送说明 / Delivery › 配送时间 / Delivery times" in found.stdout
    as_json = json.loads(_visdesk("kb", "search", "z5001", "--index", str(index), "--json", cwd=tmp_path).stdout)
    assert as_json[0]["kind"] == "error_code" and as_json[0]["meta"]["code"] == "Z-5001"


def test_cli_ingest_reports_a_missing_folder(tmp_path: Path) -> None:
    result = _visdesk("kb", "ingest", str(tmp_path / "nope"), "--index", str(tmp_path / "x.sqlite3"), cwd=tmp_path)
    assert result.returncode == 2 and "not found" in result.stderr


def test_start_up_ingests_configured_folders_or_the_demo(tmp_path: Path) -> None:
    demo = build_knowledge(make_settings(tmp_path / "a"))
    assert demo.index.count() > 50 and len(demo.products) >= 10
    assert demo.search(ask("付不了钱怎么办"), None, 1)[0].source == "faq/payment.md"

    own = tmp_path / "own"
    own.mkdir()
    (own / "hours.txt").write_text("Opening hours\n\nWe open at 10am every day.", encoding="utf-8")
    mine = build_knowledge(
        make_settings(tmp_path / "b", knowledge={"index_path": tmp_path / "b.sqlite3", "dirs": [own]})
    )
    assert mine.index.count() == 1 and not mine.products
    assert mine.search(ask("when do you open"), None, 1)[0].source == "hours.txt"

    none = build_knowledge(
        make_settings(tmp_path / "c", knowledge={"index_path": tmp_path / "c.sqlite3", "use_demo": False})
    )
    assert none.search(ask("付不了钱怎么办"), None, 3) == []
    assert DEMO_DIR.is_dir()
