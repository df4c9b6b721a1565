"""The remote engine against real servers on loopback: the fake upstream, a closed port, and visdesk."""

from __future__ import annotations

import asyncio
import base64
import io
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.engines.remote.conftest import request_for, started
from tests.engines.remote.fake_upstream import GAP_S, PIECES, FakeUpstream
from tests.support.render import png_bytes, render_lines
from tests.support.server import free_port
from visdesk.domain import Delta, Mode
from visdesk.engines import create_engine
from visdesk.engines.circuit_breaker import BreakerState
from visdesk.errors import AppError, ErrorCode
from visdesk.images import intake
from visdesk.settings import ImageSettings

Fake = tuple[str, FakeUpstream]


async def test_deltas_stream_through_as_they_arrive(fake_upstream: Fake, tmp_path: Path) -> None:
    url, fake = fake_upstream
    async with started(url, tmp_path) as engine:
        assert engine.model == "chunks"  # asked GET /models because no model was configured
        arrivals: list[tuple[float, Delta]] = []
        async for delta in engine.stream(request_for("hi", stop=("###",), max_new_tokens=7)):
            arrivals.append((time.perf_counter(), delta))
    texts = [d.text for _, d in arrivals if d.text]
    assert texts == list(PIECES)
    first_text_at = next(t for t, d in arrivals if d.text)
    assert arrivals[-1][0] - first_text_at >= GAP_S * 1.5  # the first piece came before the upstream finished
    assert [d.usage for _, d in arrivals if d.usage] == [
        {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}
    ]
    assert arrivals[-1][1].finish_reason == "length"
    sent = fake.received[-1]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == 7 and sent["stop"] == ["###"]


async def test_image_is_sent_as_a_data_url_and_mode_sets_length(fake_upstream: Fake, tmp_path: Path) -> None:
    url, fake = fake_upstream
    image = intake(png_bytes(render_lines(["Order: Z9"], size=20, width=300)), ImageSettings())
    thinking_off = {"chat_template_kwargs": {"enable_thinking": False}}
    async with started(url, tmp_path, model="chunks", fast_max_tokens=33, extra_body=thinking_off) as engine:
        request = request_for("what order?", image=image)
        fast = type(request)(query=request.query, grounding=request.grounding, mode=Mode.FAST)
        [d async for d in engine.stream(fast)]
    sent = fake.received[-1]
    assert sent["max_tokens"] == 33 and sent["temperature"] == 0.0
    assert sent["chat_template_kwargs"] == {"enable_thinking": False}
    user = sent["messages"][-1]
    image_part = next(p for p in user["content"] if p["type"] == "image_url")
    header, _, data = image_part["image_url"]["url"].partition(",")
    assert header == "data:image/jpeg;base64"
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == image.image.size
    assert sent["messages"][0]["role"] == "system"


async def test_closing_the_stream_closes_the_upstream_response(fake_upstream: Fake, tmp_path: Path) -> None:
    url, fake = fake_upstream
    before = fake.abandoned
    async with started(url, tmp_path, model="chunks") as engine:
        stream = engine.stream(request_for("hi"))
        assert (await anext(stream)).text == PIECES[0]
        await stream.aclose()  # type: ignore[attr-defined]
        for _ in range(40):
            if fake.abandoned > before:
                break
            await asyncio.sleep(0.05)
    assert fake.abandoned == before + 1


@pytest.mark.parametrize(
    ("status", "code", "said"),
    [
        (400, ErrorCode.INVALID_REQUEST, "upstream says 400"),
        (401, ErrorCode.UPSTREAM_ERROR, "auth"),
        (404, ErrorCode.MODEL_NOT_FOUND, "status-404"),
        (429, ErrorCode.OVERLOADED, "busy"),
        (500, ErrorCode.UPSTREAM_ERROR, "HTTP 500"),
    ],
)
async def test_upstream_statuses_map_to_our_codes(
    fake_upstream: Fake, tmp_path: Path, status: int, code: ErrorCode, said: str
) -> None:
    url, _ = fake_upstream
    async with started(url, tmp_path, model=f"status-{status}") as engine:
        with pytest.raises(AppError) as caught:
            [d async for d in engine.stream(request_for("hi"))]
    assert caught.value.code is code and said in caught.value.message
    assert caught.value.status != 401  # an upstream auth problem is never the customer's 401
    if status == 429:
        assert caught.value.headers["Retry-After"] == "7"


