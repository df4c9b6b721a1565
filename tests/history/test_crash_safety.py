"""kill -9 under load loses no acknowledged answer or feedback (SQLite WAL and PostgreSQL).

The real server runs as a subprocess (`python -m visdesk serve`). Concurrent clients chat in
their own sessions and rate each answer; every 200 (answer) and 201 (feedback) they receive is
noted. The server is SIGKILLed while requests are in flight, started again on the same database,
and every noted message and feedback must be there: through GET /sessions/{id} and in the tables.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from tests.support.render import png_bytes, render_lines
from tests.support.server import free_port
from visdesk.history.models import FeedbackRow, MessageRow

pytestmark = [pytest.mark.slow, pytest.mark.services]

CLIENTS = 6
LOAD_S = 3.0
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Acknowledged:
    messages: dict[str, str] = field(default_factory=dict)  # message_id → session_id
    feedback: dict[str, str] = field(default_factory=dict)  # feedback_id → message_id
    broken: int = 0  # requests cut off by the kill


def _start(
    database_url: str, tmp: Path, port: int, log_name: str, store_images: bool, synchronous: str = "FULL"
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        VISDESK_HISTORY__DATABASE_URL=database_url,
        VISDESK_DATA_DIR=str(tmp),
        VISDESK_KNOWLEDGE__INDEX_PATH=str(tmp / "kb.sqlite3"),
        VISDESK_SAFETY__NSFW_ENABLED="false",
        VISDESK_CACHE__URL="memory://",
        VISDESK_OBSERVABILITY__LOG_LEVEL="WARNING",
        VISDESK_ENGINE="embedded",
        VISDESK_HISTORY__STORE_IMAGES=str(store_images).lower(),
        VISDESK_HISTORY__SQLITE_SYNCHRONOUS=synchronous,
    )
    log = (tmp / log_name).open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "visdesk", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} during start-up")
        try:
            if httpx.get(base_url + "/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the server did not become ready")


async def _client(base_url: str, image_b64: str, worker: int, stop: asyncio.Event, acked: Acknowledged) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        session_id: str | None = None
        turn = 0
        while not stop.is_set():
            body: dict[str, object] = {"question": f"订单号是多少？ (client {worker}, turn {turn})"}
            body.update({"session_id": session_id} if session_id else {"image": image_b64})
            try:
                reply = await client.post("/v1/chat", json=body)
                if reply.status_code != 200:
                    raise AssertionError(f"chat failed before the kill: {reply.status_code} {reply.text}")
                answer = reply.json()
                acked.messages[answer["message_id"]] = answer["session_id"]
                session_id = answer["session_id"]
                rating = {"message_id": answer["message_id"], "rating": "up" if turn % 2 else "down"}
                rated = await client.post("/feedback", json=rating)
                if rated.status_code != 201:
                    raise AssertionError(f"feedback failed before the kill: {rated.status_code} {rated.text}")
                acked.feedback[rated.json()["feedback_id"]] = answer["message_id"]
            except httpx.TransportError:
                acked.broken += 1
                return  # the server is gone
            turn += 1


async def _load_then_kill(base_url: str, image_b64: str, process: subprocess.Popen[bytes]) -> Acknowledged:
    acked = Acknowledged()
    stop = asyncio.Event()
    workers = [asyncio.create_task(_client(base_url, image_b64, i, stop, acked)) for i in range(CLIENTS)]
    await asyncio.sleep(LOAD_S)
    process.send_signal(signal.SIGKILL)  # mid-load: the clients still have requests in flight
    process.wait(timeout=10)
    stop.set()
    await asyncio.gather(*workers)
    return acked


def _run_scenario(database_url: str, tmp: Path, *, store_images: bool, synchronous: str = "FULL") -> None:
    image_b64 = base64.b64encode(png_bytes(render_lines(["订单号：A123456", "金额：99.00 元"], width=420))).decode()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    first = _start(database_url, tmp, port, "first.log", store_images, synchronous)
    try:
        _wait_ready(first, base_url)
        # One answer before the load, so the image's OCR is cached and the load is answers and commits.
        warm = httpx.post(base_url + "/v1/chat", json={"image": image_b64, "question": "订单号是多少？"}, timeout=60)
        assert warm.status_code == 200, warm.text
        acked = asyncio.run(_load_then_kill(base_url, image_b64, first))
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    backend = database_url.split(":")[0]
    print(f"\n{backend}: {len(acked.messages)} answers, {len(acked.feedback)} feedback acked, {acked.broken} cut off")
    assert first.returncode == -signal.SIGKILL
    assert len(acked.messages) >= CLIENTS * 2 and len(acked.feedback) >= CLIENTS, acked
    assert acked.broken >= 1  # the kill really cut requests off

    second = _start(database_url, tmp, port, "second.log", store_images)
    try:
        _wait_ready(second, base_url)
        found_messages: set[str] = set()
        found_feedback: set[str] = set()
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for session_id in sorted(set(acked.messages.values())):
                view = client.get(f"/sessions/{session_id}")
                assert view.status_code == 200, view.text
                for message in view.json()["messages"]:
                    found_messages.add(message["message_id"])
                    found_feedback.update(f["id"] for f in message["feedback"])
            # The sessions go on after the restart: with the image from the database when it is kept,
            # else with a clear request to send it again (it died with the process).
            session_id = next(iter(acked.messages.values()))
            follow = client.post("/v1/chat", json={"session_id": session_id, "question": "金额是多少？"})
            if store_images:
                assert follow.status_code == 200 and "99.00" in follow.json()["answer"], follow.text
            else:
                assert follow.status_code == 400 and follow.json()["error"]["code"] == "missing_image", follow.text
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert set(acked.messages) <= found_messages
    assert set(acked.feedback) <= found_feedback

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored_messages = set(connection.scalars(select(MessageRow.id)))
            stored_feedback = {
                row.id: row.message_id for row in connection.execute(select(FeedbackRow.id, FeedbackRow.message_id))
            }
    finally:
        engine.dispose()
    assert set(acked.messages) <= stored_messages
    assert all(stored_feedback.get(fid) == mid for fid, mid in acked.feedback.items())


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
def test_kill_9_loses_nothing_acknowledged_sqlite(tmp_path: Path, synchronous: str) -> None:
    """SQLite's writer (history/wal_writer.py) commits on the event loop and, with FULL, acknowledges after
    its own fsync of the WAL; with NORMAL, right after the commit (the OS keeps the pages over a kill)."""
    url = f"sqlite:///{tmp_path / 'db' / 'history.sqlite3'}"
    _run_scenario(url, tmp_path, store_images=False, synchronous=synchronous)


def test_kill_9_loses_nothing_acknowledged_postgresql(tmp_path: Path, postgres_url: str) -> None:
    _run_scenario(postgres_url, tmp_path, store_images=True)
