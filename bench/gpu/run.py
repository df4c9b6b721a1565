"""`python -m bench.gpu`: GLM-4.6V-Flash-sized transformers engine on a GPU, against its ceilings.

Builds a random model with GLM-4.6V-Flash's real sizes (no download), then measures with a
1024×768 screenshot and a fixed-length answer: TTFT and decode tokens/s at batch 1, throughput at
1/4/8/16 concurrent requests through our HTTP API, plain `model.generate` on the same inputs (the
baseline), and the bandwidth ceiling (weights bytes ÷ measured copy bandwidth). Prints a table,
writes JSON, and appends the table to docs/performance.md with the device named.

`--tiny --device cpu` runs the same code on the test suite's tiny GLM (a smoke test, no docs).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.gpu import measure
from bench.gpu.model import build_full, build_tiny, weight_bytes

_PREBUILT: dict[str, Any] = {}  # the model handed to the engine factory below (one per process)


def engine_factory(settings: Any, argument: str) -> Any:
    """Registry factory: the TransformersEngine around the model built in this process."""
    from visdesk.engines.transformers import TransformersEngine

    engine = TransformersEngine(settings, "bench", loaded=_PREBUILT["loaded"])
    _PREBUILT["engine"] = engine
    return engine


def screenshot(size: tuple[int, int] = (1024, 768)) -> bytes:
    """An app-like screenshot: a title bar, an error banner and order lines (text for OCR to find)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, (245, 246, 248))
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 26)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle((0, 0, size[0], 70), fill=(40, 90, 200))
    draw.text((30, 20), "我的订单 My orders", fill="white", font=font)
    draw.rectangle((30, 100, size[0] - 30, 170), fill=(255, 228, 228))
    draw.text((50, 118), "支付失败 错误代码 E1025: Payment failed", fill=(190, 20, 20), font=font)
    for i, line in enumerate(["订单号: 20251122-0042", "商品: 无线路由器 AX3000", "金额: ¥399.00", "状态: 待付款"]):
        draw.text((50, 220 + i * 60), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _settings(tmp: Path, args: argparse.Namespace) -> Any:
    from visdesk.settings import Settings

    return Settings(
        _env_file=None,
        engine="bench-transformers",
        data_dir=tmp,
        history={"database_url": f"sqlite:///{tmp / 'history.sqlite3'}"},
        knowledge={"index_path": tmp / "kb.sqlite3"},
        cache={"url": "none"},
        safety={"nsfw_enabled": False},
        observability={"metrics_enabled": False, "log_level": "WARNING"},
        load={
            "max_in_flight": 64, "max_queue": 256, "high_queue_depth": 1000, "extreme_queue_depth": 1000,
            "high_latency_s": 1e9, "request_timeout_s": 600,
        },
        transformers={
            "num_beams": 1, "max_new_tokens": args.new_tokens, "fast_max_new_tokens": args.new_tokens,
            "batch_size": max(args.concurrency), "batch_wait_ms": args.batch_wait_ms,
        },
    )  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.gpu", description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="use the tiny test GLM (smoke run)")
    parser.add_argument("--device", default="cuda", help="cuda | cuda:N | cpu (cpu only with --tiny)")
    parser.add_argument("--new-tokens", type=int, default=40, help="answer length (every answer is exactly this)")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4, 8, 16])
    parser.add_argument("--batch-wait-ms", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3, help="baseline repeats at batch 1 (median)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/gpu.json"))
    parser.add_argument("--docs", type=Path, default=Path("docs/performance.md"), help="append the table here")
    parser.add_argument("--no-docs", action="store_true", help="do not touch the docs (implied by --tiny)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    if not args.tiny and (not args.device.startswith("cuda") or not torch.cuda.is_available()):
        print(
            "bench.gpu needs a CUDA GPU (GLM-4.6V-Flash-sized model, ~20 GB of bf16 weights); none is available "
            f"(device={args.device!r}, torch.cuda.is_available()={torch.cuda.is_available()}). "
            "Run it on a GPU machine, or smoke-test the code with: python -m bench.gpu --tiny --device cpu",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="visdesk-bench-gpu-") as tmp:
        report = _run(Path(tmp), args)
    table = format_table(report)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"wrote {args.out}")
    if not args.tiny and not args.no_docs:
        append_to_docs(args.docs, report, table)
    return 0


