"""Document recall: is the accepted answer among the typed Document's candidates? (no engine involved)

`python -m bench.accuracy.recall [--items PATH] [--source S ...] [--limit N]`

Why: the resolver can only pick an answer the document builder proposed, so this measures the
builder alone, per source or category: the answer is in the OCR text at all (`ocr`), it is one
candidate's whole value (`value`: a fact, a table cell, a chart mark's category or value), or a
candidate's value contains it (`inside`); for questions that quote a label ("what is entered for
“Date”?"), whether a fact with that label carries it (`labelled`). Yes/no items are skipped.
Defaults to realdev's items; pass a rendered dev set's items.jsonl to measure that instead.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.accuracy.run import load_items
from bench.accuracy.score import normalize
from visdesk.images import intake
from visdesk.perception.document import Document
from visdesk.perception.layout import analyse
from visdesk.perception.ocr import OcrReader
from visdesk.settings import ImageSettings, OcrSettings

REALDEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "realdev" / "items.jsonl"
_QUOTED = re.compile(r"[\"“'‘「](.+?)[\"”'’」]")
MEASURES = ("ocr", "value", "inside", "labelled")


def candidates(doc: Document) -> list[str]:
    """Every value the resolver could answer with."""
    values = [f.value.raw for f in doc.facts]
    values += [cell.text for table in doc.tables for row in table.cells for cell in row]
    for chart in doc.charts:
        values += [m.category for m in chart.marks] + [m.value.raw for m in chart.marks if m.value]
    return values


def judge(doc: Document, item: dict[str, Any]) -> dict[str, bool]:
    answers = [a for a in (normalize(x) for x in item["answers"]) if a]
    text = normalize(" ".join(line.text for line in doc.lines))
    values = [normalize(v) for v in candidates(doc)]
    quoted = _QUOTED.search(item["question"])
    labelled = False
    if quoted:
        label = normalize(quoted.group(1))
        labelled = any(
            label and (label in normalize(f.label) or (normalize(f.label) and normalize(f.label) in label))
            and any(a in normalize(f.value.raw) for a in answers)
            for f in doc.facts
        )  # fmt: skip
    return {
        "ocr": any(a in text for a in answers),
        "value": any(v == a for v in values for a in answers),
        "inside": any(a in v for v in values for a in answers),
        "labelled": labelled,
        "quoted": bool(quoted),
    }


def measure(items: Iterable[dict[str, Any]], root: Path) -> tuple[Counter[tuple[str, str]], float]:
    reader = OcrReader(OcrSettings())
    seen: dict[str, Document] = {}
    counts: Counter[tuple[str, str]] = Counter()
    build_ms = 0.0
    for item in items:
        if item.get("answer_type") == "yesno":
            continue
        rel = item["image"]
        if rel not in seen:
            image = intake((root / rel).read_bytes(), ImageSettings())
            lines = reader.read(image)
            start = time.perf_counter()
            document = analyse(image.content_id, image.original_size, lines, image).document
            build_ms += (time.perf_counter() - start) * 1000
            assert document is not None
            seen[rel] = document
        group = item.get("source") if item.get("source") not in (None, "synthetic") else item.get("category", "?")
        counts[str(group), "n"] += 1
        for name, hit in judge(seen[rel], item).items():
            counts[str(group), name] += hit
    return counts, build_ms / max(1, len(seen))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=Path, default=REALDEV, help="an items.jsonl (default: realdev)")
    parser.add_argument("--source", action="append", help="only these sources / categories (repeatable)")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    items = load_items(args.items)
    if args.source:
        items = [it for it in items if it.get("source") in args.source or it.get("category") in args.source]
    if args.limit:
        items = items[: args.limit]
    counts, layout_ms = measure(items, args.items.parent)
    groups = sorted({group for group, _ in counts})
    print(f"{'group':<14}{'n':>5}" + "".join(f"{m:>10}" for m in MEASURES))
    for group in groups:
        n = counts[group, "n"]
        cells = [f"{counts[group, m]:>10}" for m in MEASURES[:3]]
        cells.append(f"{counts[group, 'labelled']:>5}/{counts[group, 'quoted']:<4}")
        print(f"{group:<14}{n:>5}" + "".join(cells))
    print(f"layout + document per image: {layout_ms:.1f} ms (after OCR)")


if __name__ == "__main__":
    main()
