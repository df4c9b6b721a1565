"""Load generators (httpx.AsyncClient) and the numbers they report.

Two shapes: a closed loop (N workers send back to back: throughput of the server) and an open loop
(requests start on a fixed schedule whatever the server does: what overload looks like to clients).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    started: float  # seconds since the run began
    latency_s: float
    status: int  # 0 = transport error (connection refused, client timeout)
    retry_after: str | None = None


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0

    def statuses(self) -> dict[int, int]:
        return dict(sorted(Counter(o.status for o in self.outcomes).items()))

    def latencies(self, status: int | None = 200) -> list[float]:
        return sorted(o.latency_s for o in self.outcomes if status is None or o.status == status)

    def summary(self) -> dict[str, Any]:
        ok = self.latencies(200)
        return {
            "requests": len(self.outcomes),
            "wall_s": round(self.wall_s, 2),
            "rps": round(len(self.outcomes) / self.wall_s, 1) if self.wall_s else 0.0,
            "ok_rps": round(len(ok) / self.wall_s, 1) if self.wall_s else 0.0,
            "statuses": self.statuses(),
            "p50_ms": round(percentile(ok, 50) * 1000, 2) if ok else None,
            "p99_ms": round(percentile(ok, 99) * 1000, 2) if ok else None,
            "max_ms": round(ok[-1] * 1000, 2) if ok else None,
        }


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


async def _one(client: httpx.AsyncClient, body: dict[str, Any], t0: float, run: Run, path: str = "/v1/chat") -> None:
    started = time.perf_counter()
    try:
        response = await client.post(path, json=body)
        status, retry = response.status_code, response.headers.get("retry-after")
    except httpx.HTTPError:
        status, retry = 0, None
    run.outcomes.append(Outcome(started - t0, time.perf_counter() - started, status, retry))


async def closed_loop(
    url: str, body: dict[str, Any], *, concurrency: int, duration_s: float, path: str = "/v1/chat"
) -> Run:
    """`concurrency` workers post `body` back to back for `duration_s`."""
    run = Run()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        t0 = time.perf_counter()
        stop = t0 + duration_s

        async def worker() -> None:
            while time.perf_counter() < stop:
                await _one(client, body, t0, run, path)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.wall_s = time.perf_counter() - t0
    return run


async def open_loop(
    url: str, make_body: Callable[[int], dict[str, Any]], *, rate: float, duration_s: float, timeout_s: float = 60
) -> Run:
    """Start request i at i/rate seconds for `duration_s`, however slowly the server answers."""
    run = Run()
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=timeout_s, limits=limits) as client:
        t0 = time.perf_counter()
        tasks: list[asyncio.Task[None]] = []
        i = 0
        while (due := i / rate) < duration_s:
            delay = t0 + due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_one(client, make_body(i), t0, run)))
            i += 1
        await asyncio.gather(*tasks)
        run.wall_s = time.perf_counter() - t0
    return run


_WRK_SCRIPT = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("{body}", "rb"))
wrk.body = f:read("*a")
f:close()
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_loop(
    url: str, body: dict[str, Any], *, concurrency: int, duration_s: float, path: str = "/v1/chat"
) -> dict[str, Any]:
    """The same closed loop with wrk (C, one thread): far less client CPU than Python on a small machine."""
    with tempfile.TemporaryDirectory() as tmp:
        body_path = Path(tmp) / "body.json"
        body_path.write_text(json.dumps(body), encoding="utf-8")
        script = Path(tmp) / "post.lua"
        script.write_text(_WRK_SCRIPT.format(body=body_path), encoding="utf-8")
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(duration_s))}s", "--timeout", "30s", "--latency"]
        command += ["-s", str(script)]  # a 30 s timeout: a stalled fsync shows as latency, not as a silent empty round
        out = subprocess.run([*command, f"{url}{path}"], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non_ok = int(bad.group(1)) if bad else 0
    failed = sum(int(g) for g in errors.groups()) if errors else 0

    def pct(q: str) -> float:
        value, unit = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return round(float(value) * _UNITS[unit], 2)

    return {
        "client": "wrk",
        "requests": total,
        "ok_rps": round(rps * (total - non_ok) / total, 1) if total else 0.0,
        "statuses": {200: total - non_ok, "other": non_ok, "socket_errors": failed},
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(
    kind: str,
    *,
    settings: str = "{}",
    reply: Path | None = None,
    extra: tuple[str, ...] = (),
    start_timeout_s: float = 120,
) -> Iterator[str]:
    """Run bench.serving.server in its own process; yield its base URL; stop it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "bench.serving.server", "--kind", kind, "--port", str(port)]
    command += ["--settings", settings, *extra] + (["--reply", str(reply)] if reply is not None else [])
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a chatty server must never block on it
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(process, url, log, start_timeout_s)
            yield url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("server did not start")
        time.sleep(0.1)
