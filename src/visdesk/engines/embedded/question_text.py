"""Text pieces of a question the parser reads: cue matching, choices, numbers, thresholds, selectors.

Why separate from `query.py`: these are language mechanics (whole-word matching in English,
substrings and jieba words in Chinese, numbers like "4+1/10" or "$1,394.00"), shared by every
operation; the parser itself only decides what the pieces mean.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from visdesk.engines.embedded.lexicon import Cues

CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTED = re.compile(r"[\"“”「『‘]([^\"“”」』’]{1,60})[\"“”」』’]|(?<![A-Za-z])'([^']{2,60})'(?![A-Za-z])")
# a number as people write it: 1,394.00 · 4+1/10 · 3/4 · 1.6 · 110 · 50%
NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(\d+)\s*\+\s*(\d+)/(\d+)|(?<![A-Za-z0-9_.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:/(\d+))?"
)
MONEY = re.compile(
    r"(?:[$¥￥€£]|rm|usd|cny|rmb)\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:元|块|美元|dollars?)", re.I
)
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s?年)?(?!\d)")
QUARTER = re.compile(r"(?<![A-Za-z])(Q[1-4])(?![0-9])|第([一二三四1-4])季度", re.I)
MODEL = re.compile(
    r"(?<![A-Za-z0-9-])([A-Za-z]{1,6}[-_]?\d[A-Za-z0-9-]*|\d+[A-Za-z]{1,3}\d*[A-Za-z0-9-]*"
    r"|(?:[A-Z][a-z]+|[a-z]+[A-Z]\w*) \d{1,4}[A-Za-z]?)(?![A-Za-z0-9-])"
)
TIME = re.compile(r"(?i)(?<!\d)(\d{1,2})[:.](\d{2})\s?([ap])\.?\s?m\b\.?")
SENTENCE = re.compile(r"(?<=[?!。？！])\s*|(?<=\.)\s+")  # "$12.50" and "4.5" are not sentence ends
_SPACES = re.compile(r"\s+")
_EN_PUNCT = re.compile(r"(?<!\d)[.,;:!?](?!\d)|[()\[\]{}\"“”?!]")
_CN_NUMERALS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def normalise(text: str) -> str:
    """NFKC, one space between words, typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return _SPACES.sub(" ", text).strip()


def padded(text: str) -> str:
    """English text for whole-phrase matching: lower case, punctuation as spaces, a space at each end."""
    return " " + _SPACES.sub(" ", _EN_PUNCT.sub(" ", text.casefold())).strip() + " "


@cache
def _gapped(phrase: str) -> re.Pattern[str]:
    return re.compile(".{0,24}?".join(re.escape(part) for part in phrase.casefold().split("…")))


def has(haystack: str, phrase: str, language: str) -> bool:
    """Whether a cue phrase occurs: a whole phrase in English (haystack from `padded`), a substring in Chinese.

    "比…多少" (an ellipsis) allows a few characters between the parts: "周一比周二多卖了多少".
    """
    if "…" in phrase:
        return _gapped(phrase).search(haystack) is not None
    if language == "zh" or not phrase[:1].isalnum() or not phrase[-1:].isalnum():
        return phrase.casefold() in haystack
    return f" {phrase} " in haystack


