"""Answer cache: in-process LRU with TTL (default), Redis shared across replicas, or none.

Why a cache may never fail a request: it only saves work. A broken or slow Redis turns every
lookup into a miss (counted as a cache error, warned about at most once a minute), requests skip
Redis for a short back-off, and the next try after it reconnects on its own. An outage ends only
after a few successes in a row: a Redis that has just come back often times out once or twice more,
and those hiccups belong to the same outage (one warning, one recovery line). Per-image OCR and
layout are cached separately, in process, by the perceiver.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from visdesk.settings import CacheSettings

log = logging.getLogger("visdesk.cache")
T = TypeVar("T")
_WARN_EVERY_S = 60.0
_RECOVERED_AFTER = 3  # consecutive successful commands that end an outage


class MemoryCache:
    """LRU + TTL in this process. Cheap: a dict lookup and a move-to-end."""

    def __init__(self, max_entries: int = 10_000, ttl_s: int = 3600) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._data: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    async def set(self, key: str, value: dict[str, Any], ttl_s: int | None = None) -> None:
        self._data[key] = (time.monotonic() + (ttl_s or self.ttl_s), value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    async def close(self) -> None:
        self._data.clear()


class NoCache:
    """Caching switched off: every lookup misses."""

    async def get(self, key: str) -> dict[str, Any] | None:
        return None

    async def set(self, key: str, value: dict[str, Any], ttl_s: int | None = None) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisCache:
    """JSON values in Redis under `key_prefix`, with a TTL; shared by every replica.

    `on_error` is called once per failed operation (the app counts it as a metric).
    """

    def __init__(self, settings: CacheSettings, on_error: Callable[[], None] | None = None) -> None:
        import redis.asyncio as redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.settings = settings
        self.prefix = settings.key_prefix
        self._on_error = on_error or (lambda: None)
        self._client = redis.from_url(
            settings.url,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
            retry=Retry(NoBackoff(), 0),  # no retries inside a request: a miss is cheaper than waiting
            health_check_interval=30,
        )
        self._down_until = 0.0  # skip Redis until this monotonic time after a failure
        self._failing = False  # in an outage: since the first failure, until _RECOVERED_AFTER successes in a row
        self._successes = 0  # consecutive successes during an outage
        self._last_warning = -_WARN_EVERY_S

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._call(lambda: self._client.get(self.prefix + key))
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    async def set(self, key: str, value: dict[str, Any], ttl_s: int | None = None) -> None:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        await self._call(lambda: self._client.set(self.prefix + key, payload, ex=ttl_s or self.settings.ttl_s))

    async def ping(self) -> bool:
        """True when Redis answers now (readiness and tests)."""
        return bool(await self._call(self._client.ping, force=True))

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, operation: Callable[[], Awaitable[T]], *, force: bool = False) -> T | None:
        """Run one Redis command bounded by the timeout; any failure is a miss, never an exception."""
        from redis.exceptions import RedisError

        now = time.monotonic()
        if not force and now < self._down_until:
            return None
        try:
            result = await asyncio.wait_for(operation(), self.settings.redis_timeout_s * 2)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(exc)
            return None
        if self._failing:
            self._successes += 1
            if self._successes >= _RECOVERED_AFTER:
                self._failing = False
                log.warning("redis cache reachable again; caching resumed")
        return result

    def _failed(self, exc: BaseException) -> None:
        self._on_error()
        now = time.monotonic()
        self._down_until = now + self.settings.redis_retry_s
        self._successes = 0
        if not self._failing or now - self._last_warning >= _WARN_EVERY_S:
            self._last_warning = now
            log.warning(
                "redis cache unavailable; answering uncached",
                extra={"fields": {"error": type(exc).__name__, "retry_in_s": self.settings.redis_retry_s}},
            )
        self._failing = True


def build_cache(
    settings: CacheSettings, on_error: Callable[[], None] | None = None
) -> MemoryCache | NoCache | RedisCache:
    """memory:// | redis://… (rediss://, unix://) | none."""
    url = settings.url.strip()
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("memory", ""):
        return MemoryCache(settings.max_entries, settings.ttl_s)
    if scheme in ("none", "off", "disabled"):
        return NoCache()
    if scheme in ("redis", "rediss", "unix"):
        return RedisCache(settings, on_error)
    raise ValueError(f"Unknown cache URL scheme {scheme!r}: use 'memory://', 'redis://host:port/db' or 'none'.")
