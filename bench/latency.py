"""End-to-end /v1/chat latency over real HTTP on loopback, with baselines from the same run.

    python -m bench latency [--images 20] [--env VISDESK_OCR__DET_LIMIT_SIDE_LEN=736 ...]

Starts `python -m visdesk serve` as a subprocess (its own process, as in production), then:
- baseline: bare GET /healthz round trips, and raw OCR (intake + RapidOCR, in this process,
  alternating with the requests so both see the same load) on the very images the requests send;
- new image: one POST /v1/chat per screenshot, each a different 1024 px image (nothing cached);
- follow-up: a different question in the same session (the answer cache misses, the perception
  cache hits).
Prints p50/p95 per phase (wall time, and CPU time: the server's from /proc, steadier on a shared
machine) and writes bench/results/latency.json.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.accuracy.scenes import renderer

RESULTS = Path(__file__).resolve().parent / "results"
SCREENS = ("order", "product_table", "payment", "invoice")
QUESTIONS = {  # (first question, follow-up) per screen kind and language
    "zh": ("订单号是多少？", "实付款多少？"),
    "en": ("What is the order number?", "What is the total I paid?"),
}


def screenshots(count: int, seed: int) -> list[bytes]:
    """Distinct PNG screenshots, longest side 1024 px (a typical phone/desktop capture after intake)."""
    out = []
    for i in range(count):
        rng = random.Random(f"latency:{seed}:{i}")
        lang = "zh" if i % 2 == 0 else "en"
        image = renderer(SCREENS[i % len(SCREENS)])(rng, lang, lang, False).image
        scale = 1024 / max(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def q(p: float) -> float:
        k = (len(ordered) - 1) * p
        lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

    return {
        "n": len(values),
        "p50_ms": round(q(0.5), 1),
        "p95_ms": round(q(0.95), 1),
        "mean_ms": round(statistics.fmean(values), 1),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tmp: Path, env_overrides: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISDESK_")}
    env.update({
        "VISDESK_PORT": str(port),
        "VISDESK_DATA_DIR": str(tmp),
        "VISDESK_HISTORY__DATABASE_URL": f"sqlite:///{tmp / 'history.sqlite3'}",
        "VISDESK_KNOWLEDGE__INDEX_PATH": str(tmp / "kb.sqlite3"),
        "VISDESK_OBSERVABILITY__LOG_LEVEL": "WARNING",
    })  # fmt: skip
    env.update(env_overrides)
    process = subprocess.Popen(
        [sys.executable, "-m", "visdesk", "serve"], env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited: " + (process.stderr.read() if process.stderr else b"").decode()[-2000:])
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    process.kill()
    raise TimeoutError("server did not become ready in 180 s")


class OcrBaseline:
    """Intake + RapidOCR in this process, with the server's OCR settings (the work a new image must do)."""

    def __init__(self, env_overrides: dict[str, str]) -> None:
        from visdesk.perception.ocr import OcrReader
        from visdesk.settings import Settings

        saved = {k: os.environ.get(k) for k in env_overrides}
        os.environ.update(env_overrides)
        try:
            self.settings = Settings(_env_file=None)  # type: ignore[call-arg]
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.reader = OcrReader(self.settings.ocr)
        self.reader.warm_up()

    def time(self, data: bytes) -> tuple[float, float]:
        """(wall ms, CPU ms) of intake + OCR: on a shared machine the CPU time is the steadier number."""
        from visdesk.images import intake

        started, cpu_started = time.perf_counter(), time.process_time()
        self.reader.read(intake(data, self.settings.images))
        return (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000


def process_cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in ms; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def chat(client: httpx.Client, base: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post(base + "/v1/chat", json=body, timeout=120)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=20, help="distinct screenshots (new-image requests)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--env", action="append", default=[], help="server setting, e.g. VISDESK_OCR__THREADS=2")
    parser.add_argument("--out", type=Path, default=RESULTS / "latency.json")
    args = parser.parse_args(argv)
    env_overrides = dict(pair.split("=", 1) for pair in args.env)

    load_before = os.getloadavg()
    images = screenshots(args.images + 2, args.seed)
    warm, images = images[:2], images[2:]
    baseline = OcrBaseline(env_overrides)
    with tempfile.TemporaryDirectory(prefix="visdesk-latency-") as tmp:
        process, base = start_server(Path(tmp), env_overrides)
        try:
            with httpx.Client() as client:
                for k, data in enumerate(warm):  # first requests pay one-off costs (imports, allocator)
                    lang = "zh" if k % 2 == 0 else "en"
                    chat(client, base, {"image": base64.b64encode(data).decode(), "question": QUESTIONS[lang][0]})
                health = []
                for _ in range(50):
                    started = time.perf_counter()
                    client.get(base + "/healthz").raise_for_status()
                    health.append((time.perf_counter() - started) * 1000)
                ocr, ocr_cpu, new, new_cpu, server_new, sessions = [], [], [], [], [], []
                for k, data in enumerate(images):  # baseline and request alternate: both see the same load
                    wall_ms, cpu_ms = baseline.time(data)
                    ocr.append(wall_ms)
                    ocr_cpu.append(cpu_ms)
                    lang = "zh" if k % 2 == 0 else "en"
                    body = {"image": base64.b64encode(data).decode(), "question": QUESTIONS[lang][0]}
                    cpu_before = process_cpu_ms(process.pid)
                    elapsed, reply = chat(client, base, body)
                    new_cpu.append(process_cpu_ms(process.pid) - cpu_before)
                    new.append(elapsed)
                    server_new.append(float(reply.get("latency_ms", 0.0)))
                    sessions.append((reply["session_id"], lang))
                follow, follow_cpu = [], []
                for session_id, lang in sessions:
                    cpu_before = process_cpu_ms(process.pid)
                    elapsed, reply = chat(client, base, {"session_id": session_id, "question": QUESTIONS[lang][1]})
                    follow_cpu.append(process_cpu_ms(process.pid) - cpu_before)
                    assert not reply.get("cached"), "a follow-up with a new question must not be an answer-cache hit"
                    follow.append(elapsed)
        finally:
            process.terminate()
            process.wait(timeout=20)

    phases = {
        "healthz (baseline)": percentiles(health),
        "raw OCR, same images (baseline)": percentiles(ocr),
        "  raw OCR CPU time": percentiles(ocr_cpu),
        "new image /v1/chat": percentiles(new),
        "  of which server-side": percentiles(server_new),
        "  server CPU time": percentiles(new_cpu),
        "follow-up /v1/chat": percentiles(follow),
        "  server CPU time ": percentiles(follow_cpu),
    }
    print(f"{'phase':<34} {'n':>4} {'p50 ms':>9} {'p95 ms':>9}")
    for name, p in phases.items():
        print(f"{name:<34} {p['n']:>4} {p['p50_ms']:>9.1f} {p['p95_ms']:>9.1f}")
    overhead = phases["new image /v1/chat"]["p50_ms"] - phases["raw OCR, same images (baseline)"]["p50_ms"]
    print(f"\nload average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"new-image p50 minus raw-OCR p50: {overhead:.1f} ms (intake, safety, layout, engine, HTTP, JSON)")
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg(),
    }
    report = {"benchmark": "latency", "machine": machine, "server_env": env_overrides, "phases": phases}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
