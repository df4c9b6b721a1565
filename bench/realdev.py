"""Score the embedded engine on the real-image dev set (/work/shared/data/realdev), in-process.

    python -m bench realdev [--failures 20] [--limit N] [--data /work/shared/data/realdev]

Same scoring rules as realdev's score.py (normalised containment); same tables: overall, by
category, question language, document language, and category × question language. Writes
bench/results/realdev.json. The images are test data only: they are read in place, never copied.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.accuracy.run import (
    RESULTS,
    load_items,
    make_assistant,
    parse_overrides,
    print_failures,
    quiet_logs,
    run_items,
)
from bench.accuracy.score import print_summary, summarise

DEFAULT_DATA = Path("/work/shared/data/realdev")
DIMENSIONS = ("category", "question language", "document language", "category x question language")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with items.jsonl and images/")
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    parser.add_argument("--failures", type=int, default=0, help="print up to N failing items")
    parser.add_argument("--engine", default="embedded")
    parser.add_argument("--ocr", action="append", default=[], help="OcrSettings override key=value (repeatable)")
    parser.add_argument("--images", action="append", default=[], help="ImageSettings override key=value")
    parser.add_argument("--out", type=Path, default=RESULTS / "realdev.json")
    parser.add_argument("--verbose", action="store_true", help="show the service's log lines (engine errors …)")
    args = parser.parse_args(argv)
    quiet_logs(args.verbose)

    items = load_items(args.data / "items.jsonl")
    if args.limit:
        items = items[: args.limit]
    ocr, images = parse_overrides(args.ocr), parse_overrides(args.images)
    with tempfile.TemporaryDirectory(prefix="visdesk-realdev-") as tmp:
        assistant = make_assistant(Path(tmp), args.engine, ocr, images)
        try:
            started = time.perf_counter()
            results = run_items(assistant, items, args.data)
            wall_s = time.perf_counter() - started
        finally:
            assistant.close()
    for item in items:  # realdev items have no capture condition; the failure printer shows one
        item.setdefault("condition", "real")
    summary = summarise(items, [r["correct"] for r in results], DIMENSIONS)
    print_summary(summary)
    latencies = [r["latency_ms"] for r in results]
    print(f"\n{len(items)} items in {wall_s:.1f} s; per-item latency median {statistics.median(latencies):.0f} ms")
    if args.failures:
        print_failures(items, results, args.data, args.failures)
    report = {
        "benchmark": "realdev", "engine": args.engine, "data": str(args.data), "items": len(items),
        "ocr_overrides": ocr, "image_overrides": images, "wall_s": round(wall_s, 1),
        "latency_ms_median": statistics.median(latencies), "summary": summary, "results": results,
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
