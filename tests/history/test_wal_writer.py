"""The SQLite writer (history/wal_writer.py) on a real SQLite file: statements on the loop, the WAL's
fsync in a helper process (or on a thread), and no acknowledgement (nor read) before that fsync."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from visdesk.domain import Answer, Evidence, Query, Source
from visdesk.history import SqlHistory, build_history
from visdesk.history import store as store_module
from visdesk.history.fsync_helper import FsyncHelper
from visdesk.history.group_commit import GroupCommitter
from visdesk.history.wal_writer import WalWriter

OWNER = "key:abc"


def _exchange(session_id: str, n: int) -> tuple[Query, Answer]:
    query = Query(question=f"订单号是多少？ {n}", image=None, language="zh", session_id=session_id, owner=OWNER)
    answer = Answer(
        answer=f"订单号是 20240115000{n}。", engine="embedded", session_id=session_id,
        evidence=(Evidence("202401150001", (239.2, 191.0, 528.0, 242.0)), Evidence("订单号", None)),
        sources=(Source("Returns", "Refunds", "faq.md", "within 7 days"),), message_id=uuid.uuid4().hex,
        cached=n % 2 == 0, latency_ms=1.5, language="zh", structured={"order_id": "202401150001"} if n else None,
    )  # fmt: skip
    return query, answer


async def _store(tmp: Path, name: str = "history.sqlite3", **history: Any) -> SqlHistory:
    url = f"sqlite:///{tmp / name}"
    return await build_history(make_settings(tmp, history={"database_url": url, **history}))


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        sessions = connection.execute("SELECT * FROM sessions ORDER BY id").fetchall()
        messages = connection.execute("SELECT * FROM messages ORDER BY id").fetchall()
    return sessions + messages


async def test_rows_are_stored_exactly_as_sqlalchemy_stores_them(tmp_path: Path, monkeypatch: Any) -> None:
    """The raw executemany binds through SQLAlchemy's own processors (datetime, JSON, bool): same bytes."""
    monkeypatch.setattr(store_module, "utcnow", lambda: datetime(2026, 12, 2, 15, 0, 0, 123456, tzinfo=UTC))
    fast = await _store(tmp_path, "fast.sqlite3")
    plain = await _store(tmp_path, "plain.sqlite3")
    assert isinstance(fast.writer, WalWriter)
    await plain.writer.aclose()
    plain.writer = GroupCommitter(plain.engine)  # the SQLAlchemy path, for comparison
    try:
        session = await fast.new_session_id(owner=OWNER)
        exchanges = [_exchange(session if n % 3 else uuid.uuid4().hex, n) for n in range(12)]
        for target in (fast, plain):
            await asyncio.gather(*(target.record(q, a, None) for q, a in exchanges))
        assert fast.count("messages") == 12
        assert _rows(tmp_path / "fast.sqlite3") == _rows(tmp_path / "plain.sqlite3")
        view = await fast.session_view(session, owner=OWNER)
        assert view["messages"][0]["evidence"][0] == {"text": "202401150001", "box": [239.2, 191.0, 528.0, 242.0]}
        assert view["messages"][0]["structured"] == {"order_id": "202401150001"}
    finally:
        await fast.close()
        await plain.close()


class Pause:
    """Holds the fsync of the next commit until `resume`: a stopped helper process (SIGSTOP), or a
    gate in the sync thread's fsync; `started` says whether the fsync has been asked for."""

    def __init__(self, writer: WalWriter) -> None:
        self.writer = writer
        self.gate = threading.Event()
        self.asked = threading.Event()
        helper = writer.helper
        if helper is not None:
            os.kill(helper.process.pid, signal.SIGSTOP)
            return
        sync = writer._sync_wal

        def gated(wal: Path) -> None:
            self.asked.set()
            assert self.gate.wait(10)
            sync(wal)

        writer._sync_wal = gated  # type: ignore[method-assign]

    def resume(self) -> None:
        if self.writer.helper is not None:
            os.kill(self.writer.helper.process.pid, signal.SIGCONT)
        self.gate.set()


SYNC_PATHS = ["helper process", "thread"]


async def _writer_store(tmp: Path, sync_path: str) -> tuple[SqlHistory, WalWriter, str]:
    """A store whose writer fsyncs as `sync_path` says, its connection open after one write."""
    store = await _store(tmp)
    writer = store.writer
    assert isinstance(writer, WalWriter)
    writer._use_helper = sync_path == "helper process"
    session = await store.new_session_id(owner=OWNER)
    await store.record(*_exchange(session, 0), None)
    assert (writer.helper is not None) == (sync_path == "helper process")
    return store, writer, session


