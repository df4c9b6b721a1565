"""Typed values: parse printed text once into money, number+unit, percent, date, time, code, phone, name, text.

Why one parser: every consumer (resolver, operations, replies) compares values by type — a total
over 100, the later of two dates, the larger of two percents — so the text is parsed here once,
with the document's own date order, and nobody re-parses strings downstream. Currency marks and
units are data (data/values.json), so a new currency or unit needs no code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from visdesk.perception.document import DateOrder, Value

Span = tuple[int, int, Value]
"""(start, end, value): where in a line's text a value was found."""

_NUMBER = r"\d{1,3}(?:[,，]\d{3})+(?:[.．]\d+)?|\d+(?:[.．]\d+)?|[.．]\d+"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGITS = re.compile(r"\d")
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")
_PER_UNIT = re.compile(r"(?:/|per\s|a\s|each|every|每)\s?[A-Za-z\u3400-\u9fff.]{0,12}|each", re.IGNORECASE)


@cache
def _data() -> dict[str, Any]:
    text = resources.files("visdesk.perception").joinpath("data/values.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest first so 'US$' wins over '$' and 'mAh' over 'm'."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    data = _data()
    marks = _alternation(data["currency_marks"])
    codes = _alternation(data["currency_codes"])
    scaled = _alternation(data["scaled_currency"])
    units = _alternation(data["units"])
    months = _alternation(data["month_names"])
    number = rf"(?:{_NUMBER})"
    sign = r"[-−–+]?"
    return {
        # ¥1,299.00 · -$5 · RM 12.50 · USD 20 · 1299元 · 12.5万元 · 20 EUR
        "money": re.compile(
            rf"(?P<sign1>{sign})(?P<pre>{marks}|{codes}(?![A-Za-z]))\s?(?P<sign2>{sign})(?P<n1>{number})"
            rf"(?:\s?(?P<scale1>{scaled}))?"
            rf"|(?P<sign3>{sign})(?P<n2>{number})\s?(?:(?P<scale2>{scaled})|(?P<post>{marks}|{codes})(?![A-Za-z]))"
        ),
        "percent": re.compile(rf"(?P<sign>{sign})(?P<n>{number})\s?[%％]"),
        "date_ymd": re.compile(
            r"(?<!\d)(?P<y>\d{4})\s?(?P<s>[-/.年])\s?(?P<m>\d{1,2})\s?(?:[-/.月])\s?(?P<d>\d{1,2})(?:\s?日)?(?!\d)"
        ),
        "date_ym": re.compile(r"(?<!\d)(?P<y>\d{4})\s?年\s?(?P<m>\d{1,2})\s?月(?!\s?\d)"),
        "date_md_zh": re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]"),
        "date_abc": re.compile(r"(?<![\d.])(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P=s)(?P<c>\d{4}|\d{2})(?![\d.])"),
        "date_dmony": re.compile(
            rf"(?<![\dA-Za-z])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]?(?P<mon>{months})\.?[\s,-]{{0,2}}(?P<y>\d{{4}}|\d{{2}})(?![\d])",
            re.IGNORECASE,
        ),
        "date_monddy": re.compile(
            rf"(?<![A-Za-z])(?P<mon>{months})\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y>\d{{4}})(?!\d)",
            re.IGNORECASE,
        ),
        "time": re.compile(
            r"(?<![\d:])(?P<h>\d{1,2})\s?[:：]\s?(?P<mi>\d{2})(?:[:：](?P<s>\d{2}))?(?:\s?(?P<ap>[AaPp]\.?[Mm]\.?))?(?![\d:])"
            r"|(?<!\d)(?P<h2>\d{1,2})\s?(?P<ap2>[AaPp][Mm])(?![A-Za-z])"
        ),
        "phone": re.compile(
            r"(?<![A-Za-z0-9_+])(?:\+\d{1,3}[\s-]?)?(?:\(\d{2,4}\)\s?)?\d{2,4}(?:[\s-]\d{3,4}){1,3}(?![A-Za-z0-9_-])"
            r"|(?<![A-Za-z0-9_])1[3-9]\d{9}(?!\d)"
            r"|(?<![A-Za-z0-9_])(?:400|800)\d{7}(?!\d)"
            r"|(?<![A-Za-z0-9_])1[3-9]\d[*＊]{4}\d{4}(?!\d)"
        ),
        "number": re.compile(
            rf"(?<![A-Za-z0-9_.])(?P<sign>{sign})(?P<n>{number})(?:\s?(?P<unit>{units})(?![A-Za-z]))?(?![A-Za-z0-9_.])"
            rf"|(?<![A-Za-z0-9_.])(?P<x>[x×*])\s?(?P<n2>\d+)(?![A-Za-z0-9_.])"
        ),
        # codes/IDs: letters and digits together (E6591, SF1234567890, G11, INV-2024-001) or 5+ digits
        "code": re.compile(
            r"(?<![A-Za-z0-9])(?=[A-Za-z0-9-_/#]*\d)(?:[A-Za-z]{1,6}[-_#]?\d[A-Za-z0-9]*(?:[-_/][A-Za-z0-9]+)*"
            r"|\d+(?:[-_/]\d+)*[-_/]\d*[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*"
            r"|\d+[A-Za-z]+[A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*|\d{5,}(?:[-_][A-Za-z0-9]+)*|\d{3,}(?:-\d{3,})+"
            r"|0x[0-9A-Fa-f]+|[vV]\d+(?:\.\d+)+)(?![A-Za-z0-9])"
        ),
    }


