"""Load governor: levels, shedding (503 + Retry-After / canned web reply), deadlines, disconnects."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import httpx
import pytest

from tests.production.conftest import b64, running, tiny_png
from visdesk.domain import LoadLevel, Mode
from visdesk.errors import AppError, ErrorCode
from visdesk.load import LoadGovernor
from visdesk.pipeline import CANNED_BUSY
from visdesk.settings import LoadSettings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def governor(**overrides: object) -> LoadGovernor:
    base: dict[str, object] = {"max_in_flight": 1, "max_queue": 4, "high_queue_depth": 1, "extreme_queue_depth": 3}
    return LoadGovernor(LoadSettings(**{**base, **overrides}))


async def test_levels_follow_queue_depth_and_api_clients_get_503_at_extreme() -> None:
    gov = governor()
    release = asyncio.Event()
    levels: list[LoadLevel] = []

    async def hold(client: str = "api") -> None:
        async with gov.admit(client) as ticket:
            levels.append(ticket.level)
            await release.wait()

    tasks = [asyncio.create_task(hold()) for _ in range(4)]  # 1 running + 3 queued
    await asyncio.sleep(0.05)
    assert (gov.in_flight, gov.waiting, gov.level) == (1, 3, LoadLevel.EXTREME)
    with pytest.raises(AppError) as refused:
        async with gov.admit("api"):
            pass
    assert refused.value.code is ErrorCode.OVERLOADED and refused.value.headers["Retry-After"] == "5"
    async with gov.admit("web") as web:  # the pipeline gives web clients a canned reply, no slot needed
        assert (web.level, web.mode) == (LoadLevel.EXTREME, Mode.FAST)
    release.set()
    await asyncio.gather(*tasks)
    assert (gov.in_flight, gov.waiting, gov.level) == (0, 0, LoadLevel.NORMAL)
    assert levels[0] is LoadLevel.NORMAL and LoadLevel.HIGH in levels[1:]


async def test_slow_recent_latency_means_high_then_recovers_when_the_window_passes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    gov = LoadGovernor(LoadSettings(high_latency_s=1.0, latency_window_s=10.0), clock=clock)
    with caplog.at_level(logging.WARNING, logger="visdesk.load"):
        for _ in range(3):
            async with gov.admit("api") as ticket:
                assert ticket.mode is Mode.QUALITY or gov.recent_p50() is not None
                clock.now += 2.0  # each request takes 2 s > high_latency_s
        assert gov.level is LoadLevel.HIGH
        async with gov.admit("api") as ticket:
            assert (ticket.level, ticket.mode) == (LoadLevel.HIGH, Mode.FAST)
        clock.now += 11.0
        assert gov.level is LoadLevel.NORMAL
    changes = [r.fields for r in caplog.records if r.getMessage() == "load level changed"]  # type: ignore[attr-defined]
    assert [(c["from"], c["to"]) for c in changes] == [("normal", "high"), ("high", "normal")]


async def test_queue_wait_counts_against_the_deadline() -> None:
    gov = governor(max_in_flight=1)
    release = asyncio.Event()

    async def hold() -> None:
        async with gov.admit("api"):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    with pytest.raises(AppError) as timed_out:
        async with gov.admit("api", deadline=time.perf_counter() + 0.2):
            pass
    assert timed_out.value.code is ErrorCode.TIMEOUT and timed_out.value.status == 504
    assert 0.15 < time.perf_counter() - started < 1.0
    assert gov.waiting == 0
    release.set()
    await holder


# --- over HTTP ---------------------------------------------------------------------------------


async def test_overload_over_http_503_for_api_and_canned_reply_for_web(tmp_path: Path) -> None:
    load = {"max_in_flight": 1, "max_queue": 8, "high_queue_depth": 1, "extreme_queue_depth": 2}
    # A 3 s answer keeps the queue standing long enough to be seen even when the requests reach the
    # server a second apart (seen on a busy disk late in the full suite with a 1 s answer).
    with running(tmp_path, engine="slowtest:3.0", load=load) as (url, app):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            warm = await client.post("/v1/chat", json={"question": "warm", "image": b64(tiny_png(7))})
            assert warm.status_code == 200  # one-off start-up costs (tokeniser dictionaries) are paid here
            busy = [
                asyncio.create_task(client.post("/v1/chat", json={"question": f"q{i}", "image": b64(tiny_png(i))}))
                for i in range(3)
            ]
            gov = app.state.services.governor
            deadline = time.monotonic() + 15
            while gov.waiting < 2 and time.monotonic() < deadline:  # 1 running + 2 queued = EXTREME
                await asyncio.sleep(0.02)
            assert gov.level is LoadLevel.EXTREME
            api = await client.post("/v1/chat", json={"question": "one more", "image": b64(tiny_png(9))})
            web = await client.post(
                "/chat", data={"text": "还有吗", "client": "web"}, files={"image": ("a.png", tiny_png(8), "image/png")}
            )
            done = await asyncio.gather(*busy)
    assert api.status_code == 503 and int(api.headers["retry-after"]) > 0
    assert api.json()["error"]["code"] == "overloaded"
    assert web.status_code == 200
    assert web.json()["answer"] == CANNED_BUSY["zh"] and web.json()["level"] == "extreme"
    assert [r.status_code for r in done] == [200, 200, 200]
    # Admitted with an empty queue → NORMAL, quality; admitted with others already queued → HIGH, fast.
    seen = {(r.json()["level"], r.json()["mode"]) for r in done}
    assert ("normal", "quality") in seen and ("high", "fast") in seen
    assert seen <= {("normal", "quality"), ("high", "fast")}


async def test_deadline_includes_queue_time_and_ends_in_504(tmp_path: Path) -> None:
    load = {"max_in_flight": 1, "request_timeout_s": 1.7, "high_queue_depth": 10, "extreme_queue_depth": 10}
    with running(tmp_path, engine="slowtest:1.0", load=load) as (url, app):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            warm = await client.post("/v1/chat", json={"question": "warm", "image": b64(tiny_png(0))})
            assert warm.status_code == 200  # first request pays one-off start-up costs (tokeniser dictionaries)
            first, second = await asyncio.gather(
                client.post("/v1/chat", json={"question": "a", "image": b64(tiny_png(1))}),
                client.post("/v1/chat", json={"question": "b", "image": b64(tiny_png(2))}),
            )
        assert app.state.services.governor.in_flight == 0
    ok, late = sorted((first, second), key=lambda r: r.status_code)
    assert (ok.status_code, late.status_code) == (200, 504), late.text  # 1 s queued + 1 s engine > 1.7 s
    assert late.json()["error"]["code"] == "timeout"


@pytest.mark.parametrize("stream", [False, True])
async def test_client_disconnect_cancels_the_engine_and_frees_the_slot(tmp_path: Path, stream: bool) -> None:
    with running(tmp_path, engine="slowtest:3.0") as (url, app):
        engine, gov = app.state.services.engine, app.state.services.governor
        body = {"question": "slow one", "image": b64(tiny_png(3)), "stream": stream}
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            if stream:
                async with client.stream("POST", "/v1/chat", json=body) as response:
                    async for line in response.aiter_lines():
                        if line.startswith("data:"):
                            assert "delta" in json.loads(line[5:])
                            break  # leave after the first piece: the connection closes
            else:
                with pytest.raises(httpx.ReadTimeout):
                    await client.post("/v1/chat", json=body, timeout=0.8)
        deadline = time.monotonic() + 5
        while (engine.cancelled == 0 or gov.in_flight) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert engine.started == 1 and engine.cancelled == 1 and engine.finished == 0
        assert gov.in_flight == 0 and engine.active == 0