@pytest.mark.parametrize("sync_path", SYNC_PATHS)
async def test_a_write_is_acknowledged_and_read_only_after_the_fsync_of_its_commit(
    tmp_path: Path, sync_path: str
) -> None:
    store, writer, session = await _writer_store(tmp_path, sync_path)
    syncs = writer.syncs
    pause = Pause(writer)
    try:
        query, answer = _exchange(session, 1)
        write = asyncio.create_task(store.record(query, answer, None))
        await asyncio.sleep(0.3)  # the loop runs on meanwhile
        with sqlite3.connect(tmp_path / "history.sqlite3") as other:  # committed (visible to others) ...
            assert other.execute("SELECT count(*) FROM messages").fetchone() == (2,)
        assert not write.done()  # ... but not acknowledged before its fsync
        read = asyncio.create_task(store.session_view(session, owner=OWNER))
        await asyncio.sleep(0.3)
        assert not read.done()  # a read that saw it waits for the fsync too
        pause.resume()
        await asyncio.wait_for(write, 10)
        assert answer.message_id in [m["message_id"] for m in (await read)["messages"]]
        assert writer.syncs == syncs + 1 and writer.durable
    finally:
        pause.resume()
        await store.close()


async def test_concurrent_writes_share_one_commit_and_one_fsync(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    writer = store.writer
    assert isinstance(writer, WalWriter)
    try:
        session = await store.new_session_id(owner=OWNER)
        await store.record(*_exchange(session, 0), None)
        commits, syncs = writer.commits, writer.syncs
        await asyncio.gather(*(store.record(*_exchange(session, n), None) for n in range(1, 41)))
        assert store.count("messages") == 41
        assert writer.commits - commits <= 2 and writer.syncs - syncs <= 2  # one batch (or two: a race)
    finally:
        await store.close()


@pytest.mark.parametrize("sync_path", SYNC_PATHS)
async def test_a_failed_fsync_acknowledges_nothing(tmp_path: Path, sync_path: str) -> None:
    store, writer, session = await _writer_store(tmp_path, sync_path)
    helper, sync = writer.helper, writer._sync_wal
    failures = [OSError(5, "Input/output error")]

    def failing(wal: Path) -> None:
        if failures:
            raise failures.pop()
        sync(wal)

    try:
        if helper is not None:  # a real fsync failure in a helper process: a file it cannot open
            writer.helper = FsyncHelper.start(tmp_path / "missing" / "history.sqlite3-wal")
        else:
            writer._sync_wal = failing  # type: ignore[method-assign]
        write = asyncio.create_task(store.record(*_exchange(session, 1), None))
        while writer._committed == writer._synced:  # committed on the loop; its fsync is elsewhere
            await asyncio.sleep(0)
        read = asyncio.create_task(writer.synced())  # a read that saw the commit ...
        with pytest.raises(OSError):
            await write
        with pytest.raises(OSError):  # ... fails with it instead of waiting for a later write
            await asyncio.wait_for(read, 5)
        if helper is not None:  # never retried another way: the next write meets the same helper
            with pytest.raises(OSError):
                await store.record(*_exchange(session, 2), None)
            assert writer.helper is not None and writer.helper is not helper
            writer.helper.close()
            writer.helper = helper
        await store.record(*_exchange(session, 3), None)  # the next one is durable again
    finally:
        await store.close()


async def test_a_helper_that_is_gone_leaves_the_fsync_to_the_thread(tmp_path: Path, caplog: Any) -> None:
    store, writer, session = await _writer_store(tmp_path, "helper process")
    helper = writer.helper
    assert helper is not None
    try:
        helper.process.kill()
        helper.process.wait()
        syncs = writer.syncs
        await asyncio.wait_for(store.record(*_exchange(session, 1), None), 10)  # acknowledged, after a fsync
        assert writer.helper is None and writer.syncs == syncs + 1
        assert "history fsync helper gone" in caplog.text
        await store.record(*_exchange(session, 2), None)
        assert store.count("messages") == 3
    finally:
        await store.close()


async def test_normal_synchronous_commits_without_the_fsync(tmp_path: Path) -> None:
    store = await _store(tmp_path, sqlite_synchronous="NORMAL")
    writer = store.writer
    assert isinstance(writer, WalWriter)
    try:
        session = await store.new_session_id(owner=OWNER)
        await store.record(*_exchange(session, 1), None)
        assert not writer.durable and writer.syncs == 0 and store.count("messages") == 1
    finally:
        await store.close()


async def test_a_database_locked_by_another_process_never_blocks_the_loop(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        session = await store.new_session_id(owner=OWNER)
        await store.record(*_exchange(session, 0), None)  # the writer's connection is open
        other = sqlite3.connect(tmp_path / "history.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        write = asyncio.create_task(store.record(*_exchange(session, 1), None))
        lags = []
        for _ in range(5):
            started = time.perf_counter()
            await asyncio.sleep(0.05)
            lags.append(time.perf_counter() - started - 0.05)
        assert not write.done() and max(lags) < 0.04  # waiting on a thread, not on the loop
        other.execute("COMMIT")
        other.close()
        await asyncio.wait_for(write, 20)
        assert store.count("messages") == 2
    finally:
        await store.close()


async def test_the_wal_is_checkpointed_off_the_loop(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    writer = store.writer
    assert isinstance(writer, WalWriter)
    database = tmp_path / "history.sqlite3"
    try:
        session = await store.new_session_id(owner=OWNER)
        before = database.stat().st_size
        for n in range(260):  # past the checkpoint interval (256 writes)
            await store.record(*_exchange(session, n), None)
        assert writer._checkpointing is not None
        await writer._checkpointing
        assert database.stat().st_size > before  # pages copied from the WAL into the database
    finally:
        await store.close()
