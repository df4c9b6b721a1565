"""Score the embedded engine on the real-image dev set (/work/shared/data/realdev), in-process.

    python -m bench realdev [--failures 20] [--limit N] [--data /work/shared/data/realdev]

Same scoring rules as realdev's score.py (normalised containment); same tables: overall, by
category, question language, document language, and category × question language. Writes
bench/results/realdev.json. The images are test data only: they are read in place, never copied.
"""

from __future__ import annotations

import argparse
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
    return evaluate(items, args.data, args, DIMENSIONS, benchmark="realdev", source={"data": str(args.data)})


if __name__ == "__main__":
    main()
