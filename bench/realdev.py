"""Score the embedded engine on the real-image dev set (/work/shared/data/realdev), in-process.

    python -m bench realdev [--failures 20] [--limit N] [--data /work/shared/data/realdev]

Same scoring rules as realdev's score.py (normalised containment), plus lenient and concise accuracy by source
from that score.py itself; same tables: overall, by
category, question language, document language, and category × question language. Writes
bench/results/realdev.json. The images are test data only: they are read in place, never copied.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

from bench.accuracy.run import RESULTS, evaluate, load_items, quiet_logs

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "realdev"  # ../shared beside the repo
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
    for item in items:  # realdev items have no capture condition; the failure printer shows one
        item.setdefault("condition", "real")
    report = evaluate(items, args.data, args, DIMENSIONS, benchmark="realdev", source={"data": str(args.data)})
    report["concise"] = concise_by_source(items, report["results"], args.data)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def concise_by_source(items: list[dict[str, Any]], results: list[dict[str, Any]], data: Path) -> dict[str, Any]:
    """Lenient and concise accuracy by source with the set's own score.py (concise: right, and at most
    20 characters and two numbers beyond the answer), printed as a table."""
    spec = importlib.util.spec_from_file_location("realdev_score", data / "score.py")
    if spec is None or spec.loader is None:
        return {}
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    table: dict[str, list[int]] = {}
    for item, result in zip(items, results, strict=True):
        row = table.setdefault(item.get("source", item["category"]), [0, 0, 0])
        row[0] += 1
        row[1] += bool(score.is_correct(result["answer"], item["answers"]))
        row[2] += bool(score.is_concise(result["answer"], item["answers"]))
    total = [sum(r[i] for r in table.values()) for i in range(3)]
    print("\nby source (realdev score.py)     lenient   concise")
    out: dict[str, Any] = {}
    for name, (n, right, brief) in [*sorted(table.items()), ("overall", total)]:
        print(f"  {name:<12} {n:>4}   {right / n:8.1%}  {brief / n:8.1%}")
        out[name] = {"n": n, "lenient": right / n, "concise": brief / n}
    return out


if __name__ == "__main__":
    main()
