"""Prometheus metrics, one CollectorRegistry per app.

Why a private registry: several apps in one process (tests, embedding) must not clash on metric
names, and /metrics should show this app's numbers only. Gauges that mirror live state (queue,
in-flight, level, GPU memory) are read at scrape time instead of being pushed on every change.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from visdesk.load import LoadGovernor

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class NullMetrics:
    """Records nothing (metrics disabled, or the Python API without a server)."""

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

    def safety_flag(self, flag: str) -> None:
        return None


class PrometheusMetrics:
    """The service's counters, histograms and gauges in their own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "visdesk_requests", "HTTP requests by route and status.", ["route", "status"], registry=r
        )
        self.latency = Histogram(
            "visdesk_request_latency_seconds", "Time to the last response byte.", ["route"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.ttft = Histogram(
            "visdesk_time_to_first_token_seconds", "Streaming responses: time to the first event.", ["route"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.cache = Counter("visdesk_cache_lookups", "Answer-cache lookups by result.", ["result"], registry=r)
        self.cache_errors = Counter("visdesk_cache_errors", "Answer-cache backend failures.", registry=r)
        self.engine_errors = Counter("visdesk_engine_errors", "Engine failures by engine.", ["engine"], registry=r)
        self.refusals = Counter("visdesk_safety_refusals", "Requests refused by safety checks.", ["reason"], registry=r)
        self.flags = Counter(
            "visdesk_untrusted_text_flags", "Image text that tried to instruct the assistant.", ["flag"], registry=r
        )
        self.queue_depth = Gauge("visdesk_queue_depth", "Requests waiting for a slot.", registry=r)
        self.in_flight = Gauge("visdesk_in_flight", "Requests being processed.", registry=r)
        self.load_level = Gauge("visdesk_load_level", "Load level: 0 normal, 1 high, 2 extreme.", registry=r)
        self.gpu_memory = Gauge(
            "visdesk_gpu_memory_allocated_bytes", "torch.cuda memory allocated (0 without CUDA).", registry=r
        )
        self.gpu_memory.set_function(_gpu_memory_allocated)

    def bind_governor(self, governor: LoadGovernor) -> None:
        """Read queue depth, in-flight count and level from the governor at scrape time."""
        from visdesk.load import LEVEL_VALUE

        self.queue_depth.set_function(lambda: governor.waiting)
        self.in_flight.set_function(lambda: governor.in_flight)
        self.load_level.set_function(lambda: LEVEL_VALUE[governor.level])

    def observe_request(self, *, route: str, status: int, latency_s: float, ttft_s: float | None) -> None:
        self.requests.labels(route=route, status=str(status)).inc()
        self.latency.labels(route=route).observe(latency_s)
        if ttft_s is not None:
            self.ttft.labels(route=route).observe(ttft_s)

    def cache_event(self, hit: bool) -> None:
        self.cache.labels(result="hit" if hit else "miss").inc()

    def cache_error(self) -> None:
        self.cache_errors.inc()

    def engine_error(self, engine: str) -> None:
        self.engine_errors.labels(engine=engine).inc()

    def safety_refusal(self, reason: str) -> None:
        self.refusals.labels(reason=reason).inc()

    def safety_flag(self, flag: str) -> None:
        self.flags.labels(flag=flag).inc()

    def render(self) -> bytes:
        """The text exposition format for GET /metrics."""
        return generate_latest(self.registry)


def _gpu_memory_allocated() -> float:
    """CUDA memory held by torch, only when torch is already imported (never import it for metrics)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return 0.0
    try:
        if not torch.cuda.is_available():
            return 0.0
        return float(sum(torch.cuda.memory_allocated(i) for i in range(torch.cuda.device_count())))
    except Exception:  # a broken CUDA runtime must not break /metrics
        return 0.0