def _run(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    from PIL import Image
    from tests.support.server import serve

    from visdesk import images
    from visdesk.app import create_app
    from visdesk.domain import EngineRequest, Grounding, Mode, Query
    from visdesk.engines import register

    device = "cpu" if args.tiny else args.device
    started = time.perf_counter()
    loaded = build_tiny(tmp / "model") if args.tiny else build_full(tmp / "model", device)
    build_s = time.perf_counter() - started
    png = screenshot()
    settings = _settings(tmp, args)
    intake = images.intake(png, settings.images)
    image: Image.Image = intake.image

    _PREBUILT["loaded"] = loaded
    register("bench-transformers", "bench.gpu.run:engine_factory")
    bandwidth = measure.device_bandwidth_gbs(device, size_mb=64 if args.tiny else 1024)
    weights = weight_bytes(loaded.model)

    report: dict[str, Any] = {
        "device": _device_name(device),
        "tiny": args.tiny,
        "new_tokens": args.new_tokens,
        "image": list(image.size),
        "build_s": round(build_s, 2),
        "weights_gb": round(weights / 1e9, 3),
        "bandwidth_gbs": round(bandwidth, 1),
        "ceiling_tok_s": round(bandwidth * 1e9 / weights, 1),
        "plain": {},
        "http": {},
    }
    with serve(create_app(settings)) as base_url:
        engine = _PREBUILT["engine"]
        request = EngineRequest(Query("Why did my payment fail?", intake, "en"), Grounding(None), Mode.FAST)
        prompt = engine.render_prompt(request)
        report["prompt_tokens"] = len(loaded.processor(text=[prompt], images=[image])["input_ids"][0])
        # warm-up: kernels, OCR of the screenshot (cached per image afterwards), allocator
        measure.plain_generate(loaded, prompt, image, batch=1, new_tokens=4, device=device)
        asyncio.run(measure.http_run(base_url, engine, png, concurrency=1, new_tokens=4))
        single = [
            measure.plain_generate(loaded, prompt, image, batch=1, new_tokens=args.new_tokens, device=device)
            for _ in range(max(1, args.repeats))
        ]
        report["plain"]["1"] = _median_timing(single)
        for c in args.concurrency:
            if c > 1:
                timing = measure.plain_generate(
                    loaded, prompt, image, batch=c, new_tokens=args.new_tokens, device=device
                )
                report["plain"][str(c)] = timing.__dict__
            run = asyncio.run(measure.http_run(base_url, engine, png, concurrency=c, new_tokens=args.new_tokens))
            report["http"][str(c)] = run.__dict__
    return report


def _median_timing(timings: list[measure.Timing]) -> dict[str, float]:
    import statistics

    return {
        "ttft_s": statistics.median(t.ttft_s for t in timings),
        "decode_tok_s": statistics.median(t.decode_tok_s for t in timings),
        "throughput_tok_s": statistics.median(t.throughput_tok_s for t in timings),
        "tokens": timings[0].tokens,
    }


def _device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({platform.processor() or platform.machine()})"


def format_table(report: dict[str, Any]) -> str:
    plain1 = report["plain"]["1"]
    lines = [
        f"Device: {report['device']} · weights {report['weights_gb']} GB · copy bandwidth "
        f"{report['bandwidth_gbs']} GB/s · ceiling {report['ceiling_tok_s']} tok/s per sequence · "
        f"image {report['image'][0]}×{report['image'][1]} ({report['prompt_tokens']} prompt tokens) · "
        f"{report['new_tokens']}-token answers",
        "",
        f"Batch 1, plain model.generate: TTFT {plain1['ttft_s'] * 1000:.0f} ms, "
        f"decode {plain1['decode_tok_s']:.1f} tok/s "
        f"({plain1['decode_tok_s'] / report['ceiling_tok_s']:.0%} of the bandwidth ceiling)",
        "",
        "| concurrent | HTTP TTFT p50 | HTTP latency p50 | HTTP tok/s | generate calls | plain generate tok/s "
        "| HTTP/plain |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, run in report["http"].items():
        plain = report["plain"].get(key, {}).get("throughput_tok_s", 0.0)
        ratio = f"{run['throughput_tok_s'] / plain:.2f}" if plain else "-"
        lines.append(
            f"| {key} | {run['ttft_p50_s'] * 1000:.0f} ms | {run['latency_p50_s']:.2f} s | "
            f"{run['throughput_tok_s']:.1f} | {run['generate_calls']} | {plain:.1f} | {ratio} |"
        )
    return "\n".join(lines)


def append_to_docs(path: Path, report: dict[str, Any], table: str) -> None:
    stamp = time.strftime("%Y-%m-%d", time.gmtime())
    block = f"\n### Measured {stamp} on {report['device']} (`python -m bench.gpu`)\n\n{table}\n"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(block)
    print(f"appended the table to {path}")


if __name__ == "__main__":
    sys.exit(main())
