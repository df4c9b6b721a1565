"""Serving benchmark: cache hits through the full stack vs a bare endpoint, and 10× overload.

    .venv/bin/python -m bench.serving            # both parts (overload runs 60 s)
    .venv/bin/python -m bench.serving --part cache --seconds 8
    .venv/bin/python -m bench.serving --part cache --endpoint openai   # /v1/chat/completions

Cache hits: the same image (by default a 1600×1200 phone photo of an order page: 0.76 MB of JPEG,
1.0 MB of base64) + question POSTed to /v1/chat (or, with `--endpoint openai`, as an OpenAI chat
request to /v1/chat/completions) after one warm-up miss, by a closed loop
of N workers, against a bare FastAPI endpoint that reads the body and returns the same JSON, under
the same uvicorn settings and the same client, alternating rounds so drift hits both alike.
Overload: a slow deterministic engine (bench/serving/engine.py) and an open loop at `factor` × the
sustainable rate; afterwards the load level must return to NORMAL.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from prometheus_client.parser import text_string_to_metric_families

from bench.serving.client import ROOT, closed_loop, open_loop, server, wrk_available, wrk_loop

RESULTS = ROOT / "bench" / "results"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
QUESTION = "订单号是多少？"


def order_screenshot() -> bytes:
    """A 900×600 order page as a PNG: what customers send."""
    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 26) if FONT.exists() else ImageFont.load_default()
    lines = ["订单详情", "订单号: 202401150001", "下单时间: 2024-01-15 10:32", "状态: 已发货", "合计: ¥ 299.00"]
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * 60), line, font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def order_photo() -> bytes:
    """A 1600×1200 phone photo of an order page as a JPEG (sensor noise: ~0.76 MB, ~1.0 MB of base64):
    the upload size customers' photos have, where body parsing and hashing cost what they cost."""
    image = Image.new("RGB", (1600, 1200), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 44) if FONT.exists() else ImageFont.load_default()
    for i, line in enumerate(["订单详情", "订单号: 202401150001", "状态: 已发货", "合计: ¥ 299.00"]):
        draw.text((80, 80 + i * 110), line, font=font, fill="black")
    pixels = np.asarray(image).astype(np.int16)
    noise = np.random.default_rng(7).integers(-20, 21, pixels.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


IMAGES = {"photo": order_photo, "screenshot": order_screenshot}


def metric(url: str, name: str, **labels: str) -> float | None:
    """The sample `name` (summed over the samples whose labels include `labels`); None if there is none."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    values = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
    return sum(values) if values else None


# --- cache hits ----------------------------------------------------------------------------------


VARIANTS: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    # name: (settings overrides, server flags)
    "full (sqlite history, synchronous=FULL)": ({}, ()),
    "full (sqlite history, synchronous=NORMAL)": ({"history": {"sqlite_synchronous": "NORMAL"}}, ()),
    "full (sqlite FULL, fsync on a thread as before)": ({}, ("--fsync-thread",)),
    "full (history in memory)": ({}, ("--memory-history",)),
}


def _ratio(bare_rps: float, rps: float) -> float | None:
    """bare ÷ this; None when no request of this server succeeded (the non-200 column says why)."""
    return round(bare_rps / rps, 2) if rps else None


def chat_body(image: bytes) -> dict[str, Any]:
    return {"question": QUESTION, "image": base64.b64encode(image).decode()}


def openai_body(image: bytes) -> dict[str, Any]:
    """The same question and image as an OpenAI chat request (what Open WebUI and the openai SDK send)."""
    url = "data:image/jpeg;base64," + base64.b64encode(image).decode()
    content = [{"type": "text", "text": QUESTION}, {"type": "image_url", "image_url": {"url": url}}]
    return {"model": "visdesk", "messages": [{"role": "user", "content": content}]}


ENDPOINTS = {"chat": ("/v1/chat", chat_body), "openai": ("/v1/chat/completions", openai_body)}


def cache_hits(
    *,
    concurrency: int,
    seconds: float,
    rounds: int,
    variants: list[str],
    client: str,
    image_kind: str = "photo",
    endpoint: str = "chat",
) -> dict[str, Any]:
    """Cache-hit req/s and latency of each full-stack variant and of the bare endpoint, same client."""
    image = IMAGES[image_kind]()
    path, make_body = ENDPOINTS[endpoint]
    body = make_body(image)

    def measure(url: str) -> dict[str, Any]:
        if client == "wrk":
            return wrk_loop(url, body, concurrency=concurrency, duration_s=seconds, path=path)
        return asyncio.run(closed_loop(url, body, concurrency=concurrency, duration_s=seconds, path=path)).summary()

    results: dict[str, list[dict[str, Any]]] = {name: [] for name in [*variants, "bare FastAPI endpoint"]}
    reply_json: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as servers:
        reply = Path(tmp) / "reply.json"
        urls: dict[str, str] = {}
        for name in variants:  # every server is up (and idle while another is measured) for the whole run
            overrides, flags = VARIANTS[name]
            settings = json.dumps({"engine": "embedded", **overrides})
            url = servers.enter_context(server("full", settings=settings, extra=flags))
            miss = httpx.post(f"{url}/v1/chat", json=chat_body(image), timeout=120).json()
            hit = httpx.post(f"{url}/v1/chat", json=chat_body(image), timeout=120).json()
            assert miss["cached"] is False and hit["cached"] is True, (miss, hit)
            if endpoint != "chat":  # the first request there may miss (its options are part of the cache key)
                httpx.post(f"{url}{path}", json=body, timeout=120).raise_for_status()
                hits = metric(url, "visdesk_cache_lookups_total", result="hit") or 0.0
                hit = httpx.post(f"{url}{path}", json=body, timeout=120).raise_for_status().json()
                assert metric(url, "visdesk_cache_lookups_total", result="hit") == hits + 1, "not a cache hit"
            if reply_json is None:
                reply_json = hit
                reply.write_text(json.dumps(hit, ensure_ascii=False), encoding="utf-8")
            urls[name] = url
        urls["bare FastAPI endpoint"] = servers.enter_context(server("bare", reply=reply))
        for url in urls.values():
            asyncio.run(closed_loop(url, body, concurrency=concurrency, duration_s=1.0, path=path))  # warm
        for _ in range(rounds):  # rounds alternate between the servers, so drift on the box hits all alike
            for name, url in urls.items():
                results[name].append(measure(url))
    bare_rps = statistics.median(s["ok_rps"] for s in results["bare FastAPI endpoint"])
    table = {
        name: {
            "ok_rps": round(statistics.median(s["ok_rps"] for s in runs), 1),
            "p50_ms": round(statistics.median(s["p50_ms"] for s in runs), 2),
            "p99_ms": round(statistics.median(s["p99_ms"] for s in runs), 2),
            "non_200": sum(v for s in runs for k, v in s["statuses"].items() if k not in (200, "200")),
            "cost_vs_bare": _ratio(bare_rps, statistics.median(s["ok_rps"] for s in runs)),
        }
        for name, runs in results.items()
    }
    return {
        "in_process_ms": in_process_cost(body, reply_json or {}, path),
        "endpoint": path,
        "image": image_kind,
        "image_bytes": len(image),
        "body_bytes": len(json.dumps(body)),
        "concurrency": concurrency,
        "client": client,
        "seconds_per_round": seconds,
        "rounds": rounds,
        "table": table,
        "rounds_detail": results,
    }


def in_process_cost(body: dict[str, Any], reply: dict[str, Any], path: str = "/v1/chat") -> dict[str, float]:
    """Milliseconds the app itself spends per cache hit (ASGI called directly: no sockets, no client)."""
    from bench.serving.asgi_cost import measure
    from bench.serving.server import bare_app, full_app

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a").mkdir()
        (Path(tmp) / "b").mkdir()
        apps = {  # the SQL app first: the in-memory variant swaps visdesk.app.build_history for this process
            "full (sqlite history, synchronous=FULL)": full_app({"engine": "embedded"}, Path(tmp) / "a"),
            "full (history in memory)": full_app({"engine": "embedded"}, Path(tmp) / "b", memory_history=True),
            "bare FastAPI endpoint": bare_app(reply),
        }
        return asyncio.run(measure(apps, body, path))


# --- overload ------------------------------------------------------------------------------------


def overload_settings(delay_s: float, max_in_flight: int, timeout_s: float, window_s: float) -> dict[str, Any]:
    return {
        "engine": f"slowtest:{delay_s}",
        "load": {
            "max_in_flight": max_in_flight,
            "max_queue": 4 * max_in_flight,
            "high_queue_depth": max_in_flight,
            "extreme_queue_depth": 2 * max_in_flight,
            "request_timeout_s": timeout_s,
            "latency_window_s": window_s,
            "retry_after_s": 1,
        },
    }


def overload(
    *, delay_s: float, max_in_flight: int, factor: float, seconds: float, timeout_s: float = 10.0
) -> dict[str, Any]:
    """Drive `factor` × the quality-mode capacity (max_in_flight / delay_s) for `seconds`."""
    capacity = max_in_flight / delay_s
    rate = factor * capacity
    tiny = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(tiny, format="PNG")
    image = base64.b64encode(tiny.getvalue()).decode()
    settings = overload_settings(delay_s, max_in_flight, timeout_s, window_s=min(10.0, seconds / 3))

    def body(i: int) -> dict[str, Any]:
        return {"question": f"question {i}: where is my parcel?", "image": image}  # distinct: never a cache hit

    with server("full", settings=json.dumps(settings)) as url:
        run = asyncio.run(open_loop(url, body, rate=rate, duration_s=seconds, timeout_s=timeout_s * 3))
        peak_level = metric(url, "visdesk_load_level")
        started = time.perf_counter()
        recovered_s = None
        while time.perf_counter() - started < 30:
            if metric(url, "visdesk_load_level") == 0 and metric(url, "visdesk_in_flight") == 0:
                recovered_s = round(time.perf_counter() - started, 2)
                break
            time.sleep(0.25)
        after = httpx.post(f"{url}/v1/chat", json=body(-1), timeout=30).json()
    summary = run.summary()
    statuses = run.statuses()
    shed = [o for o in run.outcomes if o.status == 503]
    failures = sum(n for status, n in statuses.items() if status == 0 or (status >= 500 and status != 503))
    return {
        "engine_delay_s": delay_s,
        "max_in_flight": max_in_flight,
        "capacity_rps": capacity,
        "offered_rps": round(rate, 1),
        "achieved_offered_rps": summary["rps"],
        "seconds": seconds,
        **summary,
        "failures": failures,
        "shed_503": len(shed),
        "shed_with_retry_after": sum(1 for o in shed if o.retry_after),
        "level_at_end_of_load": peak_level,
        "recovered_to_normal_s": recovered_s,
        "level_after": after.get("level"),
        "mode_after": after.get("mode"),
        "settings": settings,
    }


# --- report --------------------------------------------------------------------------------------


def print_cache(result: dict[str, Any]) -> None:
    print(
        f"\nCache hits: POST {result.get('endpoint', '/v1/chat')}, {result.get('image', 'screenshot')} "
        f"of {result['image_bytes']} B "
        f"({result['body_bytes']} B of JSON), {result['concurrency']} connections, "
        f"client {result['client']} (medians of {result['rounds']} rounds)"
    )
    width = max(44, *map(len, result["table"]))
    print(f"{'server':{width}} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8} {'cost×':>6}")
    for name, row in result["table"].items():
        print(
            f"{name:{width}} {row['ok_rps']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8} {row['non_200']:>8} "
            f"{row['cost_vs_bare'] if row['cost_vs_bare'] is not None else 'n/a':>6}"
        )
    print("cost× = bare req/s ÷ this req/s (target for a cache hit: ≤ 1.5)")
    print("in process (ASGI called directly), ms per cache hit:")
    for name, ms in result["in_process_ms"].items():
        print(f"  {name:44} {ms:>8}")


def print_overload(result: dict[str, Any]) -> None:
    print(
        f"\nOverload: {result['offered_rps']} req/s offered ({result['achieved_offered_rps']} achieved) "
        f"against {result['capacity_rps']} req/s capacity, {result['seconds']} s"
    )
    print(f"{'requests':>8} {'200':>6} {'503':>6} {'fail':>6} {'p50 ms':>8} {'p99 ms':>8} {'recover s':>9}")
    st = result["statuses"]
    print(
        f"{result['requests']:>8} {st.get(200, 0):>6} {st.get(503, 0):>6} {result['failures']:>6} "
        f"{result['p50_ms']:>8} {result['p99_ms']:>8} {result['recovered_to_normal_s']!s:>9}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["all", "cache", "overload"], default="all")
    parser.add_argument("--seconds", type=float, default=8.0, help="per cache-hit round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--image", choices=list(IMAGES), default="photo", help="the cached upload (default ~1 MB)")
    parser.add_argument("--endpoint", choices=list(ENDPOINTS), default="chat", help="POST /v1/chat or the OpenAI one")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--httpx", action="store_true", help="use the Python client even when wrk is installed")
    parser.add_argument("--all-variants", action="store_true", help="also NORMAL sync and in-memory history")
    parser.add_argument("--overload-seconds", type=float, default=60.0)
    parser.add_argument("--factor", type=float, default=10.0)
    parser.add_argument("--delay", type=float, default=0.5, help="slow engine seconds per answer")
    parser.add_argument("--max-in-flight", type=int, default=4)
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"machine": platform.platform(), "python": platform.python_version(), "at": time.time()}
    if args.part in ("all", "cache"):
        variants = list(VARIANTS) if args.all_variants else [next(iter(VARIANTS))]
        result["cache_hits"] = cache_hits(
            concurrency=args.concurrency,
            seconds=args.seconds,
            rounds=args.rounds,
            variants=variants,
            client="wrk" if wrk_available() and not args.httpx else "httpx",
            image_kind=args.image,
            endpoint=args.endpoint,
        )
        print_cache(result["cache_hits"])
    if args.part in ("all", "overload"):
        result["overload"] = overload(
            delay_s=args.delay, max_in_flight=args.max_in_flight, factor=args.factor, seconds=args.overload_seconds
        )
        print_overload(result["overload"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"serving-{args.part}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0
