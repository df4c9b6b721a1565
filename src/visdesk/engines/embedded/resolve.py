"""The resolver: rank what a Document holds (facts, table cells, chart marks) against a QuerySpec.

Why one ranking for every kind of document: a customer's "tax", "税额" or "How much tax was
charged?" names a label the page prints in its own words; scoring every candidate by label
similarity × type fit × layout prior (and reporting a confidence) answers a document kind nobody
wrote a rule for, and lets the composer say honestly what is missing when nothing scores well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import snowballstemmer  # type: ignore[import-untyped]
from rapidfuzz import fuzz

from visdesk.domain import Box, OcrLine
from visdesk.engines.embedded.lexicon import FieldEntry, key, lexicon
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.perception import headings
from visdesk.perception.candidates import looks_like_label
from visdesk.perception.document import Cell, Chart, ChartMark, Document, Fact, Pairing, TableGrid, Value, ValueKind
from visdesk.perception.hanzi import simplified
from visdesk.perception.values import parse_value

THRESHOLD = 0.55
"""Below this confidence the composer does not state a value (it falls back or says what is missing)."""

_LAYOUT_PRIOR: dict[Pairing, float] = {
    "same_line": 1.0,
    "label_left": 0.95,
    "table_cell": 0.92,
    "label_above": 0.88,
    "parenthesised": 0.85,
    "standalone": 0.6,
}

_COMPATIBLE: dict[ValueKind, tuple[ValueKind, ...]] = {
    "money": ("number",),
    "number": ("money", "percent"),
    "percent": ("number",),
    "code": ("number", "phone"),
    "phone": ("code", "number"),
    "date": ("time",),
    "time": ("date",),
    "name": ("text",),
    "text": ("name",),
}

_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "is",
        "are",
        "was",
        "were",
        "what",
        "whats",
        "which",
        "who",
        "how",
        "much",
        "many",
        "does",
        "do",
        "did",
        "to",
        "in",
        "on",
        "for",
        "at",
        "by",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "my",
        "your",
        "me",
        "i",
        "please",
        "tell",
        "can",
        "could",
        "you",
        "show",
        "and",
        "or",
        "with",
        "from",
        "be",
        "has",
        "have",
        "been",
        "there",
        "number",
        "value",
    ]
)


@dataclass(frozen=True)
class Candidate:
    """One possible answer, with what names it and where it is printed."""

    label: str
    value: Value
    boxes: tuple[Box, ...]
    source: str  # "fact" | "cell" | "mark"
    score: float  # label similarity × type fit × layout prior, 0..1
    quote: str = ""  # the printed text to quote as evidence
    table: int = -1  # for cells: index of the table, row and column
    row: int = -1
    column: int = -1
    lines: tuple[tuple[str, Box], ...] = ()  # a value read off whole lines (an issuer, a title): each line quoted


@cache
def norm(text: str) -> str:
    """NFKC, case-folded, spaces and punctuation dropped: the form labels are compared in."""
    text = simplified(unicodedata.normalize("NFKC", text).casefold())  # OCR's 稅額 is the 税额 asked for
    return "".join(ch for ch in text if ch.isalnum())


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Content words (English, by stem: refunded → refund) and characters (Chinese), without question words."""
    found = _WORD.findall(simplified(unicodedata.normalize("NFKC", text).casefold()))
    return tuple(_stem(w) if w.isascii() and w.isalpha() and len(w) > 3 else w for w in found if w not in _STOP)


def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def _abbreviation(short: str, long_: str) -> bool:
    """'WBC' for 'White Blood Cell', 'QTY' for 'quantity' (initials or an ordered subsequence)."""
    s, lw = norm(short), [w for w in re.findall(r"[a-z]+", long_.casefold())]
    if not (2 <= len(s) <= 5) or not s.isalpha() or not lw:
        return False
    if "".join(w[0] for w in lw) == s:
        return True
    if len(lw) == 1 and lw[0][0] == s[0] and len(lw[0]) > len(s):
        it = iter(lw[0])
        return all(ch in it for ch in s)
    return False


_QUALIFIED = re.compile(r"\s*[（(][^（）()]{1,12}[）)]\s*")
QUALIFIED_ALIAS = 0.9
"""An alias matched without its bracketed qualifier ("金额（不含税）" meeting a printed 金额 column) counts a
little less than one matched whole."""


