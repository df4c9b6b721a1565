"""How an operation's outcome is said: the answer first, in one short sentence, with its evidence.

Why data: the phrases are per language in data/phrases/operations.toml, so a reply style or a
language is changed there, not in the operations; every reply states the value before anything else
("The mean is 7.", "Yes — the total is 22.50.", "发票代码是 144031900111。").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from visdesk.engines.embedded.operations import Outcome, fmt
from visdesk.engines.embedded.query import Operation
from visdesk.engines.embedded.reply import Reply, ev_box
from visdesk.perception.document import ValueKind
from visdesk.perception.values import find_values

MAX_LABEL = 18
"""A printed label longer than this is left out of the sentence (the evidence quotes it)."""


@cache
def phrases() -> dict[str, Any]:
    text = resources.files("visdesk.engines.embedded").joinpath("data/phrases/operations.toml").read_text("utf-8")
    return tomllib.loads(text)


def phrase(key: str, lang: str, **values: str) -> str:
    table: dict[str, Any] = phrases()["zh" if lang == "zh" else "en"]
    return str(table[key]).format(**values)


def _label(outcome: Outcome, lang: str) -> str:
    names: dict[str, str] = phrases()["zh" if lang == "zh" else "en"]["labels"]
    label = names.get(outcome.label, outcome.label).strip().rstrip(":：")
    return label if 0 < len(label) <= MAX_LABEL else ""


def say_outcome(outcome: Outcome, lang: str, *, choice: bool = False) -> Reply:
    """The reply for an outcome: a yes/no first, a choice alone, a value with what it is of."""
    label = _label(outcome, lang)
    value = outcome.value
    if outcome.verdict is not None and outcome.phrase:  # presence: what the page shows, or a named row
        key = outcome.phrase + ("" if outcome.phrase != "row" else "_yes" if outcome.verdict else "_no")
        text = phrase(key, lang, quote=value)
        bare = ("是" if outcome.verdict else "否") if lang == "zh" else ("yes" if outcome.verdict else "no")
    elif outcome.verdict is not None and outcome.operation is Operation.VERIFY:
        key = "yes_says" if outcome.verdict else "no_says"  # the printed status, quoted, never obeyed
        agrees = not outcome.verdict
        if lang == "zh" and outcome.negated:  # 是/否 answer the negated question itself: 没有通过吗？ → 对，没有
            key = "agree_says" if agrees else "disagree_says"
        when = phrase("when", lang, value=outcome.detail) if outcome.detail else ""
        text = phrase(key, lang, quote=outcome.value, when=when)
        yes = agrees if lang == "zh" and outcome.negated else outcome.verdict
        bare = ("是" if yes else "否") if lang == "zh" else ("yes" if yes else "no")
    elif outcome.verdict is not None:
        key = "yes" if outcome.verdict else "no"
        text = phrase(key, lang, label=label, value=value) if label and value else phrase(f"{key}_bare", lang)
        bare = ("是" if outcome.verdict else "否") if lang == "zh" else ("yes" if outcome.verdict else "no")
    elif choice:
        text, bare = phrase("choice", lang, value=value), value
    elif outcome.names_rows or (
        outcome.operation in (Operation.ARGMAX, Operation.ARGMIN) and value != fmt(outcome.number or 0.0)
    ):
        detail = outcome.detail
        key = "extreme" if detail else "extreme_bare"
        text = phrase(key, lang, value=value, detail=detail)
        bare = value
    elif label:
        text, bare = phrase("value", lang, label=label, value=value), value
    else:
        text, bare = phrase("bare", lang, value=value), value
    evidence = [ev_box(quote, box) for quote, box in outcome.evidence]
    return Reply(text=text, evidence=evidence, value=bare, confident=True)


_REGISTRATION = re.compile(r"\s*[（(][^()（）]*\d[^()（）]*[)）]\s*$")


MAX_EXTRA = 20
"""A reply states the value and at most about this many more characters (a short sentence)."""


def tighten(reply: Reply, expected: ValueKind | None, quoted: str = "") -> Reply:
    """A looked-up value said as briefly as the question asks: a date without the time printed
    beside it, a company name without the registration number in brackets after it, and a label the
    customer quoted not repeated when repeating it would make the sentence long."""
    value = reply.value
    if not value or value not in reply.text:
        return reply
    field_sentence = reply.text.startswith("The ") or re.match(r"^[^，,。]{1,30}是 ", reply.text) is not None
    ends_on_value = reply.text.rstrip("。.").endswith(value.rstrip("。."))
    if quoted and field_sentence and ends_on_value and len(reply.text) > len(value) + MAX_EXTRA:
        zh = any("\u4e00" <= ch <= "\u9fff" for ch in reply.text.replace(value, ""))
        reply = replace(reply, text=value.rstrip("。.") + ("。" if zh else "."))
    short = value
    if expected == "date":
        dates = [span for span in find_values(value) if span[2].kind == "date"]
        if dates:
            start, end, _ = dates[0]
            short = value[start:end].strip()
    elif expected == "name" and _REGISTRATION.search(value) and re.search(r"[^\W\d_]{2}", _REGISTRATION.sub("", value)):
        short = _REGISTRATION.sub("", value)
    if short == value:
        return reply
    return replace(reply, text=reply.text.replace(value, short, 1), value=short)
