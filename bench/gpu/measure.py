"""The measurements: device bandwidth, plain model.generate, and our HTTP API under concurrency.

Why these three: decoding a 9B model is memory-bound, so weights-bytes ÷ bandwidth is the ceiling
for one sequence's tokens/s; plain `model.generate` on the same inputs is the baseline our engine
(batcher, streaming, pipeline, HTTP) should stay close to; the HTTP runs are what customers feel.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import time
from dataclasses import dataclass
from typing import Any


def device_bandwidth_gbs(device: str, size_mb: int = 1024, iters: int = 10) -> float:
    """Measured copy bandwidth (read + write bytes per second, GB/s) on `device`."""
    import torch

    n = size_mb * 1024 * 1024 // 4
    src = torch.empty(n, dtype=torch.float32, device=device).fill_(1.0)
    dst = torch.empty_like(src)
    dst.copy_(src)  # warm-up
    _sync(device)
    started = time.perf_counter()
    for _ in range(iters):
        dst.copy_(src)
    _sync(device)
    elapsed = time.perf_counter() - started
    return 2 * src.numel() * 4 * iters / elapsed / 1e9


def _sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


class _Clock:
    """A generate() streamer that only notes when tokens arrive."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._prompt = True

    def put(self, value: Any) -> None:
        if self._prompt:
            self._prompt = False
            return
        self.times.append(time.perf_counter())

    def end(self) -> None:
        pass


@dataclass
class Timing:
    ttft_s: float
    decode_tok_s: float  # per sequence
    throughput_tok_s: float  # all sequences
    tokens: int


def plain_generate(loaded: Any, prompt: str, image: Any, *, batch: int, new_tokens: int, device: str) -> Timing:
    """model.generate on `batch` copies of the prompt (greedy, fixed length): the baseline."""
    import torch

    inputs = loaded.processor(text=[prompt] * batch, images=[image] * batch, padding=True, return_tensors="pt")
    inputs = inputs.to(loaded.device)
    inputs["pixel_values"] = inputs["pixel_values"].to(loaded.model.dtype)
    clock = _Clock()
    _sync(device)
    started = time.perf_counter()
    with torch.inference_mode():
        out = loaded.model.generate(
            **inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False, streamer=clock
        )
    _sync(device)
    ended = time.perf_counter()
    generated = (out.shape[1] - inputs["input_ids"].shape[1]) * batch
    first = clock.times[0] if clock.times else ended
    steps = max(1, len(clock.times) - 1)
    return Timing(
        ttft_s=first - started,
        decode_tok_s=steps / max(ended - first, 1e-9),
        throughput_tok_s=generated / (ended - started),
        tokens=generated,
    )


@dataclass
class HttpRun:
    concurrency: int
    ttft_p50_s: float
    latency_p50_s: float
    throughput_tok_s: float
    tokens: int
    generate_calls: int


async def http_run(base_url: str, engine: Any, image_png: bytes, *, concurrency: int, new_tokens: int) -> HttpRun:
    """`concurrency` streamed POST /v1/chat at once; tokens counted by the engine itself."""
    import httpx

    image = base64.b64encode(image_png).decode()
    calls_before = engine.stats.generate_calls
    jobs_before = {id(job) for job in engine.stats.recent}

    async def one(client: httpx.AsyncClient, i: int) -> tuple[float, float]:
        body = {"image": image, "question": f"Why did my order #{1000 + i} fail?", "stream": True}
        body["max_new_tokens"] = new_tokens
        started = time.perf_counter()
        first = None
        async with client.stream("POST", "/v1/chat", json=body) as reply:
            reply.raise_for_status()
            async for line in reply.aiter_lines():
                if first is None and line.startswith('data: {"delta"'):
                    first = time.perf_counter()
        ended = time.perf_counter()
        return (first or ended) - started, ended - started

    limits = httpx.Limits(max_connections=concurrency + 4)
    async with httpx.AsyncClient(base_url=base_url, timeout=600, limits=limits) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(one(client, i) for i in range(concurrency)))
        wall = time.perf_counter() - started
    tokens = sum(job.generated for job in engine.stats.recent if id(job) not in jobs_before)
    return HttpRun(
        concurrency=concurrency,
        ttft_p50_s=statistics.median(r[0] for r in results),
        latency_p50_s=statistics.median(r[1] for r in results),
        throughput_tok_s=tokens / wall,
        tokens=tokens,
        generate_calls=engine.stats.generate_calls - calls_before,
    )
