"""The WAL's fsync helper process (history/fsync_helper.py), on real files and real processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from visdesk.history.fsync_helper import FsyncHelper, HelperGone


def _exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # a zombie: exited, not yet reaped by whoever adopted it


@pytest.fixture
def helper(tmp_path: Path) -> Iterator[FsyncHelper]:
    """A helper for a real WAL-like file, closed afterwards (closing twice is harmless)."""
    wal = tmp_path / "history.sqlite3-wal"
    wal.write_bytes(b"frames")
    started = FsyncHelper.start(wal)
    yield started
    with contextlib.suppress(ProcessLookupError):
        os.kill(started.process.pid, signal.SIGCONT)  # a test may leave it stopped
    started.close()


async def test_each_sync_is_answered_after_an_fsync_and_the_helper_exits_when_closed(helper: FsyncHelper) -> None:
    for _ in range(20):
        await asyncio.wait_for(helper.sync(), 10)
    assert helper._outstanding == 0
    helper.close()
    assert helper.process.returncode == 0


async def test_an_fsync_that_fails_is_an_error_not_a_gone_helper(tmp_path: Path) -> None:
    helper = FsyncHelper.start(tmp_path / "missing" / "history.sqlite3-wal")
    try:
        with pytest.raises(OSError) as failure:
            await asyncio.wait_for(helper.sync(), 10)
        assert not isinstance(failure.value, HelperGone)
        assert helper.process.poll() is None  # it keeps serving
    finally:
        helper.close()


async def test_a_killed_helper_is_reported_gone(helper: FsyncHelper) -> None:
    await helper.sync()
    helper.process.kill()
    helper.process.wait()
    with pytest.raises(HelperGone):
        await asyncio.wait_for(helper.sync(), 10)


async def test_an_abandoned_request_never_answers_a_later_one(helper: FsyncHelper) -> None:
    await helper.sync()
    os.kill(helper.process.pid, signal.SIGSTOP)
    first = asyncio.create_task(helper.sync())
    await asyncio.sleep(0.05)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    second = asyncio.create_task(helper.sync())
    await asyncio.sleep(0.2)
    assert not second.done()  # stopped: no fsync, no answer
    os.kill(helper.process.pid, signal.SIGCONT)
    await asyncio.wait_for(second, 10)
    assert helper._outstanding == 0
    await asyncio.wait_for(helper.sync(), 10)  # and the next one waits for its own answer


async def test_ctrl_c_to_the_process_group_leaves_the_helper_serving(helper: FsyncHelper) -> None:
    await helper.sync()
    os.kill(helper.process.pid, signal.SIGINT)
    await asyncio.sleep(0.1)
    await asyncio.wait_for(helper.sync(), 10)
    assert helper.process.poll() is None


def test_the_helper_exits_when_the_serving_process_dies(tmp_path: Path) -> None:
    wal = tmp_path / "w"
    wal.write_bytes(b"")
    program = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from visdesk.history.fsync_helper import FsyncHelper\n"
        "helper = FsyncHelper.start(Path(sys.argv[1]))\n"
        "print(helper.process.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    parent = subprocess.run([sys.executable, "-c", program, str(wal)], capture_output=True, text=True, timeout=60)
    assert parent.returncode == -9, parent.stderr
    pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 10
    while not _exited(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _exited(pid)
