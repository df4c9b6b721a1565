"""The page's heading: who issued it (a receipt's shop, an invoice's company) or what it is titled.

Why a scored choice and not "the first line": receipts open with a logo's words, a branch name or
an address as often as with the company's name, and a chart's title wraps onto a second line. A
line near the top scores for looking like an organisation's name (a legal form, a kind of shop:
data/headings.json), for being the title the layout found, and against looking like an address
or a label; same-size neighbours in its row join it, and a title continues onto a line just below
it of the same size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from visdesk.domain import OcrLine

TOP_LINES = 8
"""Only the first lines are considered: the issuer and the title are printed at the top."""


@cache
def _words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    raw = json.loads(resources.files("visdesk.perception").joinpath("data/headings.json").read_text("utf-8"))
    return _alternation(raw["organisation"]), _alternation(raw["not_a_name"])


def _alternation(words: Sequence[str]) -> re.Pattern[str]:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word)
        parts.append(rf"(?<![a-z]){escaped}(?![a-z])" if word[:1].isascii() else escaped)
    return re.compile("|".join(parts), re.IGNORECASE)


def wordy(text: str) -> bool:
    """Words rather than numbers ("2023年各地区退货率（%）" is words, "No 148 16" is not)."""
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 2 and letters >= 0.4 * len(text.replace(" ", ""))


def _height(line: OcrLine) -> float:
    return line.box[3] - line.box[1]


def issuer(lines: Sequence[OcrLine], title: int | None = None) -> list[int]:
    """The lines that name whoever issued the page (joined left to right), or [] when none looks like it."""
    organisation, not_a_name = _words()
    best, best_score = None, 0.0
    for index, line in enumerate(lines[:TOP_LINES]):
        text = line.text
        if not wordy(text):
            continue
        score = 1.0 - 0.08 * index
        if organisation.search(text):
            score += 1.0
        if not_a_name.search(text) or ":" in text or "：" in text:
            score -= 1.6
        if index == title:
            score += 0.5
        if score > best_score:
            best, best_score = index, score
    if best is None or best_score <= 0:
        return []
    return _same_row(lines, best)


def _same_row(lines: Sequence[OcrLine], index: int) -> list[int]:
    """The line and its same-size wordy neighbours on its row ("GOLDEN SCOOP" "SDN BHD")."""
    line = lines[index]
    centre, height = (line.box[1] + line.box[3]) / 2, _height(line)
    row = [
        i for i, other in enumerate(lines)
        if abs((other.box[1] + other.box[3]) / 2 - centre) < 0.5 * height
        and abs(_height(other) - height) < 0.25 * height and wordy(other.text)
    ]  # fmt: skip
    return sorted(row, key=lambda i: lines[i].box[0]) if index in row else [index]


_SUBTITLE = re.compile(r"(?:19|20)\d\d\b|,.*,")


def titled(lines: Sequence[OcrLine], title: int | None) -> list[int]:
    """The title line (the layout's, else the first wordy line) and a wrapped second line of the same size."""
    index = title if title is not None and 0 <= title < len(lines) else next(
        (i for i, line in enumerate(lines[:TOP_LINES]) if wordy(line.text)), None
    )  # fmt: skip
    if index is None:
        return []
    used = [index]
    below = lines[index + 1] if index + 1 < len(lines) else None
    first = lines[index]
    if (
        below is not None
        and _height(below) >= 0.85 * _height(first)
        and wordy(below.text)
        and (below.text[:1].islower() or not _SUBTITLE.search(below.text))  # "than in 2019" goes on; "2019, %" not
        and 0 <= below.box[1] - first.box[3] < 0.8 * _height(first)
    ):
        used.append(index + 1)  # a title wrapped onto a second line
    return used