def similarity(target: str, label: str, aliases: Iterable[str] = ()) -> float:
    """0..1 likeness of the question's phrase and a printed label: exact, containment, shared words,
    abbreviations, character overlap; the best over the target and its lexicon aliases."""
    best = 0.0
    for phrase in (target, *aliases):
        best = max(best, _similar(phrase, label))
        bare = _QUALIFIED.sub("", phrase)
        if bare != phrase and bare:
            best = max(best, QUALIFIED_ALIAS * _similar(bare, label))
    return best


@lru_cache(maxsize=1 << 17)
def _similar(a: str, b: str) -> float:
    """(Cached: the same label meets the same aliases on every question about a page.)"""
    return _likeness(a, b)


def _likeness(a: str, b: str) -> float:
    na, nb = norm(a), norm(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    short, long_ = sorted((na, nb), key=len)
    score = 0.0
    if len(short) >= 2 and short in long_:
        # the asked phrase inside a longer label names it more precisely ("status" → "Order status"); a label
        # inside the asked phrase misses some of what was asked ("order status" → "Order #", "价税合计" → "合计")
        # (unless the label is the phrase's head: "boarding gate" → "Gate", "价税合计" → "合计")
        general = short == nb and not na.endswith(nb)
        score = 0.45 + 0.25 * len(short) / len(long_) if general else 0.72 + 0.25 * len(short) / len(long_)
    wa, wb = set(words(a)), set(words(b))
    if wa and wb:
        asked = len(wa & wb) / len(wa)  # how much of the question's phrase the label covers weighs most
        head = words(a)[-1:]  # the phrase's head noun printed ("boarding gate" → "Gate") names the same thing
        if head and head[0].isascii() and len(wa) > 1 and head[0] in wb:  # (a Chinese "word" is one character)
            asked = max(asked, 0.75)
        printed = len(wa & wb) / len(wb)
        score = max(score, 0.6 * asked + 0.35 * printed)
    if _abbreviation(a, b) or _abbreviation(b, a):
        score = max(score, 0.85)
    return max(score, 0.75 * fuzz.ratio(na, nb) / 100)


_DIGIT_STRING = re.compile(r"\d{2,}")


def value_fit(value: Value, expected: ValueKind | None) -> float:
    """`type_fit` of a printed value: a bare run of digits ("3850", "09") is a number and a code alike."""
    if expected == "code" and value.kind == "number" and _DIGIT_STRING.fullmatch(value.raw.strip()):
        return 0.95
    if expected == "code" and value.kind == "phone":
        return 0.9  # "5500-1182": an account number printed like a phone number
    return type_fit(value.kind, expected)


def type_fit(kind: ValueKind, expected: ValueKind | None) -> float:
    """1 when the value has the type the question expects, less for a neighbouring type."""
    if expected is None or kind == expected:
        return 1.0
    if kind in _COMPATIBLE.get(expected, ()):
        return 0.75
    return 0.35


def rank(document: Document, spec: QuerySpec, aliases: Iterable[str] = ()) -> list[Candidate]:
    """Every fact, table cell and chart mark, scored against the spec, best first."""
    phrase = spec.quoted or spec.target
    extra = tuple(aliases) or field_aliases(spec)
    asked_qualifiers = _qualifiers(spec.question)
    found: list[Candidate] = []
    for fact in document.facts:
        found.append(_from_fact(fact, phrase, extra, spec.expected, spec.keywords, asked_qualifiers))
    for t, table in enumerate(document.tables):
        found.extend(_from_table(t, table, spec, phrase, extra))
    for chart in document.charts:
        found.extend(_from_chart(chart, spec, phrase, extra))
    found.extend(_beside_printed_label(document, phrase, spec, extra))
    if not spec.quoted:
        found.extend(_entities(document, spec))
    found.sort(key=lambda c: c.score, reverse=True)
    return found


LABEL_LINE_SCORE = 0.8
"""A value read beside (or under) a line that is exactly the asked label, when no pairing proposed it."""


def _beside_printed_label(
    document: Document, phrase: str, spec: QuerySpec, aliases: tuple[str, ...]
) -> list[Candidate]:
    """A line printing exactly the label asked for ("移动电话", "Date Received") whose value the pairings
    missed (a form's cells): the nearest line to its right on the same row, else the line just below it."""
    asked = norm(phrase)
    if len(asked) < 2:
        return []
    out = []
    names = [phrase, *(a for a in aliases if len(norm(a)) >= 3 and not norm(a).isascii())]
    for line in document.lines:
        if norm(line.text.rstrip(":：")) != asked:
            inside = next(((n, v) for n in names if (v := _after_label_inside(line.text, n))), None)
            if inside:  # "… 身高 185cm …": the label printed inside a longer line, its value right after it
                label, raw = inside
                value = parse_value(raw, document.date_order)
                score = INSIDE_LINE_SCORE * value_fit(value, spec.expected) * (0.5 + 0.5 * line.score)
                out.append(Candidate(label, value, (line.box,), "fact", score, line.text))
            continue
        beside = _right_of(document.lines, line)
        if beside is not None and _is_a_label(beside.text, document):
            beside = None  # the next column's label ("座位号 登机时间" over "23F 08:45"): the value is below
        neighbour = beside or _below(document.lines, line)
        if neighbour is None or norm(neighbour.text) == asked or _is_a_label(neighbour.text, document):
            continue
        value = parse_value(neighbour.text, document.date_order)
        score = LABEL_LINE_SCORE * value_fit(value, spec.expected) * (0.5 + 0.5 * neighbour.score)
        out.append(Candidate(line.text, value, (line.box, neighbour.box), "fact", score,
                             f"{line.text} {neighbour.text}"))  # fmt: skip
    return out


INSIDE_LINE_SCORE = 0.7
"""A value read right after the asked label inside a longer line (a form's cells read as one line)."""


def _after_label_inside(text: str, label: str) -> str:
    """The token printed right after `label` inside `text` ("天津一小 身高 185cm" → "185cm"), or ''."""
    chars = [re.escape(ch) for ch in label if not ch.isspace()]
    if len(chars) < 2:
        return ""
    match = re.search(r"\s*".join(chars) + r"[\s:：]*", text, flags=re.IGNORECASE)
    if match is None or (match.start() == 0 and match.end() >= len(text)):
        return ""
    rest = text[match.end() :].strip()
    return rest.split()[0].strip(",，;；") if rest and match.end() > match.start() else ""


def _is_a_label(text: str, document: Document) -> bool:
    """Words that label something else on the page (a field name, or a line the page pairs with a value)."""
    if parse_value(text, document.date_order).kind not in ("text", "name"):
        return False
    return bool(lexicon().owners(text)) or any(norm(f.label) == norm(text) for f in document.facts if f.label)


def _right_of(lines: Iterable[OcrLine], label: OcrLine) -> OcrLine | None:
    height = label.box[3] - label.box[1]
    centre = (label.box[1] + label.box[3]) / 2
    same_row = [ln for ln in lines if ln is not label and abs((ln.box[1] + ln.box[3]) / 2 - centre) < 0.5 * height
                and ln.box[0] >= label.box[2] - 0.2 * height and ln.box[0] - label.box[2] < 12 * height]  # fmt: skip
    return min(same_row, key=lambda ln: ln.box[0], default=None)


def _below(lines: Iterable[OcrLine], label: OcrLine) -> OcrLine | None:
    height = label.box[3] - label.box[1]
    under = [ln for ln in lines if ln is not label and 0 <= ln.box[1] - label.box[3] < 1.5 * height
             and ln.box[0] < label.box[2] and ln.box[2] > label.box[0]]  # fmt: skip
    return min(under, key=lambda ln: ln.box[1], default=None)


ENTITY_SCORE = 0.66
"""An unlabelled value's score when its shape or type alone answers: above THRESHOLD, below a named label."""
_ROUTE = re.compile(r"^\s*(?P<a>[^→>—\-]{2,30}?)\s*(?:→|->|—>|⟶|⇀|➔|➝|=>|—|－|-|至)\s*(?P<b>[^→>—\-]{2,30}?)\s*$")


def _entities(document: Document, spec: QuerySpec) -> list[Candidate]:
    """Values printed with no label (tickets, passes, receipts): a whole line with the asked field's
    shape ("G1234", "05车12F号"), one end of an "A → B" route, or the page's only value of the asked
    type that no label names elsewhere. Each is proposed only when it is the one such value on the page,
    so it answers without guessing; a named label still outranks it."""
    book = lexicon()
    entries = [book.fields[f] for f in spec.fields if f in book.fields]
    out: list[Candidate] = []
    for entry in entries:
        title = _named(entry, spec)
        if entry.route:
            routes = [(i, m) for i, line in enumerate(document.lines) if (m := _ROUTE.match(line.text))]
            if len(routes) == 1:
                i, m = routes[0]
                side = m.group("a" if entry.route == "from" else "b").strip()
                line = document.lines[i]
                out.append(Candidate(title, Value("text", side), (line.box,), "fact",
                                     ENTITY_SCORE * (0.5 + 0.5 * line.score), line.text))  # fmt: skip
            continue
        marked = _inline(document, entry)
        if marked is not None:
            line, found = marked
            out.append(Candidate(title, Value(entry.kind, found), (line.box,), "fact",
                                 ENTITY_SCORE * (0.5 + 0.5 * line.score), line.text))  # fmt: skip
            continue
        if entry.shape is None:
            continue
        shaped = [line for line in document.lines if entry.shape.fullmatch(line.text.strip())]
        if len(shaped) == 1:
            line = shaped[0]
            value = Value("name" if entry.kind == "name" else entry.kind, _without_name(line.text.strip(), entry))
            out.append(Candidate(title, value, (line.box,), "fact",
                                 ENTITY_SCORE * (0.5 + 0.5 * line.score), line.text))  # fmt: skip
    sourced = [document.lines[i] for i in _sourced_lines(document, entries[0])] if entries else []
    if sourced:  # "What's the status?", "Which store is this from?": the line(s) that state it
        text = " ".join(line.text.strip() for line in sourced)
        score = ENTITY_SCORE * (0.5 + 0.5 * min(line.score for line in sourced))
        out.append(Candidate(_named(entries[0], spec), Value("text", text), tuple(line.box for line in sourced),
                             "fact", score, text, lines=tuple((line.text, line.box) for line in sourced)))  # fmt: skip
    expected = spec.expected or next((e.kind for e in entries), None)
    kinds: tuple[ValueKind, ...] = (expected,) if expected else ()
    unnamed = spec.operation is Operation.COMPARE and spec.threshold is not None and not entries
    if unnamed:
        kinds = (*kinds, *(k for k in ("money", "number") if k not in kinds))  # "Is it over RM50?": the one amount
    label = _named(entries[0], spec) if entries else ""
    for kind in kinds if not out else ():
        alone = list({_identity(f.value): f for f in reversed(document.facts)
                      if not f.label and f.value.kind == kind}.values())  # one per value, the first printed kept
        if not alone:  # the page's one value of the type, printed only beside a label ("DATE", "Amount")
            alone = [f for f in document.facts if f.value.kind == kind and (unnamed or not _names_a_field(f.label))]
            alone = alone[:1]
        typed = {_identity(f.value) for f in document.facts if f.value.kind == kind}
        named = {_identity(f.value) for f in document.facts if f.value.kind == kind and _names_a_field(f.label)}
        # the page's one value of the type, unless a label names it as something else ("Return ID"); a
        # comparison that names nothing ("Is it over RM50?") compares the page's one amount, labelled or not
        if len(alone) == 1 and len(typed) == 1 and (unnamed or _identity(alone[0].value) not in named):
            fact = alone[0]
            ocr = document.lines[fact.line].score if 0 <= fact.line < len(document.lines) else 1.0
            out.append(Candidate(label, fact.value, (fact.value_box,), "fact",
                                 ENTITY_SCORE * (0.5 + 0.5 * ocr), fact.value.raw))  # fmt: skip
            break
    if not out and not entries and expected == "date":
        out.extend(_first_date(document))
    return out


FIRST_DATE = 0.9
"""The first printed date's share of ENTITY_SCORE: "On what date was this purchase made?" names no field,
and a receipt or a form prints its own date before any other (a due or expiry date is labelled)."""


def _first_date(document: Document) -> list[Candidate]:
    dated = [f for f in document.facts if f.value.kind == "date" and f.value.date is not None]
    if not dated:
        return []
    book = lexicon()
    own = [f for f in dated if not any(book.kind(o) == "date" and o not in _PAGE_DATES for o in book.owners(f.label))]
    if not own:
        return []  # every date is a "Due date" or an "Expiry": none is the page's own date
    first = min(own, key=lambda f: (f.line if f.line >= 0 else 10**6, f.value_box[1], f.value_box[0]))
    ocr = document.lines[first.line].score if 0 <= first.line < len(document.lines) else 1.0
    return [Candidate("", first.value, (first.value_box,), "fact",
                      FIRST_DATE * ENTITY_SCORE * (0.5 + 0.5 * ocr), first.value.raw)]  # fmt: skip


_PAGE_DATES = frozenset({"date", "order_date", "invoice_date"})
"""Date fields that are the page's own date (a receipt's, an order's, an invoice's), not a deadline."""


def _names_a_field(label: str) -> bool:
    """Whether a printed label names a particular field ("Return ID", "Due date"), so the value under it is
    that field's and no answer to another; a generic label ("DATE", "日期", "Amount") names none."""
    book = lexicon()
    return looks_like_label(label) and key(label) not in book.generic


def _inline(document: Document, entry: FieldEntry) -> tuple[OcrLine, str] | None:
    """The one value the field's `inline` pattern marks on the page (a coach in "09车12F号"), with its line."""
    if entry.inline is None:
        return None
    found: dict[str, OcrLine] = {}
    for line in document.lines:
        for match in entry.inline.finditer(line.text):
            value = next((v for v in match.groupdict().values() if v), "")
            if value:
                found.setdefault(value, line)
    if len(found) != 1:
        return None
    value, line = next(iter(found.items()))
    return line, value


def _sourced_lines(document: Document, entry: FieldEntry) -> list[int]:
    """The lines a field with a `source` is printed as: the first status line, whoever issued the page, or
    its title (perception.headings)."""
    if entry.source == "status":
        return list(document.statuses[:1])
    title = next((i for i, line in enumerate(document.lines) if document.title and line.text == document.title), None)
    if entry.source == "issuer":
        return headings.issuer(document.lines, title)
    if entry.source == "title":
        return headings.titled(document.lines, title)
    return []


def _without_name(text: str, entry: FieldEntry) -> str:
    """A shaped line without the field's own word before the value ("Seat 14C" → 14C)."""
    for alias in sorted(entry.all_aliases(), key=len, reverse=True):
        if len(text) > len(alias) and text.casefold().startswith(alias.casefold()):
            return text[len(alias) :].strip(" :：") or text
    return text


def _named(entry: FieldEntry, spec: QuerySpec) -> str:
    """How the reply names the field: the customer's own words when they hold the field's name ("departure
    time", "座位号"), else the field's name ("Where am I sitting?" → seat)."""
    own = spec.target if entry.name in lexicon().owners(spec.target) else ""
    name = entry.display(spec.language)
    return own if own and key(name) in key(own) else name


def _identity(value: Value) -> object:
    """What makes two printed values the same value ("¥553.0" and "¥553.0元")."""
    if value.number is not None:
        return value.number
    if value.kind == "date" and value.date is not None:
        return value.date  # "01/05/2024 20:34" and "01/05/2024" are one date
    return value.time or value.date or norm(value.raw)


def field_aliases(spec: QuerySpec) -> tuple[str, ...]:
    """The lexicon's aliases (both languages) of the fields the question names: "electricity charge"
    meets a printed 电费, "账号" a printed 户号. Not for a quoted label, which is matched as printed."""
    if spec.quoted:
        return ()
    book = lexicon()
    # "the status of this order": the status is asked, the order only says whose; an ambiguous word asked
    # ("voltage": rated input or voltage) keeps every field it may name
    asked = tuple(dict.fromkeys((*spec.fields[:1], *(f for f in book.owners(spec.target) if f in spec.fields))))
    return tuple(dict.fromkeys(a for f in asked if f in book.fields for a in book.aliases(f)
                               if key(a) not in book.generic))  # fmt: skip


KEYWORD_BONUS = 0.08
"""Added to a label's similarity when it also holds another word of the question ("How many minutes did I
use?": `Minutes used` before `Data used`)."""


QUALIFIER_WEIGHT = 0.15
"""Added when a label holds the question's qualifier (剩余, remaining), taken when it holds another (已用)."""


def _qualifiers(text: str) -> frozenset[str]:
    """The qualifiers (remaining, used, total) a text names."""
    folded = text.casefold()
    return frozenset(name for name, words in lexicon().qualifiers.items() if any(_holds(folded, w) for w in words))


def _holds(folded: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", folded) is not None if word.isascii() else word in folded


def _from_fact(
    fact: Fact,
    phrase: str,
    aliases: tuple[str, ...],
    expected: ValueKind | None,
    keywords: tuple[str, ...] = (),
    qualifiers: frozenset[str] = frozenset(),
) -> Candidate:
    label_score = similarity(phrase, fact.label, aliases) if fact.label else 0.3
    if fact.label and any(len(norm(w)) >= 2 and mentioned(fact.label, w) >= 1.0 for w in keywords):
        label_score = min(1.0, label_score + KEYWORD_BONUS)
    if fact.label and qualifiers:
        printed = _qualifiers(fact.label)
        if printed & qualifiers:
            label_score = min(1.0, label_score + QUALIFIER_WEIGHT)
        elif printed - qualifiers:
            label_score = max(0.0, label_score - QUALIFIER_WEIGHT)
        else:
            label_score = max(0.0, label_score - QUALIFIER_WEIGHT / 3)  # "通话" when the question asks what is left
    score = label_score * value_fit(fact.value, expected) * _LAYOUT_PRIOR[fact.pairing] * (0.5 + 0.5 * fact.score)
    boxes = (fact.value_box,) if fact.label_box is None else (fact.label_box, fact.value_box)
    quote = f"{fact.label}: {fact.value.raw}" if fact.label else fact.value.raw
    return Candidate(fact.label, fact.value, boxes, "fact", score, quote)


def _from_table(t: int, table: TableGrid, spec: QuerySpec, phrase: str, aliases: tuple[str, ...]) -> list[Candidate]:
    """Cells named by their column header and by any cell of their row (a lab row named by its
    abbreviation, the value in the 结果 column)."""
    out = []
    row_selectors = spec.rows or (phrase, *_row_words(spec, phrase, aliases))
    col_selectors = spec.columns or (phrase,)
    col_scores = [max(similarity(s, h, aliases) for s in col_selectors) for h in table.columns]
    wordy = ("name", "text", "code")
    for row in table.cells:
        names = [c.text for c in row if c.value.kind in wordy]
        row_score = max((similarity(s, name) for s in row_selectors for name in names), default=0.0)
        typed = [c for c in row if spec.expected is not None and c.value.kind == spec.expected]
        for cell in row:
            col = col_scores[cell.column] if cell.column < len(col_scores) else 0.0
            if not col and typed == [cell] and cell.column != table.label_column:
                col = 0.8 * row_score  # "钢笔几支？": the row is named, the one cell of the asked type is its answer
            label_score = (
                max(col, row_score) * 0.6 + min(col, row_score) * 0.4
                if spec.rows or spec.columns
                else (0.5 * col + 0.5 * row_score if col and row_score else 0.6 * max(col, row_score))
            )
            if cell.column == table.label_column and spec.expected not in (None, "name", "text"):
                label_score *= 0.5  # the label cell names the row; it is rarely the answer
            score = label_score * value_fit(cell.value, spec.expected) * _LAYOUT_PRIOR["table_cell"]
            label = " / ".join(x for x in (cell.row_header, cell.column_header) if x)
            out.append(_cell_candidate(t, cell, label, score))
    return out


def _row_words(spec: QuerySpec, phrase: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """The question's other content words, without the field they were glued to ("笔记本单价" → 笔记本):
    they may name the row while the target names the column."""
    out = []
    for word in spec.keywords:
        for name in sorted((phrase, *aliases), key=len, reverse=True):
            if name and len(name) < len(word) and name.casefold() in word.casefold():
                word = word.casefold().replace(name.casefold(), " ").strip()
                break
        if word:
            out.append(word)
    return tuple(out)


def _cell_candidate(t: int, cell: Cell, label: str, score: float) -> Candidate:
    return Candidate(label, cell.value, (cell.box,), "cell", score, cell.text, t, cell.row, cell.column)


def _from_chart(chart: Chart, spec: QuerySpec, phrase: str, aliases: tuple[str, ...]) -> list[Candidate]:
    out = []
    for mark in chart.marks:
        if mark.value is None:
            continue
        score = _mark_score(mark, spec, phrase, aliases) * type_fit(mark.value.kind, spec.expected)
        boxes = (mark.box,) if mark.label_box is None else (mark.box, mark.label_box)
        label = " ".join(x for x in (mark.series, mark.category) if x)
        out.append(Candidate(label, mark.value, boxes, "mark", score, f"{label}: {mark.value.raw}"))
    return out


def _mark_score(mark: ChartMark, spec: QuerySpec, phrase: str, aliases: tuple[str, ...]) -> float:
    category = max((similarity(s, mark.category) for s in (*spec.rows, phrase)), default=0.0)
    if not mark.series:
        return category
    series = max((similarity(s, mark.series, aliases) for s in (*spec.series, phrase)), default=0.0)
    return 0.6 * category + 0.4 * series


def mentioned(text: str, label: str) -> float:
    """How clearly `label` (a row or category name) is mentioned inside the free text `text`."""
    nl, nt = norm(label), norm(text)
    if len(nl) >= 2 and nl in nt:
        return 1.0
    wl = words(label)
    if not wl:
        return 0.0
    wt = set(words(text))
    return sum(w in wt for w in wl) / len(wl)
