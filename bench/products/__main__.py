"""Product-photo questions (issue 10): verdicts, accessories and specs, zh and en, on phone photos.

    .venv/bin/python -m bench products            # prints a table, writes bench/results/products.json
    .venv/bin/python -m bench products --limit 20 # the first 20 questions only
    .venv/bin/python -m bench products --questions bench/products/heldout.csv --seed 2000   # held out

Each question of questions.csv is asked through the whole embedded pipeline (intake, real OCR,
knowledge search with product matching, the engine) about a phone photo of the product's catalog
picture, taken under a rotation of capture conditions (tilt, blur, glare, a partial crop, a finger
over an edge, dim light). Right means:
- verdict: the answer *starts with* the expected Yes / No / It depends (可以 / 不可以 / 视情况而定);
- accessory: the expected SKU is among the recommendation cards ("none": no card, and no invented one);
- spec: the expected value is in the answer (spaces and dash styles ignored).
Also reported: verdicts whose evidence has a box on the photo, and answers that cite the product's manual.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.products.photos import Capture, catalog_picture, phone_photo
from visdesk.assistant import Assistant
from visdesk.domain import Answer
from visdesk.language import detect_language
from visdesk.settings import Settings

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
CAPTURES: tuple[tuple[str, ...], ...] = (
    ("tilt", "dim"),
    ("blur", "glare"),
    ("crop", "finger"),
    ("tilt", "blur"),
    ("glare", "finger"),
    ("dim", "crop"),
)
VERDICT_WORDS = {"yes": ("Yes", "可以"), "no": ("No", "不可以"), "depends": ("It depends", "视情况而定")}


def load(path: Path = HERE / "questions.csv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def photo_for(model: str, index: int, base_seed: int = 1000) -> tuple[bytes, tuple[str, ...]]:
    """The photo of `model` for its index-th question: capture conditions rotate, each seeded."""
    effects = CAPTURES[index % len(CAPTURES)]
    seed = base_seed + index % len(CAPTURES)
    return phone_photo(catalog_picture(model), Capture.random(random.Random(seed), effects), seed=seed).data, effects


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("–", "-").replace("—", "-").lower()


def judge(case: dict[str, str], answer: Answer) -> bool:
    expect, kind = case["expect"], case["kind"]
    if kind == "verdict":
        words = VERDICT_WORDS[expect]
        others = [w for key, pair in VERDICT_WORDS.items() if key != expect for w in pair]
        text = answer.answer
        # "No" must not be read as the start of "Not sure", and "可以" not as the start of "不可以"
        return any(text.startswith(w) for w in words) and not any(
            text.startswith(o) and len(o) > len(w) for o in others for w in words if o.startswith(w)
        )
    if kind == "accessory":
        skus = {r.sku for r in answer.recommendations}
        return not skus if expect == "none" else expect in skus
    return _squash(expect) in _squash(answer.answer)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench products", description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.csv", help="a questions CSV")
    parser.add_argument("--seed", type=int, default=1000, help="first seed of the photos' capture conditions")
    parser.add_argument("--out", type=Path, default=None, help="default: bench/results/products-<questions>.json")
    args = parser.parse_args()
    cases = load(args.questions)[: args.limit or None]
    out = args.out or RESULTS / f"products-{args.questions.stem}.json"
    per_model: dict[str, int] = defaultdict(int)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        isolated: dict[str, object] = {
            "data_dir": Path(tmp),
            "history": {"database_url": f"sqlite:///{Path(tmp) / 'history.sqlite3'}"},
            "knowledge": {"index_path": Path(tmp) / "kb.sqlite3"},
            "safety": {"nsfw_enabled": False},
            "cache": {"url": "none"},  # every question answered, none replayed
        }
        settings = Settings(_env_file=None, **isolated)  # type: ignore[arg-type,call-arg]
        with Assistant(settings) as assistant:
            for case in cases:
                data, effects = photo_for(case["model"], per_model[case["model"]], args.seed)
                per_model[case["model"]] += 1
                started = time.perf_counter()
                answer = assistant.ask(data, case["question"])
                ms = (time.perf_counter() - started) * 1000
                manual = f"manuals/{case['model']}.md"
                rows.append(
                    {
                        **case,
                        "lang": detect_language(case["question"]),
                        "effects": list(effects),
                        "right": judge(case, answer),
                        "boxed": any(e.box for e in answer.evidence),
                        "cited": any(s.source == manual for s in answer.sources),
                        "answer": answer.answer,
                        "recommendations": [r.sku for r in answer.recommendations],
                        "ms": round(ms, 1),
                    }
                )
    report = summarise(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": report, "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    print_table(report, rows)
    print(f"\nwrote {out}")
    return 0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[f"{row['kind']} {row['lang']}"].append(row)
        groups[row["kind"]].append(row)
        groups["all"].append(row)
    summary: dict[str, Any] = {
        name: {"n": len(items), "right": sum(r["right"] for r in items)} for name, items in sorted(groups.items())
    }
    verdicts = groups.get("verdict", [])
    summary["verdict_boxed"] = sum(r["boxed"] for r in verdicts)
    summary["verdict_cited"] = sum(r["cited"] for r in verdicts)
    summary["ms_p50"] = round(statistics.median(r["ms"] for r in rows), 1) if rows else None
    return summary


def print_table(summary: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    print(f"{'group':<14}{'n':>5}{'right':>7}{'accuracy':>10}")
    for name, value in summary.items():
        if isinstance(value, dict):
            print(f"{name:<14}{value['n']:>5}{value['right']:>7}{value['right'] / value['n']:>10.1%}")
    verdicts = summary.get("verdict", {}).get("n", 0)
    if verdicts:
        print(f"verdicts with a box on the photo: {summary['verdict_boxed']}/{verdicts}; "
              f"citing the product's manual: {summary['verdict_cited']}/{verdicts}")  # fmt: skip
    print(f"latency p50 {summary['ms_p50']} ms per question (new photo or cached perception)")
    for row in rows:
        if not row["right"]:
            print(f"  wrong [{row['model']} {'+'.join(row['effects'])}] {row['question']} → {row['answer'][:110]!r}")


if __name__ == "__main__":
    raise SystemExit(main())
