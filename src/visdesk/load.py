"""Load governor: bounded in-flight work, a bounded queue, and the NORMAL/HIGH/EXTREME level.

Why levels from both queue depth and recent latency: the queue reacts at once to a burst, the
latency window notices a slow engine even when traffic is steady. HIGH asks engines for fast mode
(greedy, shorter answers); EXTREME sheds load (web clients get a canned reply, API clients a 503
with Retry-After) so the requests already admitted still finish inside their deadline.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from visdesk.domain import LoadLevel, Mode
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import LoadSettings

log = logging.getLogger("visdesk.load")

LEVEL_VALUE = {LoadLevel.NORMAL: 0, LoadLevel.HIGH: 1, LoadLevel.EXTREME: 2}
_TIMEOUT_MESSAGE = "The answer took too long; please try again."


@dataclass
class Admission:
    level: LoadLevel
    mode: Mode


class LoadGovernor:
    """Admits requests into at most `max_in_flight` slots; others wait in a queue of at most `max_queue`."""

    def __init__(self, settings: LoadSettings, clock: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self._clock = clock
        self._slots = asyncio.Semaphore(settings.max_in_flight)
        self._waiting = 0
        self._in_flight = 0
        self._latencies: deque[tuple[float, float]] = deque(maxlen=512)  # (finished at, seconds)
        self._last_level = LoadLevel.NORMAL

    @property
    def waiting(self) -> int:
        """Requests queued for a slot right now."""
        return self._waiting

    @property
    def in_flight(self) -> int:
        """Requests holding a slot right now."""
        return self._in_flight

    def recent_p50(self) -> float | None:
        """Median latency of requests finished within the latency window, or None when there are none."""
        horizon = self._clock() - self.settings.latency_window_s
        while self._latencies and self._latencies[0][0] < horizon:
            self._latencies.popleft()
        if not self._latencies:
            return None
        return statistics.median(seconds for _, seconds in self._latencies)

    @property
    def level(self) -> LoadLevel:
        """The current level; a change is logged once, when it is first seen."""
        level = self._compute_level()
        if level is not self._last_level:
            log.warning(
                "load level changed",
                extra={
                    "fields": {
                        "from": self._last_level.value,
                        "to": level.value,
                        "queue": self._waiting,
                        "in_flight": self._in_flight,
                        "p50_s": self.recent_p50(),
                    }
                },
            )
            self._last_level = level
        return level

    def _compute_level(self) -> LoadLevel:
        s = self.settings
        if self._waiting >= min(s.extreme_queue_depth, s.max_queue):
            return LoadLevel.EXTREME
        p50 = self.recent_p50()
        if self._waiting >= s.high_queue_depth or (p50 is not None and p50 > s.high_latency_s):
            return LoadLevel.HIGH
        return LoadLevel.NORMAL

    def _overloaded(self) -> AppError:
        return AppError(
            ErrorCode.OVERLOADED,
            "The service is busy right now; please retry in a few seconds.",
            headers={"Retry-After": str(self.settings.retry_after_s)},
        )

    @asynccontextmanager
    async def admit(self, client: str, deadline: float | None = None) -> AsyncIterator[Admission]:
        """Hold a slot for the body of the `async with`.

        `deadline` (on this governor's clock, normally time.perf_counter) bounds the queue wait,
        so time spent queued counts against the request's timeout. At EXTREME, web clients are
        admitted without a slot (the pipeline sends them a canned reply) and API clients get 503.
        """
        level = self.level
        if level is LoadLevel.EXTREME:
            if client != "web":
                raise self._overloaded()
            yield Admission(level, Mode.FAST)
            return
        started = self._clock()
        await self._acquire(deadline)
        self._in_flight += 1
        try:
            yield Admission(level, Mode.FAST if level is LoadLevel.HIGH else Mode.QUALITY)
        finally:
            self._in_flight -= 1
            self._slots.release()
            finished = self._clock()
            self._latencies.append((finished, finished - started))
            _ = self.level  # log a level change caused by this completion

    async def _acquire(self, deadline: float | None) -> None:
        self._waiting += 1
        try:
            if deadline is None:
                await self._slots.acquire()
                return
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise AppError(ErrorCode.TIMEOUT, _TIMEOUT_MESSAGE)
            try:
                await asyncio.wait_for(self._slots.acquire(), remaining)
            except TimeoutError as exc:
                raise AppError(ErrorCode.TIMEOUT, _TIMEOUT_MESSAGE) from exc
        finally:
            self._waiting -= 1