def normalise(text: str) -> str:
    """NFKC without touching ¥/￥ (NFKC folds ￥ to ¥ anyway) and with the full-width comma/point."""
    return unicodedata.normalize("NFKC", text).replace("，", ",").replace("．", ".")


def _to_float(text: str) -> float:
    return float(text.replace(",", "").replace("，", "").replace("．", "."))


def _negative(*signs: str | None) -> bool:
    return any(s in ("-", "−", "–") for s in signs if s)


def _currency(mark: str) -> str:
    data = _data()
    marks: dict[str, str] = data["currency_marks"]
    if mark in marks:
        return marks[mark]
    upper = mark.upper()
    aliases: dict[str, str] = data["code_aliases"]
    return aliases.get(upper, upper)


def _money(match: re.Match[str]) -> Value:
    data = _data()
    scaled: dict[str, list[Any]] = data["scaled_currency"]
    raw = match.group(0).strip()
    if match.group("n1") is not None:
        amount = _to_float(match.group("n1"))
        negative = _negative(match.group("sign1"), match.group("sign2"))
        scale = match.group("scale1")
        currency = _currency(match.group("pre"))
    else:
        amount = _to_float(match.group("n2"))
        negative = _negative(match.group("sign3"))
        scale = match.group("scale2")
        currency = _currency(match.group("post")) if match.group("post") else ""
    if scale:
        currency, factor = scaled[scale][0], float(scaled[scale][1])
        amount *= factor
    return Value("money", raw, -amount if negative else amount, currency)


def _code_like_money(match: re.Match[str]) -> bool:
    """'RM379864739', 'USD20240518': letters glued to a long bare number are an ID, not an amount."""
    pre, number = match.group("pre"), match.group("n1")
    return bool(pre and pre.isalpha() and number and match.group(0)[len(pre) :][:1].isdigit()) and (
        len(number) >= 6 and number.isdigit()
    )


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year  # two-digit years on receipts are this century


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month(name: str) -> int:
    months: dict[str, int] = _data()["month_names"]
    return months[name.lower().rstrip(".")]


