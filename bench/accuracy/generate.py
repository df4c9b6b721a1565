"""Generate the synthetic dev set: `python -m bench.accuracy.generate [--n 300] [--seed 7] [--out DIR]`.

Deterministic: the same seed and n give byte-identical images and items. Each rendered image
carries up to two questions (different intents), so a run also exercises the perception cache.
Items use the realdev items.jsonl format, plus `condition`, and `wrong` / `answer_type` where
the scorer needs them (see score.py).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from bench.accuracy.degrade import CONDITIONS, apply
from bench.accuracy.scenes import KIND_SETS, renderer

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "results" / "devset"
QUESTIONS_PER_IMAGE = 2


def _pick_condition(rng: random.Random) -> str:
    return rng.choices(CONDITIONS, weights=(0.4, 0.3, 0.3))[0]


def generate(
    n: int = 300,
    seed: int = 7,
    out_dir: Path = DEFAULT_OUT,
    categories: list[str] | None = None,
    kinds: str = "classic",
) -> list[dict[str, Any]]:
    """Render images into out_dir/images and write out_dir/items.jsonl; return the items.

    `kinds` picks the set of categories when none are named: "classic" (the ten of the first dev
    set, unchanged), "new" (kinds the first engine never had) or "all".
    """
    names = categories or list(KIND_SETS[kinds])
    out_dir.mkdir(parents=True, exist_ok=True)
    items: list[dict[str, Any]] = []
    index = 0
    while len(items) < n:
        category = names[index % len(names)]
        rng = random.Random(f"{seed}:{index}")
        doc_lang = "zh" if rng.random() < 0.55 else "en"
        q_lang = doc_lang if rng.random() < 0.85 else ("en" if doc_lang == "zh" else "zh")
        condition = _pick_condition(rng)
        dark = rng.random() < (0.4 if condition == "photo" else 0.1)
        scene = renderer(category)(rng, doc_lang, q_lang, dark)
        data, ext = apply(rng, scene.image, condition, scene.kind)
        rel = Path("images") / category / f"{category}-{index:04d}.{ext}"
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / rel).write_bytes(data)
        by_intent = {qa.subcategory: qa for qa in scene.qas}
        chosen = rng.sample(sorted(by_intent), min(QUESTIONS_PER_IMAGE, len(by_intent)))
        for k, intent in enumerate(chosen):
            qa = by_intent[intent]
            item: dict[str, Any] = {
                "id": f"{category}-{index:04d}-{k}",
                "image": rel.as_posix(),
                "question": qa.question,
                "answers": qa.answers,
                "category": category,
                "subcategory": qa.subcategory,
                "question_lang": q_lang,
                "doc_lang": doc_lang,
                "condition": condition,
                "source": "synthetic",
                "seed": f"{seed}:{index}",
            }
            if qa.wrong:
                item["wrong"] = qa.wrong
            if qa.answer_type != "text":
                item["answer_type"] = qa.answer_type
            items.append(item)
            if len(items) >= n:
                break
        index += 1
    with (out_dir / "items.jsonl").open("w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return items


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="number of questions (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--category", action="append", choices=sorted(KIND_SETS["all"]), help="only these (repeatable)")
    parser.add_argument("--kinds", choices=sorted(KIND_SETS), default="classic", help="which set of categories")
    args = parser.parse_args(argv)
    items = generate(args.n, args.seed, args.out, args.category, args.kinds)
    images = len({it["image"] for it in items})
    print(f"wrote {len(items)} items on {images} images to {args.out / 'items.jsonl'}")


if __name__ == "__main__":
    main()
