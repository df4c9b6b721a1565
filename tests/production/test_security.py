"""The HTTP edge over real loopback HTTP: API keys, rate limits, CORS preflight, chunked body limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.production.conftest import b64, running, tiny_png
from visdesk.api.security import TokenBuckets

KEY = "test-key-1"
OTHER_KEY = "test-key-2"  # its own rate-limit bucket


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    overrides = {
        "engine": "slowtest:0",
        "safety": {
            "nsfw_enabled": False,
            "api_keys": [KEY, OTHER_KEY],
            "rate_limit_per_minute": 3,
            "cors_origins": ["https://shop.example"],
            "max_body_bytes": 4096,
        },
    }
    with running(tmp_path_factory.mktemp("guarded"), **overrides) as (url, _):
        yield url


def _ask(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"question": "what is this?", "image": b64(tiny_png())}
    return httpx.post(f"{url}/v1/chat", json=body, headers=headers or {}, timeout=30)


def test_missing_or_wrong_key_is_401_with_www_authenticate(guarded: str) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {KEY}"}):
        response = _ask(guarded, headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] == "unauthorized"
    form = httpx.post(f"{guarded}/chat", data={"text": "hi"}, timeout=10)
    assert form.status_code == 401
    # the history endpoints hold customers' questions: they need the key too (plain paths and /v1 aliases)
    for path in ("/sessions/abc", "/v1/sessions/abc"):
        assert httpx.get(f"{guarded}{path}", timeout=10).status_code == 401, path
    for path in ("/feedback", "/v1/feedback"):
        assert httpx.post(f"{guarded}{path}", json={"message_id": "m", "rating": "up"}, timeout=10).status_code == 401


def test_open_endpoints_need_no_key(guarded: str) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/"):
        assert httpx.get(f"{guarded}{path}", timeout=10).status_code == 200, path


def test_valid_key_then_rate_limit_429_with_retry_after(guarded: str) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    statuses = [_ask(guarded, headers).status_code for _ in range(4)]
    assert statuses[0] == 200
    assert 429 in statuses
    limited = _ask(guarded, headers)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.json()["error"]["code"] == "rate_limited"


def test_cors_preflight_allows_the_configured_origin_only(guarded: str) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    ok = httpx.options(f"{guarded}/v1/chat", headers={"Origin": "https://shop.example", **preflight}, timeout=10)
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://shop.example"
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    denied = httpx.options(f"{guarded}/v1/chat", headers={"Origin": "https://evil.example", **preflight}, timeout=10)
    assert "access-control-allow-origin" not in denied.headers


def test_chunked_body_over_the_limit_is_413(guarded: str) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server only learns the size as it reads
        for _ in range(10):
            yield b"x" * 1024

    headers = {"Authorization": f"Bearer {OTHER_KEY}", "Content-Type": "application/json"}
    response = httpx.post(f"{guarded}/v1/chat", content=chunks(), headers=headers, timeout=10)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_small_chunked_body_still_reaches_the_route(tmp_path: Path) -> None:
    body = b'{"question": "hi", "image": "%s"}' % b64(tiny_png()).encode()
    with running(tmp_path, engine="slowtest:0") as (url, _):
        response = httpx.post(
            f"{url}/v1/chat", content=iter([body[:20], body[20:]]), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 200
    assert response.json()["answer"] == "echo: hi"


def test_token_bucket_refills_evenly() -> None:
    buckets = TokenBuckets(per_minute=60)
    assert all(buckets.take("a", now=0.0) == 0 for _ in range(60))
    wait = buckets.take("a", now=0.0)
    assert 0.9 < wait <= 1.0
    assert buckets.take("a", now=1.01) == 0  # one token a second
    assert buckets.take("b", now=0.0) == 0  # clients are independent


@pytest.mark.parametrize("public_docs", [False, True])
def test_api_docs_need_a_key_when_keys_are_set_unless_public(tmp_path: Path, public_docs: bool) -> None:
    safety = {"nsfw_enabled": False, "api_keys": [KEY], "public_docs": public_docs}
    with running(tmp_path, engine="slowtest:0", safety=safety) as (url, _):
        for path in ("/docs", "/redoc", "/openapi.json"):
            anonymous = httpx.get(f"{url}{path}", timeout=10)
            keyed = httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
            assert keyed.status_code == 200, path
            if public_docs:
                assert anonymous.status_code == 200, path
            else:
                assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized", path
        assert httpx.get(f"{url}/openapi.json", headers={"Authorization": f"Bearer {KEY}"}).json()["paths"]


def test_api_docs_are_open_without_keys(tmp_path: Path) -> None:
    with running(tmp_path, engine="slowtest:0") as (url, _):
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert httpx.get(f"{url}{path}", timeout=10).status_code == 200, path
