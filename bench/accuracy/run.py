"""Run the dev set through the real pipeline in-process and score it.

    python -m bench.accuracy.run [--n 300] [--failures 20] [--ocr det_limit_side_len=736] [--images ocr_max_side=1536]

Generates the dev set first when bench/results/devset/items.jsonl is missing (or --regenerate).
Prints accuracy overall and by category, subcategory, question/document language and condition;
writes bench/results/accuracy.json (summary, settings, and every item's reply and latency).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.accuracy.generate import DEFAULT_OUT, generate
from bench.accuracy.score import is_correct, print_summary, summarise

RESULTS = Path(__file__).resolve().parents[1] / "results"
DIMENSIONS = ("category", "subcategory", "question language", "document language", "condition")


def load_items(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """["det_limit_side_len=736", "use_cls=true"] -> {"det_limit_side_len": "736", ...}; pydantic coerces."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"expected key=value, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def quiet_logs(verbose: bool) -> None:
    """Engine errors are recorded per item (they score as wrong); their tracebacks would bury the table."""
    if not verbose:
        logging.getLogger("visdesk").setLevel(logging.CRITICAL)


def make_assistant(
    tmp: Path, engine: str = "embedded", ocr: dict[str, Any] | None = None, images: dict[str, Any] | None = None
):  # type: ignore[no-untyped-def]
    """An Assistant isolated from the developer's state: temp SQLite files, no answer cache, no NSFW model."""
    from visdesk import Assistant
    from visdesk.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        engine=engine,
        data_dir=tmp,
        history={"database_url": f"sqlite:///{tmp / 'history.sqlite3'}"},
        knowledge={"index_path": tmp / "kb.sqlite3"},
        cache={"url": "none"},
        safety={"nsfw_enabled": False},
        ocr=ocr or {},
        images=images or {},
    )
    return Assistant(settings)


def run_items(assistant: Any, items: list[dict[str, Any]], root: Path, progress: bool = True) -> list[dict[str, Any]]:
    """Ask every item; return per-item results (reply, verdict, latency, error)."""
    from visdesk.errors import AppError

    results = []
    for n, item in enumerate(items, 1):
        started = time.perf_counter()
        reply, error = "", None
        try:
            reply = assistant.generate(image=root / item["image"], text=item["question"])
        except AppError as exc:
            error = f"{exc.code.value}: {exc}"
        latency_ms = (time.perf_counter() - started) * 1000
        results.append(
            {
                "id": item["id"],
                "answer": reply,
                "correct": is_correct(reply, item),
                "latency_ms": round(latency_ms, 1),
                "error": error,
            }
        )
        if progress and (n % 25 == 0 or n == len(items)):
            print(f"  {n}/{len(items)} asked", file=sys.stderr)
    return results


def print_failures(items: list[dict[str, Any]], results: list[dict[str, Any]], root: Path, limit: int) -> None:
    failing = [(it, r) for it, r in zip(items, results, strict=True) if not r["correct"]]
    print(f"\nfailures: {len(failing)} (showing {min(limit, len(failing))})")
    for it, r in failing[:limit]:
        got = (r["error"] or r["answer"]).replace("\n", " ⏎ ")
        print(
            f"- {it['id']}  [{it['category']}/{it['subcategory']}, {it['doc_lang']} doc, {it['question_lang']} q, "
            f"{it['condition']}]"
        )
        print(f"    question: {it['question']}")
        print(
            f"    accepted: {it['answers']}"
            + (f"   wrong if contains: {it['wrong']}" if it.get("wrong") else "")
            + (f"   ({it['answer_type']})" if it.get("answer_type") else "")
        )
        print(f"    got:      {got[:300]}")
        print(f"    image:    {root / it['image']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=DEFAULT_OUT, help="folder with items.jsonl")
    parser.add_argument("--n", type=int, default=300, help="items to generate when (re)generating")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true", help="render the dev set again first")
    parser.add_argument("--kinds", default="classic", help="categories when generating: classic | new | all")
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    parser.add_argument("--category", action="append", help="only these categories (repeatable)")
    parser.add_argument("--failures", type=int, default=0, help="print up to N failing items")
    parser.add_argument("--engine", default="embedded")
    parser.add_argument("--ocr", action="append", default=[], help="OcrSettings override key=value (repeatable)")
    parser.add_argument("--images", action="append", default=[], help="ImageSettings override key=value")
    parser.add_argument("--out", type=Path, default=RESULTS / "accuracy.json")
    parser.add_argument("--verbose", action="store_true", help="show the service's log lines (engine errors …)")
    args = parser.parse_args(argv)
    quiet_logs(args.verbose)

    items_path = args.devset / "items.jsonl"
    if args.regenerate or not items_path.exists():
        generate(args.n, args.seed, args.devset, kinds=args.kinds)
    items = load_items(items_path)
    if args.category:
        items = [it for it in items if it["category"] in args.category]
    if args.limit:
        items = items[: args.limit]

    return evaluate(items, args.devset, args, DIMENSIONS, benchmark="accuracy", source={"devset": str(args.devset)})


def evaluate(
    items: list[dict[str, Any]],
    root: Path,
    args: argparse.Namespace,
    dimensions: tuple[str, ...],
    *,
    benchmark: str,
    source: dict[str, str],
) -> dict[str, Any]:
    """Run `items` through a fresh in-process pipeline, print the tables (and failures), write the JSON
    report to args.out. Shared by the dev-set and the realdev runners."""
    ocr, images = parse_overrides(args.ocr), parse_overrides(args.images)
    with tempfile.TemporaryDirectory(prefix=f"visdesk-{benchmark}-") as tmp:
        assistant = make_assistant(Path(tmp), args.engine, ocr, images)
        try:
            started = time.perf_counter()
            results = run_items(assistant, items, root)
            wall_s = time.perf_counter() - started
        finally:
            assistant.close()

    summary = summarise(items, [r["correct"] for r in results], dimensions)
    print_summary(summary)
    latencies = [r["latency_ms"] for r in results]
    print(f"\n{len(items)} items in {wall_s:.1f} s; per-item latency median {statistics.median(latencies):.0f} ms")
    if args.failures:
        print_failures(items, results, root, args.failures)
    report = {
        "benchmark": benchmark,
        "engine": args.engine,
        **source,
        "items": len(items),
        "ocr_overrides": ocr,
        "image_overrides": images,
        "wall_s": round(wall_s, 1),
        "latency_ms_median": statistics.median(latencies),
        "summary": summary,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
