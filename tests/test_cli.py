"""The real `visdesk` command in a subprocess: ask (streamed and --json), bad input → exit 2, serve."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.dialog import CODE, code_box, overlaps, payment_error_dialog
from tests.support.server import free_port

SCRIPT = Path(sys.executable).with_name("visdesk")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "visdesk"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def env(workdir: Path) -> dict[str, str]:
    """Settings through the environment, isolated from the developer's (as a user would configure it)."""
    isolated = {k: v for k, v in os.environ.items() if not k.startswith("VISDESK_")}
    isolated.update(
        VISDESK_DATA_DIR=str(workdir),
        VISDESK_HISTORY__DATABASE_URL=f"sqlite:///{workdir / 'history.sqlite3'}",
        VISDESK_KNOWLEDGE__INDEX_PATH=str(workdir / "kb.sqlite3"),
        VISDESK_SAFETY__NSFW_ENABLED="false",
        VISDESK_CACHE__URL="memory://",
    )
    return isolated


@pytest.fixture(scope="module")
def dialog(workdir: Path) -> Path:
    path = workdir / "payment-error.png"
    payment_error_dialog().save(path)
    return path


def run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(COMMAND + args, env=env, cwd=cwd, capture_output=True, input=stdin, timeout=240)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def test_ask_streams_the_answer_and_lists_evidence(dialog: Path, env: dict[str, str], workdir: Path) -> None:
    done = run(["ask", str(dialog), "错误码是什么？"], env, workdir)
    assert done.returncode == 0, done.stderr
    first_line, *rest = done.stdout.splitlines()
    assert CODE in first_line
    assert any(line.strip().startswith("evidence:") for line in rest)


def test_ask_json_from_stdin_prints_the_response_object(dialog: Path, env: dict[str, str], workdir: Path) -> None:
    done = run(["ask", "-", "错误码是什么？", "--json"], env, workdir, stdin=dialog.read_bytes())
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert CODE in body["answer"]
    assert body["engine"] == "embedded" and body["session_id"]
    assert any(e["box"] and overlaps(e["box"], code_box()) for e in body["evidence"])


def test_bad_input_exits_2_with_the_message(workdir: Path, env: dict[str, str]) -> None:
    fake = workdir / "not-really.png"
    fake.write_text("this is a text file with an image's name\n")
    done = run(["ask", str(fake), "这是什么？"], env, workdir)
    assert done.returncode == 2
    assert "error (unsupported_media_type)" in done.stderr
    assert "not a supported image" in done.stderr
    assert "Traceback" not in done.stderr


def test_unreadable_path_and_bad_usage_exit_2(workdir: Path, env: dict[str, str]) -> None:
    started = time.perf_counter()
    missing = run(["ask", str(workdir / "missing.png"), "错误码是什么？"], env, workdir)
    assert missing.returncode == 2
    assert "error (missing_image)" in missing.stderr and "missing.png" in missing.stderr
    assert time.perf_counter() - started < 60  # refused before any model loads
    usage = run(["ask", "only-an-image.png"], env, workdir)
    assert usage.returncode == 2 and "question" in usage.stderr


def test_serve_runs_the_http_service(workdir: Path, env: dict[str, str]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*COMMAND, "serve", "--host", "127.0.0.1", "--port", str(port), "--engine", "embedded"],
        env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(base + "/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, process.stdout.read() if process.stdout else ""
        assert ready.json()["engine"] == "embedded"
        page = httpx.get(base + "/", timeout=10)
        assert page.status_code == 200 and "visdesk" in page.text
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0