def _abc_date(a: int, b: int, c: int, order: DateOrder) -> dt.date | None:
    """a/b/c with c the year: a day over 12 decides the order, else the document's order does."""
    if a > 12 >= b:
        return _date(c, b, a)
    if b > 12 >= a:
        return _date(c, a, b)
    return _date(c, a, b) if order == "mdy" else _date(c, b, a)


_WEEKDAY_BEFORE = re.compile(
    r"(?i)(?:\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?|周[一二三四五六日天]|星期[一二三四五六日天])"
    r"[,，\s]*$"
)


def _dates(text: str, order: DateOrder) -> Iterator[Span]:
    """Dates with the weekday printed before them ("Fri, 14 Mar 2025", "周五 3月14日") kept in one span."""
    for start, end, value in _bare_dates(text, order):
        weekday = _WEEKDAY_BEFORE.search(text[:start])
        if weekday is not None:
            start = weekday.start()
            value = Value("date", text[start:end], date=value.date)
        yield start, end, value


def _bare_dates(text: str, order: DateOrder) -> Iterator[Span]:
    p = _patterns()
    for m in p["date_ymd"].finditer(text):
        date = _date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if date is not None:
            yield m.start(), m.end(), Value("date", m.group(0), date=date)
    for m in p["date_abc"].finditer(text):
        date = _abc_date(int(m.group("a")), int(m.group("b")), _year(m.group("c")), order)
        if date is not None:
            yield m.start(), m.end(), Value("date", m.group(0), date=date)
    for m in p["date_dmony"].finditer(text):
        date = _date(_year(m.group("y")), _month(m.group("mon")), int(m.group("d")))
        if date is not None:
            yield m.start(), m.end(), Value("date", m.group(0), date=date)
    for m in p["date_monddy"].finditer(text):
        date = _date(int(m.group("y")), _month(m.group("mon")), int(m.group("d")))
        if date is not None:
            yield m.start(), m.end(), Value("date", m.group(0), date=date)
    for m in p["date_ym"].finditer(text):
        date = _date(int(m.group("y")), int(m.group("m")), 1)
        if date is not None:
            yield m.start(), m.end(), Value("date", m.group(0), date=date)
    for m in p["date_md_zh"].finditer(text):  # 5月18日: no year printed, so no dt.date to compare
        if 1 <= int(m.group("m")) <= 12 and 1 <= int(m.group("d")) <= 31:
            yield m.start(), m.end(), Value("date", m.group(0))


def _times(text: str) -> Iterator[Span]:
    for m in _patterns()["time"].finditer(text):
        hour = int(m.group("h") or m.group("h2"))
        minute = int(m.group("mi") or 0)
        second = int(m.group("s") or 0)
        meridiem = (m.group("ap") or m.group("ap2") or "").lower().replace(".", "")
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60 and second < 60:
            yield m.start(), m.end(), Value("time", m.group(0).strip(), time=dt.time(hour, minute, second))


def _phone_ok(raw: str) -> bool:
    digits = len(_DIGITS.findall(raw))
    return 7 <= digits <= 15 and (
        raw.startswith(("+", "(", "0", "1", "4", "8")) or digits in (10, 11) or "*" in raw or "＊" in raw
    )


def find_values(text: str, order: DateOrder = "ymd") -> list[Span]:
    """Every typed value inside `text` (see `_find_values`); a fresh list of cached spans."""
    return list(_find_values(text, order))


