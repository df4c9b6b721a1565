"""Paraphrase suite: every dev-set question asked in several wordings, over the same rendered scenes.

    python -m bench paraphrase [--n 40] [--seed 7] [--kinds all|classic|new] [--failures 20] [--style cross]

Why: the dev set asks each question one way; customers ask it politely ("能不能告诉我…",
"Could you tell me …"), indirectly ("I'd like to know …"), tersely ("订单号？"), in the other
language than the document, or as a negative yes/no ("Isn't it …?", "没有…吗？"). Each wording is
derived from the original question by a general rewrite (no per-item text); one the rewrite cannot
apply to is skipped. The table compares every style with the original wording on the same items.

Answers do not change with the wording, except a Chinese negative yes/no question, which is
answered about its own proposition ("没有CE标志吗？" → 对 when there is none), so its expected
yes/no flips; an English negative question is answered by the fact ("Isn't it certified?" → Yes
if it is), so it keeps the original's.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.accuracy.generate import generate
from bench.accuracy.run import RESULTS, load_items, make_assistant, quiet_logs, run_items
from bench.accuracy.scenes import KIND_SETS
from visdesk.engines.embedded.lexicon import lexicon
from visdesk.engines.embedded.query import Operation, parse_question
from visdesk.engines.embedded.question_selectors import zh_tagger

DEFAULT_DEVSETS = RESULTS / "paraphrase"  # one rendered set per kind set: devset-all, devset-classic, devset-new
_CJK = re.compile(r"[\u3400-\u9fff]")
_YESNO_SUFFIX = re.compile(r"\s*(?:[（(]回答是/?或?否[)）]|answer yes or no\.?|yes or no\??|[（(]是/否[)）])\s*$", re.I)
_EN_NEGATE = {
    "is": "Isn't", "are": "Aren't", "was": "Wasn't", "were": "Weren't", "does": "Doesn't", "do": "Don't",
    "did": "Didn't", "has": "Hasn't", "have": "Haven't", "can": "Can't", "will": "Won't",
}  # fmt: skip
_WH = re.compile(r"(?i)^(?:what|which|who|when|where|how|why)\b")


@dataclass(frozen=True)
class Wording:
    style: str
    question: str
    answers: list[str]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def _split_yesno(question: str) -> tuple[str, str]:
    match = _YESNO_SUFFIX.search(question)
    return (question[: match.start()], question[match.start() :]) if match else (question, "")


_ALREADY_POLITE = re.compile(
    r"(?i)^(?:请|麻烦|能不能|能否|可以|可不可以|能告诉|帮我|could you|can you|would you|please)"
)


def polite(item: dict[str, Any]) -> str | None:
    q = item["question"].strip()
    if _ALREADY_POLITE.match(q):
        return None
    if _CJK.search(q):
        return ("帮我看看，" + q) if item.get("answer_type") == "yesno" else "能不能告诉我" + q.rstrip("？?")
    if item.get("answer_type") == "yesno" or not _WH.match(q):
        return "Could you check this for me: " + q
    return "Could you please tell me " + _lower_first(q)


def indirect(item: dict[str, Any]) -> str | None:
    q = item["question"].strip()
    if _CJK.search(q):
        return ("我想问一下，" + q) if item.get("answer_type") == "yesno" else "我想知道" + q.rstrip("？?") + "。"
    if item.get("answer_type") == "yesno" or not _WH.match(q):
        return None
    return "I'd like to know " + _lower_first(q).rstrip("?") + "."


def _field(item: dict[str, Any]) -> str | None:
    """The lexicon field the original question asks for, when it is a plain lookup of one and nothing else."""
    spec = parse_question(item["question"], item["question_lang"])
    if spec.operation is not Operation.LOOKUP or not spec.fields or spec.rows or spec.columns or spec.keywords:
        return None
    return spec.fields[0]


_ZH_ASK = re.compile(r"(?:是多少|是什么|是几|多少|什么)[？?]?$")
_EN_ASK = re.compile(r"(?i)^(?:what is|what's|what was|what are) (?:the |my |this )?(.+?)\??$")


def terse(item: dict[str, Any]) -> str | None:
    """The question reduced to its noun phrase: "甘油三酯的参考范围是多少" → "甘油三酯的参考范围？"."""
    q = item["question"].strip()
    if _CJK.search(q):
        return _ZH_ASK.sub("", q) + "？" if _ZH_ASK.search(q) and _ZH_ASK.sub("", q) else None
    match = _EN_ASK.match(q)
    return f"{match.group(1)}?" if match else None


def cross(item: dict[str, Any]) -> str | None:
    """The same lookup in the other language; only for answers a reply can quote as printed (no CJK words)."""
    name = _field(item)
    if name is None or any(_CJK.search(a) for a in item["answers"]):
        return None
    other = "en" if _CJK.search(item["question"]) else "zh"
    entry = lexicon().fields[name]
    label = entry.display(other)
    if (other == "zh") != bool(_CJK.search(label)):
        return None
    if other == "en":
        return f"What is the {label}?"
    return f"{label}是多少？" if entry.kind in ("money", "number", "percent") else f"{label}是什么？"


def negative(item: dict[str, Any]) -> tuple[str, bool] | None:
    """A negated yes/no question, and whether the expected answer flips."""
    if item.get("answer_type") != "yesno":
        return None
    body, suffix = _split_yesno(item["question"].strip())
    if _CJK.search(body):
        if "有没有" in body:
            return body.replace("有没有", "没有", 1).rstrip("？?") + "吗？" + suffix, True
        standalone = {p.word for p in zh_tagger().cut(body, HMM=False)}  # 有 as a word, not inside 有机
        for word in ("正常", "有货", "合格", "有"):
            at = body.find(word)
            if at >= 0 and word in standalone and body.rstrip("？?").endswith("吗"):
                negated = "没有" + word[1:] if word == "有" else "不" + word
                return body[:at] + negated + body[at + len(word) :] + suffix, True
        return None
    first, _, rest = body.partition(" ")
    negated_aux = _EN_NEGATE.get(first.casefold())
    if negated_aux is None:
        return None
    return f"{negated_aux} {rest}{(' ' + suffix.strip()) if suffix else ''}", False


STYLES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "polite": polite,
    "indirect": indirect,
    "terse": terse,
    "cross": cross,
    "negative": negative,
}


def wordings(item: dict[str, Any], styles: list[str] | None = None) -> list[Wording]:
    """The original wording and every style that applies to this item."""
    out = [Wording("original", item["question"], list(item["answers"]))]
    for style in styles or list(STYLES):
        made = STYLES[style](item)
        if made is None:
            continue
        question, flip = made if isinstance(made, tuple) else (made, False)
        answers = list(item["answers"])
        if flip:
            answers = ["否" if a in ("是", "yes") else "是" for a in answers[:1]]
        out.append(Wording(style, question, answers))
    return out


def expand(items: list[dict[str, Any]], styles: list[str] | None = None) -> list[dict[str, Any]]:
    """One scored item per (item, wording), carrying its style and the original's id."""
    expanded = []
    for item in items:
        for w in wordings(item, styles):
            expanded.append(
                {**item, "id": f"{item['id']}:{w.style}", "of": item["id"], "style": w.style,
                 "question": w.question, "answers": w.answers}
            )  # fmt: skip
    return expanded


