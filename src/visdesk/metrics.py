"""Prometheus metrics. (Placeholder that records nothing; the Prometheus implementation replaces it.)"""

from __future__ import annotations


class NullMetrics:
    def observe_request(self, *, route: str, status: int, latency_s: float, ttft_s: float | None) -> None:
        return None

    def cache_event(self, hit: bool) -> None:
        return None

    def cache_error(self) -> None:
        return None

    def engine_error(self, engine: str) -> None:
        return None

    def safety_refusal(self, reason: str) -> None:
        return None