@lru_cache(maxsize=8192)  # the builder, the chart finder and parse_value all ask about the same lines
def _find_values(text: str, order: DateOrder) -> tuple[Span, ...]:
    """Every typed value inside `text`, non-overlapping, first-found type winning by priority.

    Priority: date and time (they contain digits that would otherwise be numbers), money,
    percent, phone, code, number. Spans are in the given text's character offsets.
    """
    if not text.isascii():  # full-width digits and marks; only when offsets stay the caller's
        folded = normalise(text)
        text = folded if len(folded) == len(text) else text
    found: list[Span] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(spans: Iterable[Span]) -> None:
        for start, end, value in spans:
            if free(start, end):
                found.append((start, end, value))
                taken.append((start, end))

    p = _patterns()
    add(_dates(text, order))
    add(_times(text))
    add((m.start(), m.end(), _money(m)) for m in p["money"].finditer(text) if not _code_like_money(m))
    add(
        (m.start(), m.end(), Value("percent", m.group(0), _signed(m.group("n"), m.group("sign")), "%"))
        for m in p["percent"].finditer(text)
    )
    add((m.start(), m.end(), Value("phone", m.group(0))) for m in p["phone"].finditer(text) if _phone_ok(m.group(0)))
    numbers = [(m.start(), m.end(), _number(m)) for m in p["number"].finditer(text)]
    add(span for span in numbers if span[2].unit)  # "220V", "3件", "x2": a unit beats a code
    add(_word_then_digits(m) for m in p["code"].finditer(text) if _WORD_DIGITS.match(m.group(0)))
    add((m.start(), m.end(), Value("code", m.group(0))) for m in p["code"].finditer(text) if _code_ok(m.group(0)))
    add(span for span in numbers if not span[2].unit)
    found.sort(key=lambda span: span[0])
    return tuple(found)


def _signed(number: str, sign: str | None) -> float:
    value = _to_float(number)
    return -value if _negative(sign) else value


def _number(match: re.Match[str]) -> Value:
    if match.group("n2") is not None:  # "x2" / "×3": a quantity
        return Value("number", match.group(0), float(match.group("n2")), "x")
    return Value("number", match.group(0), _signed(match.group("n"), match.group("sign")), match.group("unit") or "")


_WORD_DIGITS = re.compile(r"^(?P<word>[a-z]{3,}|[A-Z][a-z]{2,})(?P<digits>\d+)$")
"""'ending1652', 'Table12': a word glued to its number by OCR (codes are upper case: 'ORD2024')."""


def _word_then_digits(match: re.Match[str]) -> Span:
    word = _WORD_DIGITS.match(match.group(0))
    assert word is not None
    start = match.start() + word.end("word")
    digits = word.group("digits")
    value = Value("code", digits) if len(digits) >= 5 else Value("number", digits, float(digits))
    return start, match.end(), value


def _code_ok(raw: str) -> bool:
    """A code needs digits; an all-digit token counts only from five digits (shorter ones are numbers)."""
    letters = len(_LATIN.findall(raw))
    if letters == 0:  # digit groups joined by hyphens ("5500-1182") need seven digits: "208-428" is a range
        return len(_DIGITS.findall(raw)) >= (7 if "-" in raw else 5) and "." not in raw
    return len(raw) >= 2


_NAME_EN = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr)\.?\s)?[A-Z][a-z'’-]+(?:\s(?:[A-Z]\.|[A-Z][a-z'’-]+)){1,2}$")
_NAME_ZH = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff*＊]{1,3}$")
_MASKED_NAME = re.compile(r"^[\u4e00-\u9fff][*＊]{1,2}[\u4e00-\u9fff]?$")


PER_THING = re.compile(r"(?i)(?:per|each|a|every|每|/)\s?[^\W\d_]{1,12}")
"""A number said per thing ("4.7 g per earbud", "¥30 每人"): still that number."""
_QUALIFIER = re.compile(r"[（(][^()（）\d]{1,10}[)）]")
"""A short bracketed qualifier printed beside a value ("(小写)", "(incl. GST)"): decoration, not words of the value."""