async def test_read_timeout_is_a_timeout(fake_upstream: Fake, tmp_path: Path) -> None:
    url, _ = fake_upstream
    async with started(url, tmp_path, model="sleep", read_timeout_s=0.3) as engine:
        started_at = time.perf_counter()
        with pytest.raises(AppError) as caught:
            [d async for d in engine.stream(request_for("hi"))]
    assert caught.value.code is ErrorCode.TIMEOUT and caught.value.status == 504
    assert time.perf_counter() - started_at < 1.5


async def test_in_band_upstream_error_after_tokens(fake_upstream: Fake, tmp_path: Path) -> None:
    url, _ = fake_upstream
    texts: list[str] = []
    async with started(url, tmp_path, model="error-mid") as engine:
        with pytest.raises(AppError) as caught:
            async for delta in engine.stream(request_for("hi")):
                texts.append(delta.text)
    assert texts == [PIECES[0]]
    assert caught.value.code is ErrorCode.UPSTREAM_ERROR and "GPU fell over" in caught.value.message


async def test_connect_errors_retry_then_open_the_breaker(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"
    settings = {"retries": 2, "retry_backoff_s": 0.2, "breaker_failures": 2, "breaker_reset_s": 30}
    async with started(closed, tmp_path, model="m", **settings) as engine:
        for _ in range(2):
            began = time.perf_counter()
            with pytest.raises(AppError) as caught:
                [d async for d in engine.stream(request_for("hi"))]
            assert caught.value.code is ErrorCode.ENGINE_UNAVAILABLE
            assert time.perf_counter() - began >= 0.2 + 0.4  # two retries, backoff 0.2 then 0.4
        assert engine.breaker.state is BreakerState.OPEN
        began = time.perf_counter()
        with pytest.raises(AppError) as caught:
            [d async for d in engine.stream(request_for("hi"))]
        assert time.perf_counter() - began < 0.3  # failed fast: no connection, no backoff
        assert caught.value.status == 503 and int(caught.value.headers["Retry-After"]) >= 29


async def test_half_open_trial_closes_the_breaker_when_the_upstream_recovers(
    fake_upstream: Fake, tmp_path: Path
) -> None:
    url, _ = fake_upstream
    async with started(url, tmp_path, model="status-503", breaker_failures=1, breaker_reset_s=0.2) as engine:
        with pytest.raises(AppError):
            [d async for d in engine.stream(request_for("hi"))]
        with pytest.raises(AppError) as caught:
            [d async for d in engine.stream(request_for("hi"))]
        assert caught.value.code is ErrorCode.ENGINE_UNAVAILABLE
        engine.model = "chunks"  # the upstream "recovers"
        await asyncio.sleep(0.25)
        text = "".join([d.text async for d in engine.stream(request_for("hi"))])
        assert text == "".join(PIECES) and engine.breaker.state is BreakerState.CLOSED


async def test_real_visdesk_upstream_answers_and_refuses_unknown_models(upstream_visdesk: str, tmp_path: Path) -> None:
    async with started(upstream_visdesk, tmp_path) as engine:
        assert engine.model == "visdesk"
        deltas = [d async for d in engine.stream(request_for("Hello, can you help me with my order?"))]
        assert "".join(d.text for d in deltas).strip()
        usage = next(d.usage for d in deltas if d.usage)
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    async with started(upstream_visdesk, tmp_path, model="no-such-model") as engine:
        with pytest.raises(AppError) as caught:
            [d async for d in engine.stream(request_for("hi"))]
        assert caught.value.code is ErrorCode.MODEL_NOT_FOUND and "no-such-model" in caught.value.message


def test_registry_builds_the_remote_engine_from_the_spec(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    engine = create_engine("remote:http://vllm:8000/v1/", make_settings(tmp_path))
    assert engine.name == "remote" and engine.capabilities.sees_pixels and engine.capabilities.needs_ocr
    with pytest.raises(AppError) as caught:
        create_engine("remote", make_settings(tmp_path))
    assert caught.value.code is ErrorCode.ENGINE_UNAVAILABLE and "VISDESK_REMOTE__BASE_URL" in caught.value.message
