"""Answer cache: LRU + TTL in memory, Redis shared across replicas, and Redis going away mid-run."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.production.conftest import b64, running, tiny_png
from tests.support.server import free_port
from visdesk.cache import MemoryCache, NoCache, RedisCache, build_cache
from visdesk.settings import CacheSettings

REQUIRE_SERVICES = os.environ.get("VISDESK_REQUIRE_SERVICES") == "1"


def _reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _need(condition: bool, why: str) -> None:
    """In CI (VISDESK_REQUIRE_SERVICES=1) a missing service fails the test; locally it skips."""
    if not condition:
        if REQUIRE_SERVICES:
            pytest.fail(why)
        pytest.skip(why)


async def test_memory_cache_is_lru_with_ttl() -> None:
    cache = MemoryCache(max_entries=2, ttl_s=3600)
    await cache.set("a", {"v": 1})
    await cache.set("b", {"v": 2})
    assert await cache.get("a") == {"v": 1}  # touch a: b is now least recently used
    await cache.set("c", {"v": 3})
    assert await cache.get("b") is None and await cache.get("a") == {"v": 1}
    await cache.set("short", {"v": 4}, ttl_s=1)
    cache._data["short"] = (time.monotonic() - 1, {"v": 4})  # expire it without sleeping
    assert await cache.get("short") is None


def test_build_cache_by_url() -> None:
    assert isinstance(build_cache(CacheSettings(url="memory://")), MemoryCache)
    assert isinstance(build_cache(CacheSettings(url="none")), NoCache)
    assert isinstance(build_cache(CacheSettings(url="redis://127.0.0.1:1/0")), RedisCache)
    with pytest.raises(ValueError, match="cache URL"):
        build_cache(CacheSettings(url="memcached://x"))


async def test_shared_redis_round_trip_with_prefix_and_ttl() -> None:
    _need(_reachable(6379), "Redis is not reachable on 127.0.0.1:6379")
    prefix = f"visdesk-test-{os.getpid()}-{time.time_ns()}:"
    settings = CacheSettings(url="redis://127.0.0.1:6379/0", key_prefix=prefix, ttl_s=60)
    writer, reader = RedisCache(settings), RedisCache(settings)  # two replicas
    try:
        value = {"answer": "订单号 12345", "evidence": [{"text": "12345", "box": [1.0, 2.0, 3.0, 4.0]}]}
        await writer.set("answer:k", value)
        assert await reader.get("answer:k") == value
        ttl = await reader._client.ttl(prefix + "answer:k")
        assert 0 < ttl <= 60
        assert await reader.get("answer:missing") is None
    finally:
        await writer._client.delete(prefix + "answer:k")
        await writer.close()
        await reader.close()


async def test_unreachable_redis_is_a_miss_counted_per_failure_warned_once(caplog: pytest.LogCaptureFixture) -> None:
    errors: list[int] = []
    settings = CacheSettings(url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout_s=0.2, redis_retry_s=0)
    cache = RedisCache(settings, on_error=lambda: errors.append(1))
    try:
        with caplog.at_level(logging.WARNING, logger="visdesk.cache"):
            started = time.perf_counter()
            assert await cache.get("k") is None
            await cache.set("k", {"v": 1})
            assert await cache.get("k") is None
            assert time.perf_counter() - started < 2.0
        assert len(errors) == 3
        assert [r.getMessage() for r in caplog.records].count("redis cache unavailable; answering uncached") == 1
    finally:
        await cache.close()


async def test_after_a_failure_redis_is_skipped_for_the_back_off() -> None:
    errors: list[int] = []
    settings = CacheSettings(url=f"redis://127.0.0.1:{free_port()}/0", redis_timeout_s=0.2, redis_retry_s=30)
    cache = RedisCache(settings, on_error=lambda: errors.append(1))
    try:
        assert await cache.get("k") is None
        started = time.perf_counter()
        assert await cache.get("k") is None  # not even tried
        assert time.perf_counter() - started < 0.01 and len(errors) == 1
    finally:
        await cache.close()


async def test_a_cached_reply_still_streams(tmp_path: Path) -> None:
    body = {"question": "stream me", "image": b64(tiny_png(6))}
    with running(tmp_path, engine="slowtest:0") as (url, _):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            assert (await client.post("/v1/chat", json=body)).json()["cached"] is False
            events = []
            async with client.stream("POST", "/v1/chat", json={**body, "stream": True}) as response:
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        events.append(json.loads(line[5:]))
    deltas = "".join(e.get("delta", "") for e in events)
    assert deltas == "echo: stream me"
    assert events[-1]["done"] is True and events[-1]["cached"] is True
    assert any("evidence" in e and "done" not in e for e in events)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """A throw-away redis-server the test may kill and restart."""
    binary = shutil.which("redis-server")
    _need(binary is not None, "redis-server is not installed")
    port = free_port()
    processes: list[subprocess.Popen[bytes]] = []
    yield port, processes
    for process in processes:
        process.kill()
        process.wait(timeout=10)


def _start_redis(port: int, processes: list[subprocess.Popen[bytes]], workdir: Path) -> None:
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)]
    command += ["--enable-debug-command", "local"]  # DEBUG SLEEP makes a slow Redis on demand
    processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = time.monotonic() + 10
    while not _reachable(port):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)


def _metric(url: str, name: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == name)


async def test_redis_killed_mid_run_requests_go_on_uncached_then_caching_resumes(
    tmp_path: Path, private_redis: tuple[int, list[subprocess.Popen[bytes]]]
) -> None:
    port, processes = private_redis
    _start_redis(port, processes, tmp_path)
    cache = {"url": f"redis://127.0.0.1:{port}/0", "redis_timeout_s": 0.2, "redis_retry_s": 0.3}
    body = {"question": "what is it?", "image": b64(tiny_png(5))}
    with running(tmp_path, engine="slowtest:0", cache=cache) as (url, _):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            first, second = [(await client.post("/v1/chat", json=body)).json() for _ in range(2)]
            assert (first["cached"], second["cached"]) == (False, True)

            processes[-1].kill()
            processes[-1].wait(timeout=10)
            while_down = [await client.post("/v1/chat", json=body) for _ in range(3)]
            assert [r.status_code for r in while_down] == [200, 200, 200]
            assert not any(r.json()["cached"] for r in while_down)
            assert all(r.json()["answer"] == first["answer"] for r in while_down)
            assert _metric(url, "visdesk_cache_errors_total") >= 1

            _start_redis(port, processes, tmp_path)
            await asyncio.sleep(0.4)  # past the back-off
            again = [(await client.post("/v1/chat", json=body)).json()["cached"] for _ in range(3)]
            assert again[-1] is True  # reconnected: written again, then served from Redis


async def test_slow_redis_is_a_timely_miss(
    tmp_path: Path, private_redis: tuple[int, list[subprocess.Popen[bytes]]]
) -> None:
    import redis.asyncio as redis

    port, processes = private_redis
    _start_redis(port, processes, tmp_path)
    errors: list[int] = []
    settings = CacheSettings(url=f"redis://127.0.0.1:{port}/0", redis_timeout_s=0.2, redis_retry_s=0)
    cache = RedisCache(settings, on_error=lambda: errors.append(1))
    blocker = redis.Redis(port=port)
    try:
        await cache.set("k", {"v": 1})
        assert await cache.get("k") == {"v": 1}
        sleeping = asyncio.create_task(blocker.execute_command("DEBUG", "SLEEP", "1.5"))
        await asyncio.sleep(0.1)  # Redis is now busy for 1.5 s
        started = time.perf_counter()
        assert await cache.get("k") is None
        assert time.perf_counter() - started < 0.6 and errors == [1]
        await sleeping
        assert await cache.get("k") == {"v": 1}  # the broken connection was replaced
    finally:
        await blocker.aclose()
        await cache.close()


async def test_one_outage_logs_one_warning_and_one_recovery_line(
    tmp_path: Path, private_redis: tuple[int, list[subprocess.Popen[bytes]]], caplog: pytest.LogCaptureFixture
) -> None:
    """The probe saw the recovery line three times for one outage: a Redis that has just come back
    still times out now and then, and each of those reopened the 'outage' and closed it again."""
    import redis.asyncio as redis

    port, processes = private_redis
    _start_redis(port, processes, tmp_path)
    settings = CacheSettings(url=f"redis://127.0.0.1:{port}/0", redis_timeout_s=0.2, redis_retry_s=0.1)
    cache = RedisCache(settings)
    try:
        with caplog.at_level(logging.WARNING, logger="visdesk.cache"):
            await cache.set("k", {"v": 1})
            processes[-1].kill()
            processes[-1].wait(timeout=10)
            assert await cache.get("k") is None
            _start_redis(port, processes, tmp_path)
            blocker = redis.Redis(port=port)
            for _ in range(2):  # back, then a hiccup (a 0.6 s stall: the next call times out), twice
                await asyncio.sleep(0.15)  # past the back-off
                await cache.set("k", {"v": 2})
                sleeping = asyncio.create_task(blocker.execute_command("DEBUG", "SLEEP", "0.6"))
                await asyncio.sleep(0.05)
                assert await cache.get("k") is None  # timed out: a miss
                await sleeping
            await asyncio.sleep(0.15)
            for _ in range(4):  # steady again
                assert await cache.get("k") == {"v": 2}
            await blocker.aclose()
        messages = [r.getMessage() for r in caplog.records]
        assert messages.count("redis cache reachable again; caching resumed") == 1, messages
        assert messages.count("redis cache unavailable; answering uncached") == 1, messages
    finally:
        await cache.close()
