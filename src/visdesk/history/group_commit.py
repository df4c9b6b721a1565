"""Group commit: writes that arrive together share one transaction, so one fsync acknowledges them all.

Why: every answer is recorded durably before it is acknowledged (nothing a customer said may be
lost on `kill -9`). With a transaction per answer, throughput is capped by the disk's fsync rate
(~200/s here) and every request pays its own fsync. A single writer thread instead takes all the
writes queued while the previous commit was flushing and commits them together: each caller
still continues only after *its* write has committed, but N concurrent writes cost one fsync.
A batch that fails is replayed one write per transaction, so a bad write (feedback for an
unknown message) fails alone and the others still commit.

Why `Rows`: most writes are an answer's rows (its session upserted, its message inserted). Run one
statement object per row and SQLAlchemy builds, keys and binds a statement per row, ≈0.6 ms of CPU
per answer that the event loop feels (one GIL). Writes given as `Rows` instead name shared constant
statements and their parameters; consecutive ones in a batch are executed as one `executemany` per
statement (in rank order: parents before children), rows with the same key merged first. And
`write()` wakes an event loop once per commit for all of its writers (one thread-safe callback),
not once per write.

Used for PostgreSQL (and SQLite without a file); a SQLite file uses wal_writer.WalWriter, which runs
the same works (`run_works`) on the event loop and only the fsync on a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Executable

log = logging.getLogger("visdesk.history")


@dataclass(frozen=True)
class Row:
    """One row for a constant statement. `rank` orders statements (parents first); rows of one statement
    with the same `key` are merged (later values win, `keep` columns stay from the first)."""

    rank: int
    statement: Executable
    params: dict[str, Any]
    key: str | None = None
    keep: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rows:
    """A write made only of rows for constant statements: batched with its neighbours (executemany)."""

    rows: tuple[Row, ...]


Work = Callable[[Connection], Any] | Rows
ExecuteMany = Callable[[Connection, Executable, list[dict[str, Any]]], None]


class GroupCommitter:
    def __init__(self, engine: Engine, *, max_batch: int = 128) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.commits = 0  # transactions committed (observability and tests)
        self.writes = 0  # writes acknowledged
        self._queue: list[tuple[Work, Waiter]] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="visdesk-group-commit", daemon=True)
        self._thread.start()

    def submit(self, work: Work) -> Future[Any]:
        """Queue `work(connection)`; the future resolves once its transaction has committed."""
        future: Future[Any] = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the history writer is closed")
            self._queue.append((work, future))
            self._ready.notify()
        return future

    async def write(self, work: Work) -> Any:
        """`work` committed (awaitable from an event loop). The writer wakes each loop once per commit for
        all of its writes, instead of once per write as `asyncio.wrap_future(submit(work))` would."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        with self._ready:
            if self._closed:
                raise RuntimeError("the history writer is closed")
            self._queue.append((work, _LoopWaiter(loop, waiter)))
            self._ready.notify()
        return await waiter

    async def synced(self) -> None:
        """Everything committed so far is durable: always, here (each commit syncs before it returns)."""

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if not self._queue:
                    return
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
            self._commit(batch)

    def _commit(self, batch: list[tuple[Work, Waiter]]) -> None:
        _settle(self._outcomes(batch))

    def _outcomes(self, batch: list[tuple[Work, Waiter]]) -> list[tuple[Waiter, bool, Any]]:
        """(waiter, ok, result or exception) for each write; a failed batch is retried one write at a time."""
        try:
            with self.engine.begin() as connection:
                results = run_works(connection, [work for work, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                return [(batch[0][1], False, exc)]
            return [outcome for item in batch for outcome in self._outcomes([item])]  # isolate the failing write(s)
        self.commits += 1
        self.writes += len(batch)
        return [(waiter, True, result) for (_, waiter), result in zip(batch, results, strict=True)]


@dataclass(frozen=True)
class _LoopWaiter:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


Waiter = Future[Any] | _LoopWaiter


def _settle(outcomes: list[tuple[Waiter, bool, Any]]) -> None:
    """Resolve each write's waiter: concurrent futures directly, event-loop ones in one callback per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
    for waiter, ok, value in outcomes:
        if isinstance(waiter, _LoopWaiter):
            by_loop.setdefault(waiter.loop, []).append((waiter.future, ok, value))
        elif ok:
            waiter.set_result(value)
        else:
            waiter.set_exception(value)
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a loop closed meanwhile: nobody is waiting any more
            loop.call_soon_threadsafe(resolve, items)


def resolve(items: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """Each (future, ok, result or exception) settled on the caller's loop; a future whose request was
    cancelled is skipped (its write still committed)."""
    for future, ok, value in items:
        if future.done():  # the awaiting request was cancelled; its write still committed
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def run_works(connection: Connection, works: list[Work], executemany: ExecuteMany | None = None) -> list[Any]:
    """Each work in order; a run of consecutive Rows as one executemany per statement (`executemany`,
    else SQLAlchemy's `connection.execute(statement, rows)`)."""
    results: list[Any] = []
    run: list[Rows] = []
    for work in works:
        if isinstance(work, Rows):
            run.append(work)
            results.append(None)
            continue
        execute_rows(connection, run, executemany)
        run = []
        results.append(work(connection))
    execute_rows(connection, run, executemany)
    return results


def execute_rows(connection: Connection, run: list[Rows], executemany: ExecuteMany | None = None) -> None:
    groups: dict[int, tuple[int, Executable, dict[Any, dict[str, Any]]]] = {}  # id(statement) → rank, rows
    for rows in run:
        for row in rows.rows:
            _, _, merged = groups.setdefault(id(row.statement), (row.rank, row.statement, {}))
            key = row.key if row.key is not None else id(row)
            earlier = merged.get(key)
            merged[key] = row.params if earlier is None else {**row.params, **{c: earlier[c] for c in row.keep}}
    for _, statement, merged in sorted(groups.values(), key=lambda group: group[0]):
        if executemany is None:
            connection.execute(statement, list(merged.values()))
        else:
            executemany(connection, statement, list(merged.values()))
