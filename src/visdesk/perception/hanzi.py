"""Traditional → simplified Chinese characters, one character at a time (OpenCC's character table).

Why: OCR models trained on both scripts read a simplified invoice's 税额 as 稅額 or 金额 as 金額 on
a blurred photo; labels are compared in one script so such a reading still names its field. Only
the character table is used (no phrase conversion): labels are matched, not re-written for display.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def _table() -> dict[int, str]:
    text = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            first = targets.split()[0]
            if len(first) == 1 and first != source:
                table[ord(source)] = first
    return table


def simplified(text: str) -> str:
    """`text` with each traditional character replaced by its usual simplified form."""
    return text.translate(_table())
