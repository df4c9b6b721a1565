"""Status lines: which lines state an outcome (已拒绝, refund rejected, 已发货, Delivered …) and which.

Why a word list in data: a yes/no question ("我的退款批了吗？", "Has it shipped?") must follow what
the page states, and the words that state an outcome are the same on every kind of page (orders,
refunds, payments, parcels, approvals); a new status is a line in data/statuses.json, not code.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Literal

from visdesk.domain import OcrLine
from visdesk.perception.candidates import SEPARATOR

Outcome = Literal["positive", "negative", "pending"]
_NEGATORS_ZH = ("未", "不", "没", "无", "非")
_MAX_CHARS = 40  # longer lines are sentences of help text, not a status


@cache
def _matcher() -> tuple[re.Pattern[str], dict[str, Outcome]]:
    """One alternation of every status phrase (longest first: "退款失败" before "失败"), and their outcomes."""
    text = resources.files("visdesk.perception").joinpath("data/statuses.json").read_text(encoding="utf-8")
    data = json.loads(text)
    outcomes: dict[str, Outcome] = {}
    for outcome in ("negative", "positive", "pending"):
        for words in data[outcome].values():
            for word in words:
                outcomes.setdefault(word.lower(), outcome)
    words = "|".join(re.escape(w) for w in sorted(outcomes, key=len, reverse=True))
    negators = "".join(_NEGATORS_ZH)
    pattern = re.compile(
        rf"(?:(?P<neg_en>\bnot\s+)|(?P<neg_zh>[{negators}]))?(?<![A-Za-z])(?P<word>{words})(?![A-Za-z])", re.IGNORECASE
    )
    return pattern, outcomes


@cache
def _status_label() -> re.Pattern[str]:
    text = resources.files("visdesk.perception").joinpath("data/statuses.json").read_text(encoding="utf-8")
    words = [w for ws in json.loads(text)["status_labels"].values() for w in ws]
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


_KEY_VALUE = SEPARATOR


def outcome_of(text: str) -> Outcome | None:
    """The outcome a short line states, or None. A negated positive ("未通过", "not delivered") is negative.

    In "label: value" only the value speaks ("Shipped with: Royal Mail" states nothing), unless
    the label names a status ("退款状态：已拒绝", "Status: Delivered").
    """
    if len(text) > _MAX_CHARS:
        return None
    pair = _KEY_VALUE.match(text)
    if pair and not _status_label().search(pair.group("key")):
        text = pair.group("value")
    pattern, outcomes = _matcher()
    match = pattern.search(text)
    if match is None:
        return None
    outcome = outcomes[match.group("word").lower()]
    if (match.group("neg_en") or match.group("neg_zh")) and outcome == "positive":
        return "negative"
    return outcome


def find_statuses(
    lines: tuple[OcrLine, ...], labels: frozenset[int] = frozenset()
) -> tuple[tuple[int, ...], tuple[Outcome, ...]]:
    """(indexes of status lines, their outcomes), in reading order.

    `labels` are lines that name a value elsewhere ("Paid back to" left of "Visa (ending 4417)"):
    they state nothing unless they name a status.
    """
    indexes: list[int] = []
    outcomes: list[Outcome] = []
    for index, line in enumerate(lines):
        if index in labels and not _status_label().search(line.text):
            continue
        outcome = outcome_of(line.text)
        if outcome is not None:
            indexes.append(index)
            outcomes.append(outcome)
    return tuple(indexes), tuple(outcomes)
