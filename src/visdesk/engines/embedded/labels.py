"""Field labels: a zh↔en synonym table and fuzzy label matching.

Why a table and n-grams rather than embeddings: a customer says "运单号" where the page prints
"快递单号", or "total" where a receipt prints "GRAND TOTAL (RM)"; a small curated table plus
character n-gram similarity covers these in microseconds, with no model to ship. The table is
the lexicon's (data/lexicon/*.toml, see `lexicon.py`), shared with the question parser.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from rapidfuzz import fuzz

from visdesk.engines.embedded.lexicon import lexicon

# canonical field → aliases (zh then en), read from data/lexicon/*.toml; the first alias names the field in answers
SYNONYMS: dict[str, tuple[str, ...]] = lexicon().synonyms()

# facts kinds (perception.extras["facts"]) that answer a field when no label is printed
FIELD_FACTS: dict[str, tuple[str, ...]] = {
    "tracking_no": ("tracking", "long_number"),
    "order_no": ("long_number",),
    "total": ("money",),
    "date": ("date",),
    "order_date": ("date",),
    "invoice_date": ("date",),
    "due_date": ("date",),
    "ship_date": ("date",),
    "production_date": ("date",),
    "error_code": ("error_code", "http_status"),
    "version": ("version",),
    "model": ("model",),
}

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@cache
def normalise(text: str) -> str:
    """NFKC, case-folded, without spaces and punctuation: '订单编号：' → '订单编号', 'Order No.' → 'orderno'."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_VARIANTS))


_ZERO_IN_WORD = re.compile(r"(?<=[a-z])0|0(?=[a-z]{2})")


def similarity(a: str, b: str) -> float:
    """0..1 likeness of two labels: exact, containment, then character n-gram overlap."""
    # In a label a zero touching letters is the letter O misread ('0rder #'); values are not labels.
    na, nb = (_ZERO_IN_WORD.sub("o", normalise(x)) for x in (a, b))
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= 2 and short in long_:
        return 0.75 + 0.2 * len(short) / len(long_)
    if len(na) == len(nb) >= 3 and sum(x != y for x, y in zip(na, nb, strict=True)) == 1:
        return 0.8  # one misread character in a label of three or more
    return 0.8 * fuzz.ratio(na, nb) / 100


def fields_in(text: str) -> list[str]:
    """Canonical fields named in `text`, best (longest alias) first."""
    norm = normalise(text)
    spaced = " " + " ".join(_PUNCT.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split()) + " "
    hits: dict[str, int] = {}
    for field, aliases in SYNONYMS.items():
        for alias in aliases:
            key = normalise(alias)
            if not key:
                continue
            if alias.isascii():  # English aliases match whole words: 'tel' is not inside 'hotel'
                words = " ".join(_PUNCT.sub(" ", alias.casefold()).split())
                found = re.search(rf"(?<![a-z]){re.escape(words)}s?(?![a-z])", spaced) is not None
            else:
                found = key in norm
            if found:
                hits[field] = max(hits.get(field, 0), 0 if key in _GENERIC else len(key))
    # A generic word ("amount", "金额") names a field only when nothing more specific is named:
    # "tax amount" is the tax, "order amount" the order total.
    return sorted(hits, key=lambda f: -hits[f])


_GENERIC = {  # question words that name a kind of value, not a field: a specific field named beside them wins
    "amount", "金额", "数额", "value", "数值", "howmuch",
    "when", "whatday", "whichday", "什么时候", "哪天", "哪一天", "几号",
}  # fmt: skip


_VARIANTS = str.maketrans(
    {"稅": "税", "凈": "净", "後": "后", "單": "单", "號": "号", "碼": "码", "額": "额", "購": "购"}
)


_ZERO_AS_O = re.compile(r"\b0(?=[a-z]{2})|(?<=[A-Za-z])0(?=[A-Za-z])")


def display_label(label: str, lang: str) -> str:
    """The printed label, or the field's name in the answer's language when the label is in the other one."""
    label = _ZERO_AS_O.sub(lambda m: "O" if m.start() == 0 or label[m.start() - 1] == " " else "o", label)
    if not label or label.isascii() == (lang == "en"):
        return label
    best, best_score = None, 0.0
    for field, aliases in SYNONYMS.items():
        for alias in aliases:
            score = similarity(label, alias)
            if score > best_score:
                best, best_score = field, score
    if best is None or best_score < 0.95:
        return label
    wanted = next((a for a in SYNONYMS[best] if a.isascii() == (lang == "en")), None)
    if wanted is None:
        return label
    return f"{wanted}（{label}）" if lang == "zh" else f"{wanted} ({label})"


def label_score(label: str, target: str, fields: list[str]) -> float:
    """How well a printed label answers a question about `target` (or any of the named fields)."""
    best = similarity(label, target) if target else 0.0
    for rank, field in enumerate(fields[:3]):
        penalty = 0.15 * rank
        for alias in SYNONYMS[field]:
            best = max(best, similarity(label, alias) - penalty)
    return best