@lru_cache(maxsize=8192)
def parse_value(text: str, order: DateOrder = "ymd", *, name_like: bool = False) -> Value:
    """The one type of a whole printed value ("¥1,299.00" → money 1299 CNY; "已发货" → text).

    A value that is mostly one typed span with a little decoration ("合计: ¥120" minus the label,
    "2024-05-18 14:30") takes that span's type; `name_like` says the label names a person or
    company, so short wordy values become `name` rather than `text`.
    """
    stripped = normalise(text).strip().strip(":：;；,，").strip()
    if not stripped:
        return Value("text", text.strip())
    spans = find_values(stripped, order)
    if spans:
        covered = sum(end - start for start, end, _ in spans)
        first = spans[0][2]
        leftover = _strip_spans(stripped, spans)
        rest = _DIGITS.search(leftover) is None
        bare = _WORDY.search(_QUALIFIER.sub("", leftover)) is None  # only punctuation, symbols, "(小写)" around it
        if first.kind == "date" and len(spans) >= 2 and spans[1][2].kind == "time" and rest:
            return Value("date", stripped, date=first.date, time=spans[1][2].time)
        per_unit = first.kind == "money" and _PER_UNIT.fullmatch(leftover.strip()) is not None  # "$5/lb"
        per_thing = first.kind in ("number", "money") and PER_THING.fullmatch(leftover.strip()) is not None
        per_unit = per_unit or per_thing
        if len(spans) == 1 and (covered >= 0.7 * len(stripped.replace(" ", "")) or bare or per_unit):
            _start, _end, value = spans[0]
            shown = _QUALIFIER.sub("", stripped).strip()  # "(小写)¥375.24" is said "¥375.24"
            return value if value.raw == shown else _with_raw(value, shown)
    if _NAME_EN.match(stripped) or (name_like and _NAME_ZH.match(stripped)) or _MASKED_NAME.match(stripped):
        return Value("name", stripped)
    if name_like and not _DIGITS.search(stripped) and len(stripped) <= 40:
        return Value("name", stripped)
    return Value("text", stripped)


def _strip_spans(text: str, spans: list[Span]) -> str:
    out, last = [], 0
    for start, end, _ in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _with_raw(value: Value, raw: str) -> Value:
    return Value(value.kind, raw, value.number, value.unit, value.date, value.time)


def language_of(texts: Iterable[str]) -> Literal["zh", "en"]:
    """zh when CJK characters carry at least a third of the wordy text (one CJK char ≈ two letters)."""
    cjk = latin = 0
    for text in texts:
        cjk += len(_CJK.findall(text))
        latin += len(_LATIN.findall(text))
    return "zh" if cjk * 2 >= 0.5 * (latin + cjk * 2) and cjk else "en"


def decide_date_order(texts: Iterable[str], language: Literal["zh", "en"]) -> DateOrder:
    """How this document writes numeric dates, from its own evidence.

    Evidence, strongest first: a numeric date whose first part is over 12 (dd/mm) or whose second
    is (mm/dd); month-name dates ("18 May 2024" is day-first, "May 18, 2024" month-first); the
    currency (£ € RM … print day first, $ month first); then the language (zh pages print y-m-d,
    and a zh page's d/m is rarer than m/d). "ymd" when the page has no ambiguous numeric date.
    """
    p = _patterns()
    dmy = mdy = 0
    ambiguous = False
    data = _data()
    currencies: set[str] = set()
    for raw in texts:
        text = normalise(raw)
        for m in p["date_abc"].finditer(text):
            a, b = int(m.group("a")), int(m.group("b"))
            ambiguous = True
            if a > 12 >= b:
                dmy += 3
            elif b > 12 >= a:
                mdy += 3
        dmy += 2 * sum(1 for _ in p["date_dmony"].finditer(text))
        mdy += 2 * sum(1 for _ in p["date_monddy"].finditer(text))
        for m in p["money"].finditer(text):
            currencies.add(_currency(m.group("pre") or m.group("post") or ""))
    if not ambiguous:
        return "ymd"
    dmy += sum(1 for c in currencies if c in data["dmy_currencies"])
    mdy += sum(1 for c in currencies if c in data["mdy_currencies"])
    if dmy != mdy:
        return "dmy" if dmy > mdy else "mdy"
    return "mdy" if language == "zh" else "dmy"
