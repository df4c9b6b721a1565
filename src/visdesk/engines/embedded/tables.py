"""Questions over tables: superlatives ("which item is the cheapest?") and cell lookups ("how many X in stock?").

Why typed sorting: '¥1,299' must beat '¥89' and '2024-06-10' must beat '2024-05-28'; cells are
compared as amounts or dates, never as strings.
"""

from __future__ import annotations

import re

from visdesk.domain import Evidence, Perception, Table
from visdesk.engines.embedded.intents import Intent
from visdesk.engines.embedded.labels import SYNONYMS, normalise, similarity
from visdesk.engines.embedded.reply import Reply, ev_box
from visdesk.perception.facts import parse_amount

_IMPLIED = {  # superlative word → the column it is about
    "price": re.compile(r"贵|便宜|价|expensive|cheap|price|cost", re.IGNORECASE),
    "stock": re.compile(r"库存|stock|inventory", re.IGNORECASE),
    "quantity": re.compile(r"数量|quantity|qty", re.IGNORECASE),
    "date": re.compile(r"最晚|最早|最新|latest|earliest|most recent|date|日期|ships?\b|发货", re.IGNORECASE),
}
_DATE = re.compile(r"(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})")


def sort_key(cell: str) -> tuple[int, ...] | None:
    date = _DATE.search(cell)
    if date:
        return tuple(int(g) for g in date.groups())
    amount = parse_amount(cell)
    return None if amount is None else (round(amount * 100),)


_FLAG_QUESTION = re.compile(
    r"偏高|偏低|过高|过低|异常|不正常|超标|超出|above|below|flagged|abnormal|out of range|outside|too high|too low|"
    r"\bhigh\b|\blow\b",
    re.IGNORECASE,
)
_HIGH = re.compile(r"偏高|过高|↑|高|high|above", re.IGNORECASE)
_LOW = re.compile(r"偏低|过低|↓|低|low|below", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[-–~～]\s*(\d+(?:\.\d+)?)\s*$")


def row_flag(row: tuple[str, ...], name_col: int = 0) -> str | None:
    """'high' / 'low' from the value against a reference range, else from a flag cell (偏高, ↑, H); else None.

    The range comes first: in a tilted photo the flag column can slip to the neighbouring row.
    """
    value = next((parse_amount(cell) for c, cell in enumerate(row) if c != name_col and _plain_number(cell)), None)
    span = next((_RANGE.match(cell) for cell in row if _RANGE.match(cell)), None)
    if value is not None and span is not None:
        low, high = float(span.group(1)), float(span.group(2))
        return "high" if value > high else "low" if value < low else None
    for c, cell in enumerate(row):
        text = cell.strip()
        if c == name_col or not text or len(text) > 6 or any(ch.isdigit() for ch in text) or "/" in text:
            continue
        if text.upper() in ("H", "↑") or _HIGH.search(text):
            return "high"
        if text.upper() in ("L", "↓") or _LOW.search(text):
            return "low"
    return None


def _plain_number(cell: str) -> bool:
    return re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", cell) is not None


def _flagged(table: Table, question: str, name_col: int, lang: str) -> Reply | None:
    wanted = "low" if re.search(r"偏低|过低|below|\blow\b|too low", question, re.IGNORECASE) else "high"
    rows = [r for r, row in enumerate(table.rows) if row_flag(row, name_col) == wanted]
    if not rows and not re.search(r"偏高|过高|above|\bhigh\b", question, re.IGNORECASE):
        rows = [r for r, row in enumerate(table.rows) if row_flag(row, name_col)]
    if not rows:
        return None
    names = [table.rows[r][name_col] for r in rows]
    evidence = [e for r in rows for e in _evidence(table, r, tuple(range(len(table.rows[r]))))]
    details = ("；" if lang == "zh" else "; ").join(" ".join(c for c in table.rows[r] if c) for r in rows)
    text = f"{'、'.join(names)}（{details}）。" if lang == "zh" else f"{', '.join(names)} ({details})."
    return Reply(text=text, evidence=evidence, value=names[0])


def answer_table(intent: Intent, seen: Perception, question: str, lang: str) -> Reply | None:
    for table in seen.tables:
        if not table.header or not table.rows:
            continue
        name_col = _name_column(table)
        if _FLAG_QUESTION.search(question) and _row(table, question, name_col) is None:
            flagged = _flagged(table, question, name_col, lang)
            if flagged is not None:
                return flagged
        value_col = _column(table, question, intent, name_col)
        if intent.extreme and value_col is not None:
            return _superlative(table, value_col, name_col, intent.extreme, lang)
        row = _row(table, question, name_col)
        primary = Intent(kind=intent.kind, target=intent.target, fields=intent.fields[:1])
        fallback = row is None and value_col is not None and not intent.extreme and "total" not in intent.fields[:1]
        if fallback and _column(table, question, primary, name_col) == value_col:
            row = _total_row(table, name_col)  # "税额是多少？" on an invoice: the total line of that column
        if row is not None and value_col is None and _ASKS_PRICE.search(question):
            value_col = _header_for(table, "price", name_col)  # "How much is Desk Lamp?"
        if row is not None and value_col is None and not intent.fields and not intent.extreme:
            value_col = _value_column(table, name_col)
        if row is not None and value_col is not None and value_col != name_col:
            return _cell(table, row, value_col, name_col, lang)
    return None


def _column(table: Table, question: str, intent: Intent, name_col: int) -> int | None:
    """The column the question is about (never the item-name column)."""
    q = normalise(question)
    scores = []
    for c, header in enumerate(table.header):
        h = normalise(header)
        if c == name_col:
            scores.append(0.0)
            continue
        score = 1.0 if h and h in q else 0.0
        for rank, field in enumerate(intent.fields):  # the first field named is the one asked about
            score = max(score, (0.85 - 0.15 * rank) * max(similarity(header, alias) for alias in SYNONYMS[field]))
        for field, pattern in _IMPLIED.items() if intent.extreme else ():
            if pattern.search(question):
                aliases = SYNONYMS.get(field, ()) + SYNONYMS.get("ship_date", ()) * (field == "date")
                score = max(score, 0.9 * max((similarity(header, a) for a in aliases), default=0))
        scores.append(score)
    best = max(range(len(scores)), key=lambda c: scores[c])
    # 0.65: the field first named (weight 0.85) against a header with one misread character (0.8),
    # e.g. '参考范園' for 参考范围, still picks its column.
    return best if scores[best] >= 0.65 else None


_ASKS_PRICE = re.compile(r"how much|多少钱|几块钱|价格|价钱|price|cost", re.IGNORECASE)


def _header_for(table: Table, field: str, name_col: int) -> int | None:
    """The column whose header is one of `field`'s names."""
    scores = [max(similarity(h, a) for a in SYNONYMS[field]) for h in table.header]
    scores[name_col] = 0.0
    best = max(range(len(scores)), key=lambda c: scores[c])
    return best if scores[best] >= 0.8 else None


def _value_column(table: Table, name_col: int) -> int | None:
    """With a row named but no column ("甘油三酯是多少？"), the value asked for is the row's first
    numeric column (a lab report's 结果, a price list's price)."""
    for c in range(len(table.header)):
        cells = [row[c] for row in table.rows if c < len(row) and row[c]]
        if c != name_col and cells and sum(_plain_number(cell) for cell in cells) >= 0.6 * len(cells):
            return c
    return None


def _name_column(table: Table) -> int:
    """The column that names the rows: the leftmost whose cells are mostly words.

    'Words' rather than 'not numbers': an item called '充电宝 20000mAh' parses as an amount.
    """
    for c in range(len(table.header)):
        cells = [row[c] for row in table.rows if c < len(row) and row[c]]
        if cells and sum(_is_name(cell) for cell in cells) >= 0.6 * len(cells):
            return c
    for c in range(len(table.header)):
        if all(sort_key(row[c]) is None for row in table.rows if c < len(row) and row[c]):
            return c
    return 0


def _is_name(cell: str) -> bool:
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in cell)
    letters = sum(ch.isascii() and ch.isalpha() for ch in cell)
    digits = sum(ch.isdigit() for ch in cell)
    return cjk >= 2 or (letters >= 3 and letters > digits)


