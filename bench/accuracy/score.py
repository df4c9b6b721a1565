"""Scoring with the same rules as /work/shared/data/realdev/score.py, plus two stricter options.

A reply is right when any accepted answer occurs inside it after both are normalised (NFKC,
lowercase, whitespace, punctuation and symbols removed). Items of this dev set may add:
- `wrong`: strings whose presence makes the reply wrong (the other candidates of a "which one"
  question), so a reply listing every candidate cannot pass;
- `answer_type: "yesno"`: the first yes/no word of the reply decides (containment cannot tell
  "是" from "不是", nor "no" from "not").
Items without these fields (realdev) are scored exactly as realdev's score.py does.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

_YES_NO = re.compile(r"不是|没有|不对|不能|否|不|是|有|对|\b(?:yes|yeah|yep|correct|no|not|nope)\b")
_YES_WORDS = {"是", "有", "对", "yes", "yeah", "yep", "correct"}


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in ("P", "S"))


def yes_no(reply: str) -> str | None:
    """'yes', 'no', or None: the first yes/no word of the reply."""
    match = _YES_NO.search(unicodedata.normalize("NFKC", reply or "").lower())
    if match is None:
        return None
    return "yes" if match.group(0) in _YES_WORDS else "no"


def is_correct(reply: str, item: Mapping[str, Any]) -> bool:
    answers: Iterable[str] = item["answers"]
    if item.get("answer_type") == "yesno":
        expected = {"是": "yes", "yes": "yes", "否": "no", "no": "no"}[next(iter(answers))]
        return yes_no(reply) == expected
    r = normalize(reply or "")
    if any(w and w in r for w in (normalize(x) for x in item.get("wrong", ()))):
        return False
    return any(a and a in r for a in (normalize(x) for x in answers))


DIMENSIONS = {
    "category": lambda it: it.get("category", "?"),
    "subcategory": lambda it: f"{it.get('category', '?')}/{it.get('subcategory', '?')}",
    "question language": lambda it: it.get("question_lang", "?"),
    "document language": lambda it: it.get("doc_lang", "?"),
    "condition": lambda it: it.get("condition", "?"),
    "category x question language": lambda it: f"{it.get('category', '?')}/{it.get('question_lang', '?')}",
}


def summarise(items: list[Mapping[str, Any]], correct: list[bool], dimensions: Iterable[str]) -> dict[str, Any]:
    """{"overall": {...}, "<dimension>": {key: {"right", "n", "accuracy"}}} for the given dimensions."""

    def cell(ok: int, n: int) -> dict[str, Any]:
        return {"right": ok, "n": n, "accuracy": round(ok / n, 4) if n else 0.0}

    out: dict[str, Any] = {"overall": cell(sum(correct), len(correct))}
    for dim in dimensions:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for it, ok in zip(items, correct, strict=True):
            key = DIMENSIONS[dim](it)
            counts[key][0] += ok
            counts[key][1] += 1
        out[dim] = {k: cell(*v) for k, v in sorted(counts.items())}
    return out


def print_summary(summary: Mapping[str, Any]) -> None:
    o = summary["overall"]
    print(f"accuracy: {o['right']}/{o['n']} = {100 * o['accuracy']:.1f}%")
    for dim, rows in summary.items():
        if dim == "overall" or not isinstance(rows, dict):
            continue
        print(f"\nby {dim}")
        width = max([len(k) for k in rows] + [8])
        for key, c in rows.items():
            print(f"  {key:<{width}}  {c['right']:>4}/{c['n']:<4}  {100 * c['accuracy']:6.1f}%")
