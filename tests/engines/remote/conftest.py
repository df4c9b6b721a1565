"""Real upstreams for the remote engine: a second visdesk process, and the tiny fake server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import make_settings
from tests.engines.remote.fake_upstream import FakeUpstream
from tests.support.server import free_port, serve
from visdesk.domain import EngineRequest, Grounding, Query
from visdesk.engines.remote import RemoteEngine

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def upstream_visdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m visdesk serve --engine embedded` in its own process and state dir; yields its /v1 URL."""
    tmp = tmp_path_factory.mktemp("upstream")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISDESK_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        VISDESK_DATA_DIR=str(tmp),
        VISDESK_HISTORY__DATABASE_URL=f"sqlite:///{tmp / 'history.sqlite3'}",
        VISDESK_KNOWLEDGE__INDEX_PATH=str(tmp / "kb.sqlite3"),
        VISDESK_KNOWLEDGE__USE_DEMO="false",
        VISDESK_SAFETY__NSFW_ENABLED="false",
        VISDESK_SAFETY__MAX_QUESTION_CHARS="1200",
        VISDESK_OBSERVABILITY__LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "visdesk", "serve", "--port", str(port), "--engine", "embedded"]
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError("upstream visdesk exited:\n" + (tmp / "server.log").read_text(errors="replace"))
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("upstream visdesk did not become ready")
            time.sleep(0.2)
        yield f"{base}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def fake_upstream() -> Iterator[tuple[str, FakeUpstream]]:
    fake = FakeUpstream()
    with serve(fake.app) as url:
        yield f"{url}/v1", fake


def remote_settings(tmp: Path, **remote: Any) -> Any:
    """Settings with fast retry/timeout values so failure paths finish in a fraction of a second."""
    values = {"retries": 2, "retry_backoff_s": 0.05, "read_timeout_s": 5.0, "connect_timeout_s": 1.0} | remote
    return make_settings(tmp, knowledge={"use_demo": False, "index_path": tmp / "kb.sqlite3"}, remote=values)


@asynccontextmanager
async def started(base_url: str, tmp: Path, **remote: Any) -> AsyncIterator[RemoteEngine]:
    engine = RemoteEngine(remote_settings(tmp, **remote), base_url)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.close()


def request_for(question: str, image: Any = None, **options: Any) -> EngineRequest:
    from visdesk.domain import GenerationOptions

    query = Query(question=question, image=image, language="en", options=GenerationOptions(**options))
    return EngineRequest(query=query, grounding=Grounding(seen=None))