def _row(table: Table, question: str, name_col: int) -> int | None:
    q = normalise(question)
    best, best_score = None, 0.0
    for r, row in enumerate(table.rows):
        name = normalise(row[name_col]) if name_col < len(row) else ""
        if name and _inside_longer_label(name, q):
            continue  # "价税合计多少？" asks for 价税合计, not for the row called 合计
        score = 1.0 if name and name in q else max((similarity(row[name_col], w) for w in question.split()), default=0)
        if score > best_score:
            best, best_score = r, score
    return best if best_score >= 0.7 else None


def _inside_longer_label(name: str, question: str) -> bool:
    """Whether the question names `name` only as part of a longer known label."""
    return any(name in alias and len(alias) > len(name) and alias in question for alias in _ALIASES)


_ALIASES = tuple({normalise(a) for aliases in SYNONYMS.values() for a in aliases if len(normalise(a)) >= 2})


def _total_row(table: Table, name_col: int) -> int | None:
    """The last row labelled 合计 / Total (in the name column, or the first column)."""
    for r in range(len(table.rows) - 1, -1, -1):
        row = table.rows[r]
        for cell in dict.fromkeys(row[c] for c in (name_col, 0) if c < len(row)):
            if re.fullmatch(r"\s*(?:合\s*计?|总计|total|sum)\s*", cell, re.IGNORECASE):
                return r
    return None


def _superlative(table: Table, col: int, name_col: int, extreme: str, lang: str) -> Reply | None:
    keyed = [(k, r) for r, row in enumerate(table.rows) if col < len(row) and (k := sort_key(row[col])) is not None]
    if not keyed:
        return None
    pick = max if extreme == "max" else min
    _, r = pick(keyed, key=lambda kr: kr[0])
    row = table.rows[r]
    header = table.header[col]
    text = f"{row[name_col]}（{header}：{row[col]}）。" if lang == "zh" else f"{row[name_col]} ({header}: {row[col]})."
    return Reply(text=text, evidence=_evidence(table, r, (name_col, col)), value=row[name_col])


def _cell(table: Table, r: int, col: int, name_col: int, lang: str) -> Reply:
    row = table.rows[r]
    header = table.header[col]
    text = (
        f"{row[name_col]}的{header}是 {row[col]}。"
        if lang == "zh"
        else f"The {header} of {row[name_col]} is {row[col]}."
    )
    return Reply(text=text, evidence=_evidence(table, r, (col, name_col)), value=row[col])


def _evidence(table: Table, r: int, cols: tuple[int, ...]) -> list[Evidence]:
    out = []
    for c in cols:
        if table.cell_boxes and c < len(table.cell_boxes[r]):
            out.append(ev_box(table.rows[r][c], table.cell_boxes[r][c]))
    return out
