"""Collect concurrent requests into batches for one generation thread.

Why one thread: a GPU runs one generate() at a time well; many requests decoded together cost
little more than one (decoding is memory-bound), so the batcher waits `batch_wait_ms` after the
first request for others, up to `batch_size`, and hands them to the Generator as one batch.
Beam jobs run alone (beam search is not batched with streamed greedy rows).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable

from visdesk.engines.hf.generation import Job

log = logging.getLogger("visdesk.engines.transformers")

_STOP = object()


class Batcher:
    def __init__(self, run: Callable[[list[Job]], None], *, batch_size: int, wait_s: float) -> None:
        self._run = run
        self._batch_size = max(1, batch_size)
        self._wait_s = max(0.0, wait_s)
        self._queue: queue.Queue[object] = queue.Queue()
        self._carry: deque[Job] = deque()  # beam jobs met while filling a greedy batch
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="visdesk-generate", daemon=True)
            self._thread.start()

    def submit(self, job: Job) -> None:
        self._queue.put(job)

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop after the running batch (queued jobs are cancelled)."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout_s)
        self._thread = None

    def _next(self, timeout: float | None) -> object:
        if self._carry:
            return self._carry.popleft()
        return self._queue.get(timeout=timeout) if timeout is not None else self._queue.get()

    def _loop(self) -> None:
        while True:
            first = self._next(None)
            if first is _STOP:
                self._drain()
                return
            assert isinstance(first, Job)
            batch = [first]
            stop_after = first.num_beams <= 1 and self._fill(batch)
            live = [job for job in batch if not self._skip_cancelled(job)]
            if live:
                self._run(live)
            if stop_after:
                self._drain()
                return

    def _fill(self, batch: list[Job]) -> bool:
        """Add greedy jobs arriving within the wait window; True when a stop was requested meanwhile."""
        deadline = time.monotonic() + self._wait_s
        while len(batch) < self._batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and self._queue.empty():
                break
            try:
                item = self._queue.get(timeout=max(remaining, 0.0)) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return True
            assert isinstance(item, Job)
            if item.num_beams > 1:
                self._carry.append(item)
            else:
                batch.append(item)
        return False

    @staticmethod
    def _skip_cancelled(job: Job) -> bool:
        if job.cancelled.is_set():
            job.finish_reason = "cancelled"
            job.ended = True
            job.emit(("end", None))
            return True
        return False

    def _drain(self) -> None:
        pending = list(self._carry)
        self._carry.clear()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Job):
                pending.append(item)
        for job in pending:
            job.cancelled.set()
            self._skip_cancelled(job)
