"""Yes/no by what the page shows: "Does the package show a CE mark?", "这个产品有3C认证吗？", "Did it fail
because of the card limit?", "Is Desk Lamp in stock?", "Is my Triglycerides normal?".

Why one operation: whatever the document, a presence question asks whether something is printed (a
mark, a word, a cause), and a question about a named table row asks what that row says (a stock
count above zero, a value within its range). The question's framing words (data/cues: presence
noise) are removed, the rest is looked for on every line, also in the other language through the
concept pairs of data/lexicon/concepts.toml; a short mark ("CE", "3C") counts only as a whole token.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from visdesk.domain import OcrLine
from visdesk.engines.embedded.lexicon import concepts, cues, lexicon
from visdesk.engines.embedded.operations import Outcome, lookup
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.resolve import norm, similarity
from visdesk.engines.embedded.row_states import row_box, row_state
from visdesk.perception.document import Cell, Document, TableGrid
from visdesk.perception.values import parse_value

PRESENT = 0.6
"""Share of the asked words' character pairs a line must hold for the thing to count as shown."""
_ANSWER_FORMAT = re.compile(r"[（(][^）)]*(?:是|否|yes|no)[^）)]*[）)]", re.IGNORECASE)  # "（回答是/否）"
_PUNCT = re.compile(r"[?？。，,.!！:：;；“”\"'()（）]")


def verify_presence(document: Document, spec: QuerySpec) -> Outcome | None:
    """A yes/no answered by a named table row, else by whether the page prints what the question names."""
    if spec.operation is not Operation.VERIFY or not document.lines:
        return None
    core = _core(spec.question, spec.language)
    variants = _variants(core)
    line, score = _best_line(document.lines, variants)
    mark = _named_mark(document.lines, spec.question, variants)
    if mark is not None and score < 1.0:
        line, score = mark, 1.0
    if score < PRESENT:
        cause = _cause_line(document.lines, spec.question, spec.language)
        if cause is not None:
            line, score = cause, 0.7
    if line is not None and score >= PRESENT:
        return Outcome(Operation.VERIFY, line.text, "", verdict=True, evidence=[(line.text, line.box)],
                       confidence=score, phrase="shown")  # fmt: skip
    asked = _asked(spec.question, spec.language) or core
    return Outcome(Operation.VERIFY, asked, "", verdict=False, confidence=0.8, phrase="not_shown")


def _strip(question: str, language: str) -> str:
    text = _ANSWER_FORMAT.sub(" ", question)
    for word in cues("zh" if language == "zh" else "en").presence_noise:
        if word.isascii() and word[:1].isalnum():
            text = re.sub(rf"(?i)(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", " ", text)
        else:
            text = text.replace(word, " ")
    return _PUNCT.sub(" ", text)


def _core(question: str, language: str) -> str:
    """What the question names, in the form lines are compared in ("certified organic" → certifiedorganic)."""
    return norm(_strip(question, language))


def _asked(question: str, language: str) -> str:
    """What the question names, as the customer wrote it (quoted in a 'not shown' reply)."""
    return " ".join(_strip(question, language).split())


def _variants(core: str) -> set[str]:
    found = {core} if core else set()
    for zh, en in concepts():
        if zh in core:
            found.add(norm(core.replace(zh, en)))
            found.add(norm(en))
        if norm(en) in core:
            found.add(zh)
    return found


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def _best_line(lines: Sequence[OcrLine], variants: set[str]) -> tuple[OcrLine | None, float]:
    best, best_score = None, 0.0
    for line in lines:
        text = norm(line.text)
        for variant in variants:
            if not variant:
                continue
            if len(variant) <= 3 and variant.isascii():  # "3c", "ce" count only as a whole token: "ccc" ∉ "FCC"
                score = 1.0 if _token(line.text, variant) else 0.0
            elif variant in text:
                score = 1.0
            else:
                grams = _bigrams(variant)
                score = len(grams & _bigrams(text)) / len(grams)
            if score > best_score:
                best, best_score = line, score
    return best, best_score


def _token(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z])", text.casefold()) is not None


def _named_mark(lines: Sequence[OcrLine], question: str, variants: set[str]) -> OcrLine | None:
    """A short printed mark ("CE", "3C", "ORGANIC") that the question names as a whole word."""
    asked = " " + " ".join(re.sub(r"[^\w]+", " ", question.casefold()).split()) + " " + " ".join(variants) + " "
    for line in lines:
        mark = norm(line.text)
        if 2 <= len(mark) <= 12 and (_token(asked, mark) if mark.isascii() else mark in norm(asked)):
            return line
    return None