def score_table(expanded: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per style: n, correct, rate, and the original wording's rate on the same items (the baseline)."""
    right = {r["id"]: bool(r["correct"]) for r in results}
    by_style: dict[str, list[dict[str, Any]]] = {}
    for item in expanded:
        by_style.setdefault(item["style"], []).append(item)
    table: dict[str, Any] = {}
    for style, members in by_style.items():
        ok = sum(right[m["id"]] for m in members)
        base = sum(right.get(f"{m['of']}:original", False) for m in members)
        langs: dict[str, list[bool]] = {}
        for m in members:
            langs.setdefault("zh" if _CJK.search(m["question"]) else "en", []).append(right[m["id"]])
        table[style] = {
            "n": len(members),
            "correct": ok,
            "rate": round(ok / len(members), 3),
            "original_rate": round(base / len(members), 3),
            "by_question_language": {k: round(sum(v) / len(v), 3) for k, v in sorted(langs.items())},
        }
    return table


def print_table(table: dict[str, Any]) -> None:
    print(f"{'style':<10} {'n':>4} {'accuracy':>9} {'original':>9}  by question language")
    for style, row in table.items():
        langs = "  ".join(f"{k} {v:.1%}" for k, v in row["by_question_language"].items())
        print(f"{style:<10} {row['n']:>4} {row['rate']:>9.1%} {row['original_rate']:>9.1%}  {langs}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import json

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=None, help="default: bench/results/paraphrase/devset-KINDS")
    parser.add_argument("--kinds", choices=sorted(KIND_SETS), default="all", help="document kinds (default all)")
    parser.add_argument("--n", type=int, default=40, help="dev-set questions to reword (generated when missing)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--style", action="append", choices=sorted(STYLES), help="only these styles (repeatable)")
    parser.add_argument("--failures", type=int, default=0, help="print up to N failing wordings")
    parser.add_argument("--engine", default="embedded")
    parser.add_argument("--out", type=Path, default=RESULTS / "paraphrase.json")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    quiet_logs(args.verbose)
    args.devset = args.devset or DEFAULT_DEVSETS / f"devset-{args.kinds}"
    items_path = args.devset / "items.jsonl"
    if args.regenerate or not items_path.exists() or len(load_items(items_path)) < args.n:
        generate(args.n, args.seed, args.devset, kinds=args.kinds)
    items = load_items(items_path)[: args.n]
    expanded = expand(items, args.style)
    with tempfile.TemporaryDirectory(prefix="visdesk-paraphrase-") as tmp:
        assistant = make_assistant(Path(tmp), args.engine)
        try:
            results = run_items(assistant, expanded, args.devset)
        finally:
            assistant.close()
    table = score_table(expanded, results)
    print(f"{len(items)} questions ({args.kinds} kinds, seed {args.seed}), {len(expanded)} wordings")
    print_table(table)
    if args.failures:
        shown = 0
        for item, result in zip(expanded, results, strict=True):
            if not result["correct"] and shown < args.failures:
                shown += 1
                got = result["error"] or result["answer"][:160]
                print(f"- [{item['style']}] {item['question']}  accepted {item['answers']}  got: {got!r}")
    per_wording = [
        {**r, "style": e["style"], "question": e["question"]} for e, r in zip(expanded, results, strict=True)
    ]
    report = {
        "benchmark": "paraphrase",
        "engine": args.engine,
        "seed": args.seed,
        "kinds": args.kinds,
        "items": len(items),
        "wordings": len(expanded),
        "styles": table,
        "results": per_wording,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
