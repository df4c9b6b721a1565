"""Typed facts found in OCR text: dates, money, error codes, ids, versions, exceptions, stack frames.

Why regexes here and not in the engine: every engine (embedded rules, a VLM prompt, the product
matcher) benefits from the same normalised facts, and they are computed once per image and cached
with the Perception. Each fact keeps the index of the line it came from so answers can cite boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from visdesk.domain import OcrLine

_CURRENCY = r"(?:¥|￥|\$|US\$|RM|€|£|HK\$|S\$|CNY|RMB|USD|EUR|MYR|元)"
_NUMBER = r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:[.．]\d{1,2})?"

PATTERNS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        r"(?<!\d)(?:"
        r"\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}日?"  # 2024-05-18, 2024年5月18日
        r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"  # 18/05/2024, 05-18-24
        r"|\d{1,2}\s?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s?,?\s?\d{2,4}"
        r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s\d{1,2},?\s\d{4}"
        r"|\d{1,2}月\d{1,2}日"
        r")(?!\d)",
        re.IGNORECASE,
    ),
    "time": re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M)?(?!\d)", re.IGNORECASE),
    "money": re.compile(rf"(?:{_CURRENCY}\s?-?{_NUMBER}|-?{_NUMBER}\s?(?:元|RMB|CNY|USD|EUR|MYR)(?![A-Za-z]))"),
    "error_code": re.compile(
        r"(?<![A-Za-z0-9])(?:0x[0-9A-Fa-f]{6,8}|[A-Z]{1,4}[-_]?\d{2,5}(?![\d.])|ERR(?:OR)?_[A-Z0-9_]+"
        r"|HTTP\s?[45]\d\d|(?<=错误码[:：])\s?\w+)"
    ),
    "http_status": re.compile(
        r"(?:HTTP\s?(?:status\s?|error\s?)?|状态码[:：]?\s?)([45]\d\d)(?!\d)"
        r"|(?<!\d)([45]\d\d)(?=\s(?:Internal|Bad|Not Found|Forbidden|Service|Gateway|Unauthorized|Too Many))"
    ),
    "version": re.compile(r"(?<![\w.])(?:[vV]\d+(?:\.\d+)+|\d+\.\d+\.\d+(?:\.\d+)?)(?:[-+][\w.]+)?(?![\w.])"),
    "exception": re.compile(r"(?<![\w.])((?:[a-z_][\w]*\.)*[A-Z]\w*(?:Exception|Error|Fault|Panic))(?![\w])"),
    "stack_frame": re.compile(
        r"(?:^\s*at\s+[\w$.<>]+\([^)]*\)|^\s*File\s+\"[^\"]+\",\s+line\s+\d+|^\s*at\s+\S+\s+\(\S+:\d+:\d+\))"
    ),
    "tracking": re.compile(r"(?<![A-Za-z0-9])(?:SF|YT|JD|ZTO|STO|YD|EMS|1Z)[A-Z0-9]{8,20}(?![A-Za-z0-9])"),
    "long_number": re.compile(r"(?<![\d.])\d{10,24}(?![\d.])"),
    "model": re.compile(
        r"(?<![A-Za-z0-9])(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9]{2,}(?:-[A-Z0-9]+)+(?![A-Za-z0-9])"
    ),
    "percent": re.compile(r"-?\d+(?:\.\d+)?\s?%"),
}


@dataclass(frozen=True)
class Fact:
    kind: str
    text: str
    line: int  # index into Perception.lines


def extract_facts(lines: tuple[OcrLine, ...]) -> dict[str, list[dict[str, object]]]:
    """All typed facts, per kind, as JSON-friendly dicts {text, line} in reading order."""
    found: dict[str, list[dict[str, object]]] = {}
    for index, line in enumerate(lines):
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(line.text):
                if kind == "http_status":
                    text = (match.group(1) or match.group(2) or "").strip()
                else:
                    text = (match.group(1) if kind == "exception" else match.group(0)).strip()
                if not text or (kind == "error_code" and _looks_like_date_or_money(text)):
                    continue
                if kind == "date" and not _plausible_date(text):
                    continue
                found.setdefault(kind, []).append({"text": text, "line": index})
    return found


def _plausible_date(text: str) -> bool:
    """Reject '43-45-47': some part must be a month (1-12) and the others a day or a year."""
    parts = [int(p) for p in re.findall(r"\d+", text)]
    if len(parts) < 3 or re.search(r"[A-Za-z]", text):
        return True
    if parts[0] > 31:  # year first
        return 1 <= parts[1] <= 12 and 1 <= parts[2] <= 31
    return (1 <= parts[1] <= 12 and 1 <= parts[0] <= 31) or (1 <= parts[0] <= 12 and 1 <= parts[1] <= 31)


def _looks_like_date_or_money(text: str) -> bool:
    return bool(PATTERNS["date"].fullmatch(text) or text.isdigit())


def parse_amount(text: str) -> float | None:
    """'¥1,299.00' → 1299.0; None when `text` holds no number."""
    match = re.search(_NUMBER, text.replace("，", ",").replace("．", "."))
    if not match:
        return None
    try:
        return float(match.group(0).replace(",", ""))
    except ValueError:
        return None


_CONFUSABLE_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"})


def fix_digit_confusions(value: str) -> str:
    """Correct O/0, l/1, S/5 inside a token that is otherwise all digits (the layout makes it certain).

    '2O24O518' → '20240518'; 'SF1234' stays (letters lead, a real prefix); 'Total' stays.
    """

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        digits = sum(ch.isdigit() for ch in token)
        if digits >= 4 and digits >= len(token) - 2 and token[0].isdigit() and token[-1].isdigit():
            return token.translate(_CONFUSABLE_DIGITS)
        return token

    return re.sub(r"[0-9OoDlI|SB]{5,}", fix, value)
