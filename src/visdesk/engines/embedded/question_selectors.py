"""Selectors of a question (rows, columns, items with counts) and its remaining content words.

Why apart from the parser: which row or period a question is about is syntax common to every
document ("on Monday", "in 2022", "Future Computers", "VD-PB20", "周一和周二", "A比B"), while the
parser decides the operation; jieba (with every zh alias as one word) segments the Chinese.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

import jieba
import jieba.posseg

from visdesk.engines.embedded import question_text as qt
from visdesk.engines.embedded.lexicon import Cues, OperationRule, cues, lexicon

_ARTICLES = frozenset({"a", "an", "the", "some", "any", "each", "my", "his", "her", "their", "our", "your", "this"})
_CAPITAL_RUN = re.compile(r"(?<![\w'])([A-Z][\w'&.-]*(?:\s+(?:of|the|de|[A-Z][\w'&.-]*))*)")
_HOW_MUCH_ROW = re.compile(
    r"^\s*(?i:how much (?:is|are|does|do|was|were) (?:an? |the )?)(?P<row>(?!I\b)[A-Z][\w'&.-]*(?:\s+[\w'&.-]+){0,4}?)"
    r"(?i:\s+cost)?\s*[?？]?\s*$"
)
"""'How much is Power bank?': the thing priced is a row, even when its words name fields (power, bank)."""
_BETWEEN = re.compile(
    r"(?i)\b(?:between\s+(.+?)\s+and|from\s+(.+?)\s+to)\s+(.+?)(?=[?.,]|\s+(?:than|for|in|on|at)\b|$)"
)
_PLACE = re.compile(r"(?i)\b(?:on|at|in|for|from|to|by)\s+(?:the\s+)?([A-Z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*)*)")
_TOGETHER = re.compile(
    r"(?i)([\w' -]+?)\s+plus\s+([\w' -]+?)\s*(?=\b(?:together|combined|altogether|in total)\b|\?|$)"
    r"|([\w' -]+?)\s+and\s+([\w' -]+?)\s*(?=\b(?:together|combined|altogether|in total)\b)"
)
_ZH_PAIR = re.compile(
    r"([^和与及、，,\s]{1,12})[和与及、]([^和与及、，,\s]{1,12}?)(?=加起来|一共|总共|合计|共|的|占|是|有|多少|[?？]|$)"
)
_ZH_DAYS = re.compile(r"(?:周|星期|礼拜)[一二三四五六日天1-7]|\d{1,2}月(?:\d{1,2}[日号])?")
_ZH_CODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Z]{2,6}|[A-Za-z]{1,6}[-_]?\d[A-Za-z0-9-]*|\d+[A-Za-z]{1,3}\d*)(?![A-Za-z0-9])"
)
_ZH_KEEP = ("n", "v", "a", "eng", "j", "l", "i", "b", "z", "x")
_ZH_COMPARE = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{1,12}?)比([\u4e00-\u9fffA-Za-z0-9]{1,12}?)(?=多|少|贵|便宜|高|低|大|小|长|短|重|轻|早|晚)"
)
_AUX = frozenset({"does", "do", "did", "is", "are", "was", "were", "will", "would"})
_lock = threading.Lock()


@cache
def zh_tagger() -> Any:
    """A private jieba tokenizer that knows every zh alias as one word (loaded once, about a second)."""
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for entry in lexicon().fields.values():
            for alias in entry.aliases.get("zh", ()):
                tokenizer.add_word(alias, freq=200000, tag="n")
        for rule in cues("zh").operations:  # "占比", "中位数": one word each, so 比 inside them compares nothing
            for cue in rule.cues:
                if "…" not in cue and len(cue) > 1 and not lexicon().owners(cue):
                    tokenizer.add_word(cue, freq=100000, tag="c")
        return jieba.posseg.POSTokenizer(tokenizer)


def selectors(
    core: str, c: Cues, limits: list[qt.Threshold], context: str = ""
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[float, ...], set[str]]:
    """Rows (names, items, times, codes), columns (years), per-row counts, and the text spans they used.

    Items bought may sit in the context ("Amy bought 3.8 pounds of dill dip. How much did she spend?").
    """
    spans = [t.span for t in limits]
    if c.language == "zh":
        return _zh_selectors(core, c, spans[0] if spans else (-1, -1), limits)
    rows: list[str] = []
    columns: list[str] = []
    used: set[str] = {m.group(0) for m in qt.TIME.finditer(core)}
    rows += qt.times(core)
    between = _BETWEEN.search(core)
    sides = [re.sub(r"(?i)^the\s+", "", g.strip()) for g in between.groups() if g] if between else []
    if between and all(side[:1].isupper() or side[:1].isdigit() for side in sides):
        rows += sides  # "between 2019 and 2020", "between Monday and Friday"; not "between the maximum and …"
        used.add(between.group(0))
    for year in qt.periods(core):
        if year not in rows:
            (rows if year.startswith("Q") else columns).append(year)
    items, weights = _items(core, c)
    if not items and context:  # only a quantity bought there counts: "gets water from a reservoir" is not an item
        items, weights = _items(context, c)
        if not weights:
            items = []
    rows += items
    used |= set(items)
    priced = _HOW_MUCH_ROW.search(core)
    if priced and lexicon().owners(priced.group("row")):
        priced = None  # "How much is Total?" asks for the field
    if priced and not items:  # "How much is Power bank?": the thing priced, whatever words it holds
        rows.append(priced.group("row"))
        used.add(priced.group("row"))
    for m in () if items or priced else _CAPITAL_RUN.finditer(core):
        run = m.group(1).rstrip(".'")
        words = run.split()
        first_word = len(words)
        while words and words[0].casefold() in c.question_words | _ARTICLES:
            words = words[1:]
        opens = m.start() == 0 and len(words) == first_word  # the sentence's own first word, capitalised
        while words and words[-1].casefold() in ("of", "the", "de"):
            words = words[:-1]
        run = " ".join(words)
        calendar = run.casefold() in c.calendar
        opener = opens and len(words) == 1 and not calendar and not re.search(r"\d|^[A-Z]{2,}$", run)
        if len(run) < 2 or opener:
            continue  # a capital that only opens the sentence names nothing; "°C" is a unit
        if run.casefold() in c.question_words or qt.YEAR.fullmatch(run) or any(run in r for r in rows):
            continue
        if re.fullmatch(r"(?i)[AP]\.?M\.?|[AP]M", run):
            continue
        if any(a <= m.start(1) < b for a, b in spans):
            continue  # the threshold's own currency ("over RM50") names no row
        head, of, rest = run.partition(" of ")
        if of and rest and any(lexicon().kind(f) != "name" for f in lexicon().owners(head)):  # not "Bank of China"
            run = rest  # "the SKU of Yoga Mat": SKU names the field, Yoga Mat the row
        rows.append(run)
    for code in qt.model_numbers(core):
        at = core.find(code)
        if any(a <= at < b for a, b in spans):
            continue  # "over RM50" is the threshold, not a product code
        if code not in rows and not any(code in r for r in rows):
            rows.append(code)
    numeric_than = any(t.value is not None for t in limits)  # "fewer than 90" compares with a number
    together = _TOGETHER.search(core) if len(rows) < 2 else None
    if together:  # "Online plus South together?", "A and B combined"
        sides = [" ".join(w for w in g.split() if w.casefold() not in c.question_words) for g in together.groups() if g]
        rows += [side for side in sides if side and side not in rows]
    if len(rows) + len(columns) < 2 and " than " in core and not numeric_than:
        rows += [r for r in _than_sides(core, c) if r not in rows]
    for value, start, end in qt.numbers(core):
        raw = core[start:end]
        inside = any(s <= start < e for s, e in spans) or any(raw in r for r in rows + columns)
        if inside or qt.YEAR.fullmatch(raw) or re.match(r"\s?(?:am|pm|°)", core[end : end + 3], re.I):
            continue
        if weights and value in weights:
            continue
        rows.append(raw)
    used |= set(rows) | set(columns)
    return tuple(dict.fromkeys(rows)), tuple(dict.fromkeys(columns)), weights, used


@cache
def _item_verbs(verbs: tuple[str, ...]) -> re.Pattern[str]:
    """A buying verb followed by what is bought: "buy a couch", "buys 4 pounds", not "the order number"."""
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, verbs))})\b(?=\s+(?:a|an|the|some|\d))")


def _items(core: str, c: Cues) -> tuple[list[str], tuple[float, ...]]:
    """What is bought, with how many of each: "buy 8 A and 5 B" → ([A, B], (8, 5))."""
    verb = _item_verbs(c.item_verbs).search(core.casefold())
    if verb is None:
        return [], ()
    tail = core[verb.end() :]
    tail = re.split(r"(?i)[?!]|\.(?!\d)|\s(?:if|than|so|because|for \$)\s|,\s(?:how|what|will|does|is)\b", tail)[0]
    parts = re.split(r"(?i),\s*(?:and\s+)?|\s+and\s+|\s+plus\s+", tail)
    items: list[str] = []
    weights: list[float] = []
    for part in parts:
        words = part.strip().split()
        while words and words[0].casefold() in _ARTICLES:
            words = words[1:]
        count = 1.0
        if words:
            number = qt.NUMBER.fullmatch(words[0])
            if number:
                count = qt.to_number(number)
                words = words[1:]
        phrase = " ".join(words)
        phrase = _UNIT_OF.sub("", phrase) if count != 1.0 or phrase.casefold().startswith(_MEASURES) else phrase
        if phrase:
            items.append(phrase)
            weights.append(count)
    if not items:
        return [], ()
    return items, tuple(weights) if any(w != 1.0 for w in weights) else ()


_UNIT_OF = re.compile(r"^(?:[\w-]+\s){0,2}?of\s", re.I)
_MEASURES = (
    "piece of",
    "pieces of",
    "box of",
    "boxes of",
    "bag of",
    "bottle of",
    "pound of",
    "kilogram of",
    "sheet of",
)


def _than_sides(core: str, c: Cues) -> list[str]:
    """The two sides of "does a red kite cost than a blue kite": ["red kite", "blue kite"]."""
    left, right = core.split(" than ", 1)
    sides = []
    for side, is_left in ((left, True), (right, False)):
        words = [w.strip("?,.") for w in side.split()]
        if is_left:
            aux = max((i for i, w in enumerate(words) if w.casefold() in _AUX), default=-1)
            words = words[aux + 1 :]
        else:
            words = re.split(r"[?,.]", " ".join(words))[0].split()
        words = [w for w in words if w.casefold() not in _ARTICLES and w.casefold() not in ("on", "at", "in", "from")]
        if is_left and len(words) >= 2:
            words = words[:-1]  # the verb: "red kite cost"
        if words:
            sides.append(" ".join(words))
    return sides if len(sides) == 2 else []


def _zh_selectors(
    core: str, c: Cues, limit_span: tuple[int, int], limits: list[qt.Threshold]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[float, ...], set[str]]:
    rows: list[str] = []
    columns: list[str] = []
    for period in qt.periods(core):
        (rows if period.startswith("Q") else columns).append(period)
    rows += _ZH_DAYS.findall(core)
    for m in _ZH_CODE.finditer(core):
        if not qt.YEAR.fullmatch(m.group(1)) and not (limit_span[0] <= m.start() < limit_span[1]):
            rows.append(m.group(1))
    bare = next((t for t in limits if t.value is None and core[t.span[0] : t.span[1]].endswith("于")), None)
    if bare and len(rows) < 2:  # "拼多多的占比是否高于抖音": the first noun against what follows the comparator
        after = re.split(r"[？?，,。吗呢]", core[bare.span[1] :])[0].strip()
        before = re.split(r"的|是否|是不是|有没有|比", core[: bare.span[0]])[0].strip()
        rows += [r for r in (before, after) if r and r not in rows]
    compare = _ZH_COMPARE.search(core)
    if compare and not any(p.word == "比" for p in zh_tagger().cut(core, HMM=False)):
        compare = None  # "占比最大": 比 inside a word compares nothing
    if compare and len(rows) < 2:
        rows += [_zh_noun_tail(compare.group(1)), compare.group(2)]
    elif len(rows) < 2:
        rows += _zh_joined(core, c)
    pair = _ZH_PAIR.search(core) if len(rows) < 2 else None
    if pair:  # "物流太慢和质量问题加起来占多少": the two rows joined, whatever their parts of speech
        rows += [g for g in pair.groups() if g not in rows]
    rows = [r for r in rows if r]
    return tuple(dict.fromkeys(rows)), tuple(dict.fromkeys(columns)), (), set(rows) | set(columns)


def _zh_noun_tail(text: str) -> str:
    """The last noun phrase of `text` ("周一的销量比" → "周一"...): jieba words from the end while they are nouns."""
    words = list(zh_tagger().cut(text, HMM=False))
    out: list[str] = []
    for pair in reversed(words):
        if pair.flag.startswith(("n", "eng", "t", "m", "nr", "ns", "nz")) or (not out and pair.flag == "x"):
            out.insert(0, pair.word)
        elif out:
            break
    return "".join(out) or text


def _zh_joined(core: str, c: Cues) -> list[str]:
    """Nouns joined by 和/与/、 ("苹果和香蕉一共多少钱" → [苹果, 香蕉])."""
    words = list(zh_tagger().cut(core, HMM=False))
    groups: list[str] = []
    current = ""
    joined = False
    stops = {cue for rule in c.operations for cue in rule.cues} | c.question_words
    for pair in words:
        if pair.word in stops and current:  # "香蕉一共多少钱": the item ends at the cue word
            groups.append(current)
            current = ""
            if joined:
                break
            continue
        if pair.word in c.item_joiners:
            if current:
                groups.append(current)
                current = ""
                joined = True
            continue
        if pair.flag.startswith(("n", "eng", "t", "nr", "ns", "nz")) or (pair.flag == "m" and current):
            current += pair.word
        elif current:
            groups.append(current)
            current = ""
            if joined:
                break
    if current:
        groups.append(current)
    return groups[-2:] if joined and len(groups) >= 2 else []


def content_words(
    core: str, c: Cues, rule: OperationRule | None, used: set[str], found: list[tuple[int, str, tuple[str, ...]]]
) -> list[str]:
    """What is left once cues, selectors and question words are gone: phrases in order."""
    text = core.casefold()
    for span in sorted((u.casefold() for u in used if u), key=len, reverse=True):
        text = text.replace(span, " | ")
    cue_words = rule.cues if rule else ()
    if c.language == "en":
        hay = qt.padded(text)
        for cue in (*cue_words, *c.multiword_question_words):
            hay = qt.remove(hay, cue, "en")
        phrases: list[str] = []
        run: list[str] = []
        for word in [*hay.split(), "|"]:
            skip = word in c.question_words or word in _ARTICLES or word in c.yesno_openers or word in c.negations
            skip = skip or not any(ch.isalpha() for ch in word)
            if word == "|" or skip:
                if run:
                    phrases.append(" ".join(run))
                run = []
            else:
                run.append(word.strip("'"))
        return phrases
    for cue in cue_words:
        text = text.replace(cue, " | ")
    phrases = []
    current = ""
    for pair in zh_tagger().cut(text, HMM=False):
        word = pair.word.strip()
        keep = pair.flag.startswith(_ZH_KEEP) and any(ch.isalnum() for ch in word) and word not in c.negations
        if word and word != "|" and word not in c.question_words and keep:
            current += word
        elif current:
            phrases.append(current)
            current = ""
    if current:
        phrases.append(current)
    return phrases