@cache
def _any_of(phrases: tuple[str, ...], language: str) -> re.Pattern[str] | None:
    """One alternation for a cue list (longest first); English phrases of letters match as whole words."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        if "…" in phrase:
            parts.append(_gapped(phrase).pattern)
        elif language == "zh" or not phrase[:1].isalnum() or not phrase[-1:].isalnum():
            parts.append(re.escape(phrase.casefold()))
        else:
            parts.append(f"(?<= ){re.escape(phrase)}(?= )")
    return re.compile("|".join(parts)) if parts else None


def first(haystack: str, phrases: tuple[str, ...], language: str) -> str:
    """A phrase of the list present in the haystack (the longest at the leftmost place), or ''."""
    pattern = _any_of(phrases, language)
    match = pattern.search(haystack) if pattern else None
    return match.group(0) if match else ""


def remove(haystack: str, phrase: str, language: str) -> str:
    if language == "zh" or not phrase[:1].isalnum() or not phrase[-1:].isalnum():
        return haystack.replace(phrase.casefold(), " ")
    return haystack.replace(f" {phrase} ", "  ")


def quoted(text: str) -> str:
    match = _QUOTED.search(text)
    return (match.group(1) or match.group(2)).strip() if match else ""


def split_choices(text: str, cues: Cues) -> tuple[str, tuple[str, ...]]:
    """The question without its listed options, and the options ("Choices: shortage or surplus.")."""
    folded = text.casefold()
    for marker in cues.choices:
        at = folded.find(marker.casefold())
        if at < 0:
            continue
        listed = text[at + len(marker) :].strip().rstrip(".。")
        parts = [listed]
        for sep in cues.choice_separators:
            parts = [piece for part in parts for piece in part.split(sep)]
        options = tuple(p.strip(" .。") for p in parts if p.strip(" .。"))
        return text[:at].strip(), options
    return text, ()


def focus(text: str) -> tuple[str, str]:
    """The sentence that asks (the last with a question mark, else the last one) and the other sentences."""
    protected = TIME.sub(lambda m: f"{m.group(1)}:{m.group(2)} {m.group(3).upper()}M", text)  # "1.05 P.M." ends nothing
    sentences = [s for s in SENTENCE.split(protected) if s.strip()]
    if len(sentences) <= 1:
        return protected, ""
    asking = [i for i, s in enumerate(sentences) if s.rstrip().endswith(("?", "？"))]
    at = asking[-1] if asking else len(sentences) - 1
    return sentences[at], " ".join(sentences[:at] + sentences[at + 1 :])


def times(text: str) -> list[str]:
    """Clock times named in the question, as "1:05 PM"."""
    return [f"{int(m.group(1))}:{m.group(2)} {m.group(3).upper()}M" for m in TIME.finditer(text)] + [
        m.group(0) for m in re.finditer(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:]|\s?[AaPp]\.?[Mm])", text)
    ]


def to_number(match: re.Match[str]) -> float:
    whole, num, den, digits, decimals, over = match.groups()
    if whole is not None:
        return int(whole) + int(num) / int(den)
    value = float(digits.replace(",", "") + (decimals or ""))
    return value / float(over) if over and float(over) else value


def numbers(text: str) -> list[tuple[float, int, int]]:
    """Every number with its span."""
    return [(to_number(m), m.start(), m.end()) for m in NUMBER.finditer(text)]


@dataclass(frozen=True)
class Threshold:
    comparator: str
    value: float | None
    span: tuple[int, int]  # where the phrase and its number sit in the searched text


def thresholds(text: str, cues: Cues) -> list[Threshold]:
    """Comparator phrases with the number after them ("over 100", "至少30"), or before a suffix ("30 or more"),
    in reading order ("at least 30 but fewer than 40" → two); a phrase with no number comes last, alone."""
    folded = text.casefold()
    nums = numbers(folded) + [  # "over RM50": a currency written against the digits
        (float((m.group(1) or m.group(2)).replace(",", "")), m.start(), m.end()) for m in MONEY.finditer(folded)
    ]
    found: list[Threshold] = []
    bare: Threshold | None = None
    for comparator, phrases in cues.comparators.items():
        for phrase in phrases:
            if phrase.casefold() not in folded:
                continue
            for m in re.finditer(re.escape(phrase.casefold()), folded):
                if cues.language == "en" and not _word_at(folded, m.start(), m.end()):
                    continue
                if phrase in cues.comparator_suffix:
                    before = [n for n in nums if 0 <= m.start() - n[2] <= 2]
                    if before:
                        found.append(Threshold(comparator, before[-1][0], (before[-1][1], m.end())))
                    continue
                after = [n for n in nums if 0 <= n[1] - m.end() <= 3 or _money_gap(folded[m.end() : n[1]])]
                if after:
                    found.append(Threshold(comparator, after[0][0], (m.start(), after[0][2])))
                elif bare is None:
                    bare = Threshold(comparator, None, (m.start(), m.end()))
    kept: list[Threshold] = []
    for t in sorted(found, key=lambda t: (t.span[0], -t.span[1])):
        if not any(t.span[0] < k.span[1] and k.span[0] < t.span[1] for k in kept):
            kept.append(t)
    return kept or ([bare] if bare else [])


def threshold(text: str, cues: Cues) -> Threshold | None:
    """The first threshold of `thresholds`."""
    found = thresholds(text, cues)
    return found[0] if found else None


def _money_gap(gap: str) -> bool:
    return len(gap) <= 6 and gap.strip() in ("$", "¥", "￥", "€", "£", "rm", "usd", "rmb", "of $", "of", "the")


def _word_at(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())


def money_held(context: str, cues: Cues) -> float | None:
    """Money the customer says someone holds ("Tisha has $1,394.00.", "我有200元")."""
    for holder in cues.money_holders:
        for m in re.finditer(re.escape(holder), context):
            amount = MONEY.search(context, m.end(), m.end() + 14)
            if amount:
                return float((amount.group(1) or amount.group(2)).replace(",", ""))
    return None


def periods(text: str) -> list[str]:
    """Years and quarters named in the question ("2022", "Q2")."""
    found = [m.group(1) for m in YEAR.finditer(text)]
    for m in QUARTER.finditer(text):
        found.append(m.group(1).upper() if m.group(1) else f"Q{_CN_NUMERALS.get(m.group(2), m.group(2))}")
    return found


def model_numbers(text: str) -> list[str]:
    """Product and item codes ("VD-PB20", "WBC", "E1024"): letters and digits together."""
    return [m.group(1) for m in MODEL.finditer(text) if not YEAR.fullmatch(m.group(1))]
