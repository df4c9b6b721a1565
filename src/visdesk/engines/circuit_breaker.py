"""A small circuit breaker for an upstream model server.

Why: when the upstream is down, every request would otherwise wait for connect retries and
timeouts before failing. After `failures` consecutive failures the breaker opens and requests fail
at once (ENGINE_UNAVAILABLE with Retry-After); after `reset_s` one trial request is let through
(half-open) and its outcome closes or re-opens the breaker.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Counts consecutive failures; not thread-safe (one event loop owns it)."""

    def __init__(self, failures: int, reset_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(1, failures)
        self.reset_s = reset_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.reset_s:
            return BreakerState.HALF_OPEN
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive

    def retry_after_s(self) -> int:
        """Seconds until the next trial request is allowed (at least 1)."""
        remaining = self.reset_s - (self._clock() - self._opened_at)
        return max(1, math.ceil(remaining))

    def allow(self) -> bool:
        """True if a request may go upstream now; in half-open state only one trial at a time."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN or self._trial_in_flight:
            return False
        self._state = BreakerState.HALF_OPEN
        self._trial_in_flight = True
        return True

    def record_success(self) -> None:
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._consecutive += 1
        was_trial = self._trial_in_flight
        self._trial_in_flight = False
        if was_trial or self._consecutive >= self.threshold:
            self._state = BreakerState.OPEN
            self._opened_at = self._clock()

    def release(self) -> None:
        """A trial ended without an outcome (the client went away): let the next request try."""
        self._trial_in_flight = False
