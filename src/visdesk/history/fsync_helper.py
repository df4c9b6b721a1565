"""The history WAL's fsync in a helper process, so that syncing never contends for the serving GIL.

Why: measured under load (docs/performance.md, "Serving: cache hits"), fsyncing the WAL on a thread
of the serving process cost the event loop ≈ 0.1 ms of CPU per cache hit. Not the fsync, which
waits on the disk (skipping it changed nothing), but the GIL: the thread retakes it after every
blocking call (its queue, the fsync, the wake-up of the loop), whenever the loop has just released
it for a socket read or a SQLite call, and the loop then waits for it in the kernel (≈ 10 futex
calls per commit). A process that only fsyncs costs the loop a byte written and a byte read on a
pipe per commit.

Why it is as durable as the thread: fsync flushes a file's dirty pages whichever process wrote
them. For each request byte it reads, the helper opens the file, fsyncs it (the first time also its
directory) and answers one byte, b"k" or b"e" on an error; a request is written after the commit
returned, so the fsync that answers it covers the commit. Requests and answers are counted, so an
answer to an abandoned request (its waiter cancelled) never acknowledges a later one. An fsync
error is the caller's (never retried: after a failed fsync the pages may be lost, and a second
fsync could succeed without them); a helper that is gone (it exited, the pipe broke) raises
`HelperGone`, and the writer fsyncs on a thread from then on. The helper ignores SIGINT (a terminal's
Ctrl-C reaches the whole process group; the server shuts down in order and may still commit) and
exits when its stdin closes: when the server closes it, or dies.

This file is also the helper's program (`python -I -S fsync_helper.py PATH`): the standard library
only, nothing of visdesk imported, so it starts in ≈ 20 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

OK, FAILED = b"k", b"e"


class HelperGone(OSError):
    """The helper exited or its pipe broke: whether it synced is unknown, so sync another way."""


class FsyncHelper:
    """`await sync()` returns once an fsync of `path` that began after the call has completed."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self._requests = process.stdin.fileno()
        self._answers = process.stdout.fileno()
        os.set_blocking(self._answers, False)
        self._outstanding = 0  # requests written and not yet answered
        self._failed = False  # an answer since the current waiter's request said the fsync failed
        self._waiter: asyncio.Future[None] | None = None

    @classmethod
    def start(cls, path: Path) -> FsyncHelper:
        """Start the helper process (blocking: call it off the event loop)."""
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
        return cls(process)

    async def sync(self) -> None:
        if self._waiter is not None:
            raise RuntimeError("one sync at a time")
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        self._failed = False
        loop.add_reader(self._answers, self._read_answers)
        try:
            try:
                os.write(self._requests, b"s")
            except OSError as exc:
                raise HelperGone(f"the fsync helper is gone: {exc!r}") from exc
            self._outstanding += 1
            await waiter
        finally:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.remove_reader(self._answers)
            self._waiter = None

    def _read_answers(self) -> None:
        waiter = self._waiter
        error: OSError | None = None
        try:
            answers = os.read(self._answers, 4096)
        except BlockingIOError:
            return
        except OSError as exc:
            answers, error = b"", exc
        if not answers:
            if waiter is not None and not waiter.done():
                waiter.set_exception(HelperGone(f"the fsync helper exited ({error or 'end of its output'})"))
            return
        self._outstanding -= len(answers)
        self._failed = self._failed or FAILED in answers
        if self._outstanding <= 0 and waiter is not None and not waiter.done():
            if self._failed:
                waiter.set_exception(OSError("fsync of the history WAL failed (in the fsync helper)"))
            else:
                waiter.set_result(None)

    def close(self, timeout_s: float = 5.0) -> None:
        """Close its stdin (it exits) and reap it."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def fsync_path(path: str | Path) -> None:
    """fsync of a file or directory by path (any descriptor of a file flushes all its dirty pages)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def main(path: str) -> None:
    """Answer each request byte on stdin with one fsync of `path` and one answer byte on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    directory_synced = False
    while requests := os.read(0, 4096):
        try:
            fsync_path(path)  # one fsync answers every request read before it began
            if not directory_synced:
                fsync_path(os.path.dirname(path) or ".")
                directory_synced = True
            answer = OK
        except OSError:
            answer = FAILED
        os.write(1, answer * len(requests))


if __name__ == "__main__":
    main(sys.argv[1])