def _cause_line(lines: Sequence[OcrLine], question: str, language: str) -> OcrLine | None:
    """'Did it fail because of the card limit?': the line holding most of the cause's words, its head noun
    ("limit", "限额") among them; or a line printing a lexicon alias of the field the cause names."""
    marker = next((m for m in cues("zh" if language == "zh" else "en").causes if m in question.casefold()), "")
    if not marker:
        return None
    cause = _strip(question.casefold().split(marker, 1)[-1], language)
    latin = [w for w in re.findall(r"[a-z0-9]{3,}", cause) if w not in ("fail", "failed", "why")]
    chinese = norm("".join(re.findall(r"[\u4e00-\u9fff]+", cause))).replace("超过", "超出")
    words = latin + [chinese[i : i + 2] for i in range(0, len(chinese) - 1, 2)]
    if words:
        scored = [(sum(w in _near(line.text) for w in words) / len(words), line) for line in lines]
        share, best = max(scored, key=lambda s: s[0])
        if share >= 0.5 and words[-1] in _near(best.text):
            return best
    return _by_field(lines, cause)


def _near(text: str) -> str:
    return norm(text).replace("超过", "超出")  # 超过 ≈ 超出 (exceeds)


def _by_field(lines: Sequence[OcrLine], cause: str) -> OcrLine | None:
    """The cause named in the other language: 'card limit' on a page printing '单笔支付限额'."""
    book = lexicon()
    owners = [f for f in book.fields if any(a.casefold() in cause for a in book.aliases(f) if len(a) >= 4)]
    for field in owners[:1]:
        aliases = [norm(a) for a in book.aliases(field) if len(norm(a)) >= 2 and norm(a) not in book.generic]
        for line in lines:
            if any(alias in norm(line.text) for alias in aliases):
                return line
    return None


# ---------------------------------------------------------------- a named table row


def verify_value(document: Document, spec: QuerySpec) -> Outcome | None:
    """'Is my seat 14A?', '登机口是G11吗？': the field looked up, then compared with the value claimed."""
    if spec.operation is not Operation.VERIFY or not spec.fields or not spec.rows or spec.state:
        return None
    claimed = spec.rows[-1]
    if not re.search(r"\d", claimed):
        return None  # a claimed value is printed with digits (a seat, a gate, an amount); a name is a row
    found = lookup(document, replace(spec, operation=Operation.LOOKUP, rows=spec.rows[:-1], claim=""))
    if found is None:
        return None
    same = norm(found.value) == norm(claimed) or (
        found.number is not None and parse_value(claimed).number == found.number and norm(claimed).isdigit()
    )
    label = lexicon().fields[spec.fields[0]].display(spec.language) if spec.fields[0] in lexicon().fields else ""
    return Outcome(Operation.COMPARE, found.value, label, found.number, verdict=same, evidence=found.evidence)


def row_yesno(document: Document, spec: QuerySpec) -> Outcome | None:
    """'Is Desk Lamp in stock?' → the row's stock above zero; 'Is my Triglycerides normal?' → its value in range."""
    state = spec.state
    if state not in ("in_stock", "out_of_stock", "normal", "abnormal"):
        return None
    asked = norm(spec.question)
    for table in document.tables:
        for row in table.cells:
            name = next((c.text for c in row if c.column == table.label_column), "")
            if len(norm(name)) < 2 or norm(name) not in asked:
                continue
            verdict = _row_verdict(table, row, state)
            if verdict is None:
                continue
            quote = " | ".join(c.text for c in row if c.text)
            return Outcome(Operation.VERIFY, quote, "", verdict=verdict, evidence=[(quote, row_box(row))], phrase="row")
    return None


def _row_verdict(table: TableGrid, row: Sequence[Cell], state: str) -> bool | None:
    if state in ("normal", "abnormal"):
        flagged = row_state(row, table.label_column) is not None
        return flagged if state == "abnormal" else not flagged
    aliases = lexicon().aliases("stock")
    column = max(range(len(table.columns)), key=lambda c: similarity("stock", table.columns[c], aliases), default=None)
    if column is None or similarity("stock", table.columns[column], aliases) < 0.7:
        return None
    cell = next((c for c in row if c.column == column), None)
    if cell is None or cell.value.number is None:
        return None
    in_stock = cell.value.number > 0
    return in_stock if state == "in_stock" else not in_stock
