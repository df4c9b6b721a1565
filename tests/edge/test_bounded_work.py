"""The worst accepted request does not stall the server: /healthz keeps answering while it runs.

Before: the embedded composer ran on the event loop, so `choices: ["y"*100000]*100` blocked /healthz
for 21.6 s. Now such choices are refused (tests/edge/test_probe_inputs.py), and the largest accepted
ones (64 labels × 200 characters) are scored in a worker thread.
"""

from __future__ import annotations

import base64
import statistics
import threading
import time

import httpx

from tests.support.render import png_bytes, render_lines

LINES = [f"第{i}行 订单号 R8T4W{i:03d} 金额 {i * 3.5:.2f} 状态 已支付 备注 shipped by courier" for i in range(16)]
PNG_B64 = base64.b64encode(png_bytes(render_lines(LINES, size=22, width=1200, gap=10))).decode()
CHOICES = [(f"choice {i} " + "状态已支付订单金额备注" * 18)[:200] for i in range(64)]  # the caps: 64 × 200


def test_healthz_answers_fast_while_the_worst_accepted_request_runs(edge_server: str) -> None:
    with httpx.Client(base_url=edge_server, timeout=120) as client:
        warm = client.post("/v1/chat", json={"image": PNG_B64, "question": "订单号？"})  # OCR cached, parser loaded
        assert warm.status_code == 200, warm.text
        result: dict[str, httpx.Response] = {}

        def worst() -> None:
            result["r"] = httpx.post(
                f"{edge_server}/v1/chat",
                json={"image": PNG_B64, "question": "第3行的状态是哪一个？", "choices": CHOICES},
                timeout=120,
            )

        runner = threading.Thread(target=worst)
        runner.start()
        latencies: list[float] = []
        while runner.is_alive():
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)
        runner.join()
    response = result["r"]
    assert response.status_code == 200, response.text
    assert response.json()["answer"] in CHOICES
    request_ms = response.json()["latency_ms"]
    assert latencies, "the request finished before /healthz was asked"
    assert statistics.median(latencies) < 50, latencies
    # On the event loop, one /healthz would have waited for the whole scoring; in a thread none does.
    assert max(latencies) < max(0.5 * request_ms, 50), (max(latencies), request_ms)
