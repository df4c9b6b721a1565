"""The SQLite history writer: SQL on the event loop, only the fsync of the WAL elsewhere.

Why: measured under load (docs/performance.md, "Serving: cache hits"), the thread writer
(group_commit.GroupCommitter) cost the serving process ≈0.9 ms of CPU per answer, almost none of
it the fsync: SQLAlchemy's Python under the GIL, and the GIL hand-offs of a thread whose every
sqlite3 step releases and retakes the GIL while the event loop wants it. Here the statements run
on the loop (raw sqlite3 `executemany` of the precompiled constant statements: ≈0.03 ms per
answer, no GIL contention), and the one blocking call, the fsync, runs once per batch in a helper
process (fsync_helper.py: a thread of this process still contended for the GIL, ≈0.1 ms of loop
CPU per answer), or on a thread where the helper cannot run.

Why this is exactly as durable as `synchronous=FULL`: in WAL mode, FULL and NORMAL write the same
frames; FULL adds one sync of the -wal file after each commit (sqlite3WalFrames: `isCommit &&
WAL_SYNC_FLAGS(sync_flags)`; with the unix VFS's default powersafe overwrite there is no sector
padding). This connection commits with NORMAL, and each waiting write is acknowledged only after
an fsync of the -wal file that started after its commit returned: the same frames, synced before
the acknowledgement. A later fsync covers every earlier commit (frames are appended in order), so
one fsync acknowledges a whole batch. A checkpoint syncs the WAL before copying it into the
database and the database after (NORMAL does that too), so frames that a checkpoint moves are
durable in the database file before the WAL can be reused. The directory is synced once, like
SQLite's own first sync of a new WAL. What differs from FULL: SQLite makes a commit visible to
other connections once written, before our fsync; so reads through this store wait for the
pending fsync before they return (`synced`), and only another *process* reading the same file
could see a commit up to one fsync before it is durable (and lose it only on power loss).

Never blocking the loop: the connection's busy timeout is 0; if another process holds the write
lock (SQLITE_BUSY) the batch is handed to a thread with a blocking connection instead.
Checkpoints run on a thread of their own (wal_autocheckpoint is off on the loop's connection).
When the database is not in WAL mode (a filesystem without shared memory), the loop's connection
commits with FULL itself and no fsync is added. A failed batch is replayed one write per
transaction, as in group_commit, so a bad write fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Executable, StaticPool, create_engine, event

from visdesk.history.fsync_helper import FsyncHelper, HelperGone, fsync_path
from visdesk.history.group_commit import Work, resolve, run_works

log = logging.getLogger("visdesk.history")

_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_CHECKPOINT_EVERY = 256  # writes (an answer dirties ≈4 pages: ≈1000 WAL frames, SQLite's default autocheckpoint)
_CACHE_KIB = 32768  # the writer's page cache: an answer's random-key index pages stay cached as the tables grow


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    processors: tuple[Any, ...]  # bind processor per name, or None


Outcome = tuple[asyncio.Future[Any], bool, Any]
Pending = list[tuple[Work, asyncio.Future[Any]]]


class WalWriter:
    """HistoryStore's writer for a SQLite file: `await write(work)` returns once `work` is durable."""

    def __init__(self, engine: Engine, *, max_batch: int = 256, fsync_helper: bool = True) -> None:
        self.engine = engine  # the store's engine (its pragmas, a busy timeout): the busy fallback, checkpoints
        self.durable = True  # the store engine's synchronous setting decides, at the first write: FULL → True
        self.max_batch = max_batch
        self.commits = 0
        self.writes = 0
        self.syncs = 0
        self._writer = create_engine(
            engine.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )  # one connection, used by the loop only
        event.listen(self._writer, "connect", _writer_pragmas)
        self._connection: Connection | None = None
        self._opening: asyncio.Future[tuple[Connection, Path | None]] | None = None
        self._wal: Path | None = None
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain: asyncio.Task[None] | None = None
        self._committed = 0  # commit sequence numbers: made on the loop, and known durable
        self._synced = 0
        self._sync_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._since_checkpoint = 0
        self._checkpointing: asyncio.Future[None] | None = None
        self._compiled: dict[tuple[int, tuple[str, ...]], _Compiled] = {}
        self._sync_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="visdesk-wal-sync")
        self._checkpoint_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="visdesk-wal-checkpoint")
        self._dir_synced = False
        self._use_helper = fsync_helper  # fsync in a helper process (fsync_helper.py), else on the sync thread
        self.helper: FsyncHelper | None = None
        self._closed = False

    # -- the writer's API (the same as GroupCommitter's) -------------------------------------------

    async def write(self, work: Work) -> Any:
        """`work` committed and, with `durable`, its commit fsynced; then its result."""
        loop = asyncio.get_running_loop()
        if self._closed:
            raise RuntimeError("the history writer is closed")
        bound = self._loop
        if bound is not None and bound is not loop and not bound.is_closed() and bound.is_running():
            # another loop (another thread): the writer's own loop commits it
            return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.write(work), bound))
        if bound is not loop:
            await self._bind(loop)
        waiter: asyncio.Future[Any] = loop.create_future()
        self._queue.append((work, waiter))
        if self._drain is None or self._drain.done():
            self._drain = loop.create_task(self._drain_queue())
        return await waiter

    async def synced(self) -> None:
        """Returns once everything committed so far is durable (reads call it before they return)."""
        if not self.durable or self._synced >= self._committed or self._loop is not asyncio.get_running_loop():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sync_waiters.append((self._committed, waiter))
        await waiter

    async def aclose(self) -> None:
        """Commit (and sync) what is queued, then stop."""
        self._closed = True
        if self._drain is not None and not self._drain.done() and self._loop is asyncio.get_running_loop():
            await asyncio.shield(self._drain)
        if self._checkpointing is not None and not self._checkpointing.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._checkpointing)
        if self._connection is not None:
            self._connection.close()
        self._writer.dispose()
        if self.helper is not None:
            await asyncio.to_thread(self.helper.close)
            self.helper = None
        self._sync_thread.shutdown(wait=True)
        self._checkpoint_thread.shutdown(wait=True)

    # -- the drain: commit on the loop, fsync on the thread, acknowledge ---------------------------

    async def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Open the loop's connection (in a thread: opening may wait for a lock) for this loop."""
        if self._connection is None:
            if self._opening is None or self._opening.get_loop() is not loop:
                self._opening = loop.run_in_executor(self._sync_thread, self._open)
            try:
                self._connection, self._wal = await asyncio.shield(self._opening)
            except Exception:
                self._opening = None  # the next write tries again
                raise
        if self._loop is not loop:
            self._loop = loop
            self._drain = None

    def _open(self) -> tuple[Connection, Path | None]:
        connection = self._writer.connect()
        raw = _driver(connection)
        mode = str(raw.execute("PRAGMA journal_mode").fetchone()[0]).lower()
        database = next((row[2] for row in raw.execute("PRAGMA database_list") if row[1] == "main"), "")
        if mode != "wal" or not database:  # no WAL to sync: let SQLite sync each commit itself
            raw.execute("PRAGMA synchronous=FULL")
            log.warning("history database not in WAL mode; its writer commits with synchronous=FULL")
            return connection, None
        with self.engine.connect() as store_connection:  # what history.sqlite_synchronous asked for
            self.durable = int(store_connection.exec_driver_sql("PRAGMA synchronous").scalar() or 0) >= 2
        wal = Path(database + "-wal") if self.durable else None
        if wal is not None and self._use_helper and self.helper is None:
            try:
                self.helper = FsyncHelper.start(wal)
            except OSError as exc:
                fields = {"error": repr(exc)}
                log.warning("history fsync helper not started; fsyncing on a thread", extra={"fields": fields})
        return connection, wal

    async def _drain_queue(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
            try:
                await self._commit_batch(loop, batch)
            except Exception as exc:  # a bug, not a bad write: fail this batch's writes, keep draining
                log.exception("history writer failed")
                resolve([(future, False, exc) for _, future in batch])

    async def _commit_batch(self, loop: asyncio.AbstractEventLoop, batch: Pending) -> None:
        outcomes, rest = self._commit_on_loop(batch)
        if rest:  # the database is locked by another process: the rest waits for it on a thread
            outcomes += await loop.run_in_executor(self._sync_thread, self._commit_blocking, rest)
        committed = self._committed
        if self._wal is not None and committed > self._synced:
            try:
                await self._sync(loop, self._wal)
            except OSError as exc:  # committed, but not known to be on disk: not acknowledged
                log.error("history WAL fsync failed", extra={"fields": {"error": repr(exc)}})
                outcomes = [(future, False, exc) if ok else (future, ok, value) for future, ok, value in outcomes]
                resolve(outcomes)
                self._fail_sync_waiters(committed, exc)
                return
        self._mark_synced(committed)
        resolve(outcomes)
        self._maybe_checkpoint(loop)

    def _mark_synced(self, committed: int) -> None:
        self._synced = max(self._synced, committed)
        waiting = []
        for seq, waiter in self._sync_waiters:
            if seq <= self._synced:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                waiting.append((seq, waiter))
        self._sync_waiters = waiting

    def _fail_sync_waiters(self, committed: int, exc: BaseException) -> None:
        """Reads waiting for commits whose fsync failed fail too (never wait for a later write)."""
        waiting = []
        for seq, waiter in self._sync_waiters:
            if seq <= committed:
                if not waiter.done():
                    waiter.set_exception(exc)
            else:
                waiting.append((seq, waiter))
        self._sync_waiters = waiting

    def _commit_on_loop(self, batch: Pending) -> tuple[list[Outcome], list[Any]]:
        """(outcomes, the writes left for the blocking path because the database was busy)."""
        connection = self._connection
        assert connection is not None
        try:
            with connection.begin():
                results = run_works(connection, [work for work, _ in batch], self._executemany)
        except Exception as exc:
            if _busy(exc):
                return [], batch
            if len(batch) == 1:
                return [(batch[0][1], False, exc)], []
            outcomes: list[Outcome] = []
            for i, item in enumerate(batch):  # isolate the failing write(s)
                done, rest = self._commit_on_loop([item])
                outcomes += done
                if rest:
                    return outcomes, batch[i:]
            return outcomes, []
        self._committed += 1
        self._counted(len(batch))
        return [(future, True, result) for (_, future), result in zip(batch, results, strict=True)], []

    def _counted(self, writes: int) -> None:
        self.commits += 1
        self.writes += writes
        self._since_checkpoint += writes

    def _commit_blocking(self, batch: Pending) -> list[Outcome]:
        """The busy fallback, on the sync thread: the store's engine waits for the lock (busy_timeout)."""
        try:
            with self.engine.begin() as connection:
                results = run_works(connection, [work for work, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                return [(batch[0][1], False, exc)]
            return [outcome for item in batch for outcome in self._commit_blocking([item])]
        self._committed += 1  # the loop awaits this call: no concurrent update
        self._counted(len(batch))
        return [(future, True, result) for (_, future), result in zip(batch, results, strict=True)]

    async def _sync(self, loop: asyncio.AbstractEventLoop, wal: Path) -> None:
        """The helper's fsync; on the sync thread if there is none or it is gone (an fsync error of
        the helper's is raised, never retried: see fsync_helper)."""
        if self.helper is not None:
            try:
                await self.helper.sync()
            except HelperGone as exc:
                log.warning("history fsync helper gone; fsyncing on a thread", extra={"fields": {"error": repr(exc)}})
                await loop.run_in_executor(self._sync_thread, self.helper.close)
                self.helper = None
            else:
                self.syncs += 1
                return
        await loop.run_in_executor(self._sync_thread, self._sync_wal, wal)

    def _sync_wal(self, wal: Path) -> None:
        """fsync of the -wal file (any descriptor of the file flushes its pages); the directory once."""
        fsync_path(wal)
        if not self._dir_synced:
            fsync_path(wal.parent)
            self._dir_synced = True
        self.syncs += 1

    def _maybe_checkpoint(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._since_checkpoint < _CHECKPOINT_EVERY or (self._checkpointing and not self._checkpointing.done()):
            return
        self._since_checkpoint = 0
        self._checkpointing = loop.run_in_executor(self._checkpoint_thread, self._checkpoint)

    def _checkpoint(self) -> None:
        """A PASSIVE checkpoint on a connection of the store's engine (never blocks the loop's writer)."""
        try:
            with self.engine.connect() as connection:
                _driver(connection).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except Exception as exc:  # the next one will try again; the WAL only grows meanwhile
            log.warning("history WAL checkpoint failed", extra={"fields": {"error": repr(exc)}})

    # -- rows: precompiled constant statements, raw executemany ------------------------------------

    def _executemany(self, connection: Connection, statement: Executable, rows: list[dict[str, Any]]) -> None:
        keys = tuple(rows[0])
        compiled = self._compiled.get((id(statement), keys))
        if compiled is None:
            compiled = self._compile(connection, statement, keys)
        if any(tuple(row) != keys for row in rows):  # rows of one statement with other columns: SQLAlchemy's way
            connection.execute(statement, rows)
            return
        processors = compiled.processors
        names = compiled.names
        parameters = [
            tuple(value if (p := processors[i]) is None else p(value) for i, value in enumerate(row[n] for n in names))
            for row in rows
        ]
        _driver(connection).executemany(compiled.sql, parameters)

    def _compile(self, connection: Connection, statement: Executable, keys: tuple[str, ...]) -> _Compiled:
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup or ())
        if set(names) - set(keys):  # a column default SQLAlchemy would fill: not a constant statement here
            raise ValueError(f"statement needs parameters the rows lack: {sorted(set(names) - set(keys))}")
        processors = tuple(compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names)
        result = _Compiled(compiled.string, names, processors)
        self._compiled[(id(statement), keys)] = result
        return result


def _writer_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL; commits write the WAL without syncing it (the writer syncs it); never wait for a lock on the loop."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=15000")  # while opening (in a thread): switching to WAL may wait
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=0")
    finally:
        cursor.close()


def _driver(connection: Connection) -> sqlite3.Connection:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _busy(exc: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED (another process holds the lock), by the driver's error code."""
    error = getattr(exc, "orig", exc)
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in (_SQLITE_BUSY, _SQLITE_LOCKED)
