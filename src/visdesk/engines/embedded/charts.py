"""Values on labelled charts: the number printed above (or beside) a category label.

Why geometry: bar and line charts with value labels put each number in the same column as its
x-axis label; the nearest number above the label, overlapping it horizontally, is its value.
"""

from __future__ import annotations

import re

from visdesk.domain import OcrLine, Perception
from visdesk.engines.embedded.intents import Intent
from visdesk.engines.embedded.labels import SYNONYMS, fields_in, normalise, similarity
from visdesk.engines.embedded.reply import Reply, ev
from visdesk.perception.facts import parse_amount

_NUMBER_ONLY = re.compile(r"^[-+]?[$¥€£]?\d[\d,]*(?:\.\d*)?\s?(?:%|[kKmMbB万亿])?$")


def _is_value(text: str) -> bool:
    return bool(_NUMBER_ONLY.match(text.strip()))


def chart_pairs(seen: Perception) -> list[tuple[OcrLine, OcrLine]]:
    """(category label, value label) pairs: each axis label with the nearest number above it."""
    lines = seen.lines
    pairs = []
    for row in seen.extras.get("rows", []):
        if len(row) < 3 or not _axis_like([lines[i].text for i in row]):
            continue  # an axis has several labels side by side: categories, or years
        for index in row:
            label = lines[index]
            value = _value_above(lines, label)
            if value is not None:
                pairs.append((label, value))
    return pairs


_YEAR = re.compile(r"(?:19|20)\d\d")


def _axis_like(texts: list[str]) -> bool:
    """Category labels ('7月', 'Q1', 'North') or years; not a row of value labels that happen to line up."""
    if all(_YEAR.fullmatch(t.strip()) for t in texts):
        return True
    return sum(not _is_value(t) for t in texts) >= 0.6 * len(texts)


def _value_above(lines: tuple[OcrLine, ...], label: OcrLine) -> OcrLine | None:
    x0, y0, x1, _ = label.box
    centre = (x0 + x1) / 2
    width = max(x1 - x0, 1.0)
    best, best_gap = None, float("inf")
    for line in lines:
        if line is label or not _is_value(line.text) or line.box[3] > y0:
            continue
        line_centre = (line.box[0] + line.box[2]) / 2
        if abs(line_centre - centre) > 0.9 * width:
            continue
        gap = y0 - line.box[3]
        if gap < best_gap:
            best, best_gap = line, gap
    return best


def _is_field_label(text: str) -> bool:
    """'Amount', 'Qty', '单价' are column labels of a receipt or table, not chart categories."""
    return any(similarity(text, alias) >= 0.95 for field in fields_in(text) for alias in SYNONYMS[field])


def answer_chart(intent: Intent, seen: Perception, question: str, lang: str) -> Reply | None:
    pairs = [(label, value) for label, value in chart_pairs(seen) if not _is_value(label.text) or len(label.text) == 4]
    if len(pairs) < 2:
        return None
    words = {normalise(w) for w in re.split(r"[\s,?？。，]+", question)}
    q = normalise(question)
    asked = [
        (label, value)
        for label, value in pairs
        if len(normalise(label.text)) >= 2
        and not _is_field_label(label.text)
        and (normalise(label.text) in words or (not label.text.isascii() and normalise(label.text) in q))
    ]
    if len(asked) == 1:
        label, value = asked[0]
        text = (
            f"{label.text} 的数值是 {value.text}。" if lang == "zh" else f"The value for {label.text} is {value.text}."
        )
        return Reply(text=text, evidence=[ev(value), ev(label)], value=value.text)
    if intent.extreme:
        scored = [(amount, label, value) for label, value in pairs if (amount := parse_amount(value.text)) is not None]
        if scored:
            pick = max if intent.extreme == "max" else min
            _, label, value = pick(scored, key=lambda s: s[0])
            text = f"{label.text}（{value.text}）。" if lang == "zh" else f"{label.text} ({value.text})."
            return Reply(text=text, evidence=[ev(value), ev(label)], value=label.text)
    return None
