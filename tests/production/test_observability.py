"""Observability: /metrics scraped over HTTP and parsed; one JSON log line per request, without PII."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.production.conftest import b64, running, tiny_png
from visdesk.metrics import PrometheusMetrics
from visdesk.observability import configure_logging

PHONE = "13812345678"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The service's own logging set-up, writing into a buffer the test reads."""
    root = logging.getLogger()
    level = root.level
    configure_logging("INFO", json_lines=True)
    buffer = io.StringIO()
    for handler in root.handlers:
        if getattr(handler, "_visdesk", False):
            handler.setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_visdesk", False)]:
            root.removeHandler(handler)
        root.setLevel(level)


def test_metrics_after_real_requests(tmp_path: Path, json_logs: io.StringIO) -> None:
    body = {"question": f"my phone is {PHONE}, what is this?", "image": b64(tiny_png(11))}
    with running(tmp_path, engine="slowtest:0.2") as (url, _), httpx.Client(base_url=url, timeout=30) as client:
        assert client.post("/v1/chat", json=body).status_code == 200
        assert client.post("/v1/chat", json=body).json()["cached"] is True
        with client.stream("POST", "/v1/chat", json={**body, "question": "stream it", "stream": True}) as stream:
            assert stream.status_code == 200 and "".join(stream.iter_text()).count("data:") >= 2
        assert client.post("/v1/chat", json={"question": "", "image": b64(tiny_png(1))}).status_code == 400
        assert client.get("/no/such/path").status_code == 404
        response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    got = samples(response.text)
    assert got[("visdesk_requests_total", (("route", "/v1/chat"), ("status", "200")))] == 3
    assert got[("visdesk_requests_total", (("route", "/v1/chat"), ("status", "400")))] == 1
    assert got[("visdesk_requests_total", (("route", "unmatched"), ("status", "404")))] == 1
    assert got[("visdesk_request_latency_seconds_count", (("route", "/v1/chat"),))] == 4
    assert got[("visdesk_time_to_first_token_seconds_count", (("route", "/v1/chat"),))] == 1
    assert got[("visdesk_cache_lookups_total", (("result", "hit"),))] == 1
    assert got[("visdesk_cache_lookups_total", (("result", "miss"),))] == 2
    for gauge in ("visdesk_queue_depth", "visdesk_in_flight", "visdesk_load_level"):
        assert got[(gauge, ())] == 0
    assert ("visdesk_gpu_memory_allocated_bytes", ()) in got

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "visdesk.request"]
    assert len(requests) == 4
    first = requests[0]
    for key in ("request_id", "route", "engine", "question_hmac", "image_id", "load_level", "mode", "cached"):
        assert key in first
    assert (first["status"], first["http_status"], first["level"]) == ("ok", 200, "info")
    assert first["latency_ms"] >= 150 and first["ttft_ms"] is not None
    assert requests[-1]["http_status"] == 400 and requests[-1]["status"] == "empty_question"
    everything = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert PHONE not in everything and "what is this" not in everything


def test_pii_filter_masks_any_log_message(json_logs: io.StringIO) -> None:
    logging.getLogger("visdesk.somewhere").warning(
        "customer %s wrote from %s", PHONE, "a@b.example.com", extra={"fields": {"note": f"call {PHONE}"}}
    )
    line = json.loads(json_logs.getvalue().strip().splitlines()[-1])
    assert PHONE not in json.dumps(line) and "a@b.example.com" not in line["msg"]
    assert "****5678" in line["msg"] and "****5678" in line["note"]


def test_each_app_has_its_own_registry() -> None:
    one, two = PrometheusMetrics(), PrometheusMetrics()
    one.engine_error("embedded")
    one.safety_refusal("unsafe_image")
    assert b'visdesk_engine_errors_total{engine="embedded"} 1.0' in one.render()
    assert b"visdesk_engine_errors_total{" not in two.render()


def test_metrics_can_be_switched_off(tmp_path: Path) -> None:
    with running(tmp_path, engine="slowtest:0", observability={"metrics_enabled": False}) as (url, _):
        response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def _question_digests(tmp_path: Path, json_logs: io.StringIO, **overrides: object) -> list[str]:
    body = {"question": PHONE, "image": b64(tiny_png(5))}  # a question that is only a phone number
    with running(tmp_path, engine="slowtest:0", **overrides) as (url, _), httpx.Client(base_url=url) as client:
        for _ in range(2):
            assert client.post("/v1/chat", json=body, timeout=30).status_code == 200
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.startswith("{")]
    return [line["question_hmac"] for line in lines if line["logger"] == "visdesk.request"][-2:]


def test_question_digest_is_keyed_with_the_configured_secret(tmp_path: Path, json_logs: io.StringIO) -> None:
    secret = "log-digest-secret-for-tests"
    digests = _question_digests(tmp_path, json_logs, observability={"log_digest_secret": secret})
    expected = hmac.new(secret.encode(), PHONE.encode(), hashlib.sha256).hexdigest()[:16]
    assert digests == [expected, expected]  # the same question repeats visibly, under the operator's key
    assert expected != hashlib.sha256(PHONE.encode()).hexdigest()[:16]  # not the reversible unsalted hash
    assert "question_sha256" not in json_logs.getvalue() and secret not in json_logs.getvalue()


def test_question_digest_without_a_secret_is_random_per_process(tmp_path: Path, json_logs: io.StringIO) -> None:
    first = _question_digests(tmp_path / "one", json_logs)
    second = _question_digests(tmp_path / "two", json_logs)
    assert first[0] == first[1] and second[0] == second[1]
    assert first[0] != second[0]  # a fresh random key each time: nobody can precompute the phone numbers
    assert hashlib.sha256(PHONE.encode()).hexdigest()[:16] not in (first[0], second[0])
