"""Generic operations over ranked candidates, table columns and chart series.

Why generic: "How many more on Saturday than on Friday?", "What is the median?", "Is the total over
100?" are the same few operations whatever the document is (a receipt, a lab report, a sales
table, a bar chart): select cells by row / column selectors, then aggregate (TAPAS-style). Each
operation returns an `Outcome` — the value, how it was reached, the cells it used — and the reply
module words it; no operation knows a document kind.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from visdesk.domain import Box, OcrLine
from visdesk.engines.embedded.lexicon import lexicon
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.resolve import THRESHOLD, Candidate, mentioned, norm, rank, similarity, words
from visdesk.perception.document import Cell, Chart, Document, TableGrid, Value
from visdesk.perception.values import find_values

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "a": 1, "an": 1}  # fmt: skip
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?(?:\s*\+\s*\d+/\d+|\s+\d+/\d+)?|\d+/\d+)\s*$")
_NUMBER_IN_TEXT = re.compile(r"[-−]?\$?\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Point:
    """One numeric item an aggregate runs over: its name (row label / category), value and box."""

    label: str
    number: float
    box: Box
    quote: str


@dataclass
class Outcome:
    """What an operation found: the answer value (as it should be said), whether it is yes/no, and the evidence."""

    operation: Operation
    value: str
    label: str = ""  # what the value is of ("mean", the column header, the field label …)
    number: float | None = None
    verdict: bool | None = None  # VERIFY / COMPARE
    evidence: list[tuple[str, Box]] = field(default_factory=list)
    confidence: float = 1.0
    computed: bool = False  # worked out from several cells (a product, a ratio), not one printed value
    detail: str = ""  # argmax/argmin: the printed value of the row named ("2024-06-10", "91%")
    negated: bool = False  # VERIFY: the question was negated ("Wasn't it approved?", "没有通过吗？")
    names_rows: bool = False  # the value names rows (their labels), `detail` what those rows print
    phrase: str = ""  # VERIFY: how the verdict is said ("shown", "not_shown", "row"); "" for a printed state


def fmt(number: float) -> str:
    """A computed number as a person writes it: 7, 8.2, 63,635, -5."""
    rounded = round(number, 2)
    if abs(rounded - round(rounded)) < 1e-9:
        return f"{round(rounded):,}"
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def parse_quantity(text: str) -> float | None:
    """'4+1/10' → 4.1, '2 1/2' → 2.5, '3.8' → 3.8, '3/4' → 0.75."""
    text = text.strip().replace(" + ", "+")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s*\+\s*|\s+)(\d+)/(\d+)", text)
    if m:
        return float(m.group(1)) + int(m.group(2)) / max(1, int(m.group(3)))
    m = re.fullmatch(r"(\d+)/(\d+)", text)
    if m:
        return int(m.group(1)) / max(1, int(m.group(2)))
    try:
        return float(text)
    except ValueError:
        return None


# ---------------------------------------------------------------- tables → points


def magnitude(value: Value) -> float | None:
    """What a value is ordered by: its number, or a date as a day count (the latest ship date)."""
    if value.number is not None:
        return value.number
    return float(value.date.toordinal()) if value.date is not None else None


def numeric_columns(table: TableGrid) -> list[int]:
    """Columns most of whose body cells hold a number (money, number, percent) or a date."""
    out = []
    for c in range(len(table.columns)):
        cells = table.column(c)
        numeric = sum(magnitude(cell.value) is not None for cell in cells)
        if cells and numeric >= max(1, len(cells) * 0.6):
            out.append(c)
    return out


def is_stem_leaf(table: TableGrid) -> bool:
    heads = [norm(h) for h in table.columns]
    return len(heads) >= 2 and "stem" in heads[0] and "leaf" in heads[1]


def stem_leaf_points(table: TableGrid) -> list[Point]:
    """Every value of a stem-and-leaf plot: stem 3, leaves '0 4 4' → 30, 34, 34."""
    points = []
    for row in table.cells:
        if len(row) < 2:
            continue
        stem = re.sub(r"\D", "", row[0].text)
        if not stem:
            continue
        for leaf in re.findall(r"\d", row[1].text):
            points.append(Point(stem, float(stem + leaf), row[1].box, f"{row[0].text} | {row[1].text}"))
    return points


def frequency_column(table: TableGrid) -> int | None:
    """The column of counts in a frequency table ('Frequency', 'Number of …', 'Tally' excluded)."""
    for c, head in enumerate(table.columns):
        if re.search(r"frequen|频数|频率|次数|count", head, re.I):
            return c
    return None


def choose_column(table: TableGrid, spec: QuerySpec, question: str) -> int | None:
    """The numeric column the question means: the best-named one, else the last numeric column."""
    numeric = [c for c in numeric_columns(table) if c != table.label_column]
    if not numeric:
        return None
    named = [*spec.columns, spec.target, *(a for f in spec.fields for a in _aliases(f))]
    named = [n for n in named if n]
    scored = [(max((similarity(s, table.columns[c]) for s in named), default=0.0),
               mentioned(question, table.columns[c]), c) for c in numeric]  # fmt: skip
    best = max(scored, key=lambda s: (max(s[0], s[1]), s[2]))
    if max(best[0], best[1]) >= 0.6:
        return best[2]
    return _implied_column(table, spec, numeric) or numeric[-1]


def _implied_column(table: TableGrid, spec: QuerySpec, numeric: Sequence[int]) -> int | None:
    """A column the question implies without naming it: the one money column when money is asked
    ('What does 3 notebooks cost?' → Price), the quantity column when a plain count is asked
    ('How many items in total?' → Qty)."""
    if spec.operation is Operation.COUNT and _plain_count(spec):
        qty = quantity_column(table)
        if qty is not None and qty in numeric:
            return qty
    if spec.expected == "money":
        money = [c for c in numeric if _mostly(table, c, "money")]
        if len(money) == 1:
            return money[0]
    return None


def _mostly(table: TableGrid, column: int, kind: str) -> bool:
    cells = table.column(column)
    return bool(cells) and sum(c.value.kind == kind for c in cells) >= len(cells) * 0.6


def quantity_column(table: TableGrid) -> int | None:
    """The column of how many of each row (Qty, 数量, 件数): a count sums it, a total cost weights by it."""
    names = _aliases("quantity")
    for c, head in enumerate(table.columns):
        if c != table.label_column and head and max((similarity(n, head) for n in names), default=0.0) >= 0.8:
            return c
    return None


_KINDS = re.compile(r"\b(?:kinds?|types?|sorts?|different|distinct)\b|几种|多少种|几类|多少类|几样|多少样|哪几种", re.I)
"""A count of rows ('How many kinds of items …', '有几种零件？'), not of the units a quantity column adds up."""


def _plain_count(spec: QuerySpec) -> bool:
    """A count with no bound ('How many items in total?'), as opposed to 'How many … more than 5?'."""
    return spec.threshold is None and spec.comparator is None and not question_numbers(spec.question)


def column_is_guessed(table: TableGrid, spec: QuerySpec, column: int) -> bool:
    """Several numeric columns and none named: the operation ran over a guess."""
    numeric = [c for c in numeric_columns(table) if c != table.label_column]
    named = [*spec.columns, spec.target, *(a for f in spec.fields for a in _aliases(f))]
    head = table.columns[column] if column < len(table.columns) else ""
    named_score = max((similarity(n, head) for n in named if n), default=0.0)
    if _implied_column(table, spec, numeric) == column:
        return False
    return len(numeric) > 1 and max(named_score, mentioned(spec.question, head)) < 0.6


def _aliases(field_name: str) -> tuple[str, ...]:
    from visdesk.engines.embedded.lexicon import lexicon

    try:
        return lexicon().aliases(field_name)
    except KeyError:
        return ()


def row_points(table: TableGrid, column: int) -> list[Point]:
    points = []
    for row in table.cells:
        cell = next((c for c in row if c.column == column), None)
        number = magnitude(cell.value) if cell is not None else None
        if cell is None or number is None:
            continue
        label = _row_label(table, row)
        points.append(Point(label, number, cell.box, f"{label}: {cell.text}" if label else cell.text))
    return points


def _row_label(table: TableGrid, row: Sequence[Cell]) -> str:
    label = next((c.text for c in row if c.column == table.label_column), "")
    return label or (row[0].row_header if row else "")


def selected_rows(points: list[Point], spec: QuerySpec, question: str) -> list[Point]:
    """Points whose label the question (or its row selectors) names, in the order the question names them."""
    by_spec = [max(points, key=lambda p, s=s: similarity(s, p.label)) for s in spec.rows if points]  # type: ignore[misc]
    if (
        spec.rows
        and len(by_spec) == len(spec.rows)
        and all(similarity(s, p.label) >= 0.7 for s, p in zip(spec.rows, by_spec, strict=True))
        and len({id(p) for p in by_spec}) == len(by_spec)
    ):
        return by_spec
    hits: list[tuple[int, Point]] = []
    text = norm(question)
    for point in points:
        if not point.label:
            continue
        by_selector = max((similarity(s, point.label) for s in spec.rows), default=0.0)
        if by_selector >= 0.8 or mentioned(question, point.label) >= 0.99:
            position = text.find(norm(point.label))
            hits.append((position if position >= 0 else 10**6, point))
    hits.sort(key=lambda h: h[0])
    # 'Monday' inside 'Monday and Tuesday' is one mention; a label contained in a longer hit is dropped
    labels = [norm(p.label) for _, p in hits]
    kept = [p for (_, p), lab in zip(hits, labels, strict=True) if not any(lab != o and lab in o for o in labels)]
    return kept


def quantities(question: str, labels: list[str]) -> dict[str, float]:
    """'buys 8 Caribbean vacation packages and 5 European …' → {label: 8, …}: the number printed just
    before a row's mention (units and 'pounds of' in between are allowed)."""
    out: dict[str, float] = {}
    lower = question.casefold()
    for label in labels:
        key = norm(label)
        found = re.search(r"[\s\W]*".join(map(re.escape, key)), lower) if key else None
        if found is None:
            first = label.casefold().split()[0] if label.split() else ""
            found = re.search(re.escape(first), lower) if first else None
        if found is None:
            continue
        at = found.start()
        before = lower[max(0, at - 40) : at]
        before = re.sub(r"\b(?:pounds?|kilograms?|kg|lbs?|ounces?|oz|grams?|g|liters?|litres?|meters?|feet|yards?|"
                        r"tickets?|boxes|box|bags?|of|the)\s*$", "", before.strip()).strip()  # fmt: skip
        before = re.sub(r"\b(?:pounds?|kilograms?|kg|lbs?|ounces?|oz|grams?|liters?|meters?|yards?)\s*$", "",
                        before).strip()  # fmt: skip
        m = _QUANTITY.search(before)
        if m:
            qty = parse_quantity(m.group(1))
            if qty is not None:
                out[label] = qty
                continue
        word = before.split()[-1] if before.split() else ""
        if word in _NUMBER_WORDS and word not in ("a", "an"):
            out[label] = float(_NUMBER_WORDS[word])
    return out


def question_numbers(question: str, exclude: Sequence[str] = ()) -> list[float]:
    """Numbers the customer wrote (thresholds, budgets), outside the row labels."""
    text = question
    for label in exclude:
        text = re.sub(re.escape(label), " ", text, flags=re.I)
    text = re.sub(r"choices:.*$", "", text, flags=re.I | re.S)
    return [
        float(m.group(0).replace("$", "").replace(",", "").replace("−", "-")) for m in _NUMBER_IN_TEXT.finditer(text)
    ]


# ---------------------------------------------------------------- aggregates


def aggregate(operation: Operation, numbers: list[float]) -> float | None:
    if not numbers:
        return None
    if operation is Operation.SUM:
        return sum(numbers)
    if operation is Operation.MEAN:
        return statistics.fmean(numbers)
    if operation is Operation.MEDIAN:
        return statistics.median(numbers)
    if operation is Operation.MODE:
        counts = Counter(numbers).most_common()
        return counts[0][0]
    if operation is Operation.RANGE:
        return max(numbers) - min(numbers)
    if operation is Operation.ARGMAX:
        return max(numbers)
    if operation is Operation.ARGMIN:
        return min(numbers)
    return None


_AGGREGATES = (Operation.SUM, Operation.MEAN, Operation.MEDIAN, Operation.MODE, Operation.RANGE)
_LABELS = {Operation.SUM: "total", Operation.MEAN: "mean", Operation.MEDIAN: "median", Operation.MODE: "mode",
           Operation.RANGE: "range", Operation.ARGMAX: "largest", Operation.ARGMIN: "smallest",
           Operation.DIFFERENCE: "difference", Operation.RATE: "rate of change", Operation.COUNT: "count"}  # fmt: skip


def holds(number: float, comparator: str, threshold: float) -> bool:
    return {
        ">": number > threshold, ">=": number >= threshold, "<": number < threshold,
        "<=": number <= threshold, "=": abs(number - threshold) < 1e-9, "!=": abs(number - threshold) >= 1e-9,
    }[comparator]  # fmt: skip


def _evidence(points: Sequence[Point]) -> list[tuple[str, Box]]:
    """The printed cells used, each with its own box (evidence quotes what the image prints)."""
    return [(_printed(p), p.box) for p in points[:6]]


def on_table(table: TableGrid, spec: QuerySpec) -> Outcome | None:
    """Run the spec's operation over one table (stem-and-leaf and frequency tables included); an
    outcome over a column the question did not name, among several, is not confident."""
    outcome = _on_table(table, spec)
    column = choose_column(table, spec, spec.question)
    if (
        outcome is not None
        and column is not None
        and not is_stem_leaf(table)
        and column_is_guessed(table, spec, column)
    ):
        outcome.confidence = min(outcome.confidence, 0.5)
    if outcome is not None and column is not None and outcome.operation is not Operation.COUNT:
        outcome.value = as_money(table, column, outcome)
    return outcome


_MONEY_AFFIX = re.compile(r"^([^\d\s.,-]*)\s*[\d.,]+\s*([^\d\s.,]*)$")


def as_money(table: TableGrid, column: int, outcome: Outcome) -> str:
    """A number worked out of a money column said as money, in the column's currency: '$16.30', not
    '16.3' (a customer reads a bare number as a count)."""
    number = outcome.number
    if number is None or outcome.value != fmt(number) or not _mostly(table, column, "money"):
        return outcome.value
    printed = next((c.value.raw for c in table.column(column) if c.value.kind == "money"), "")
    affix = _MONEY_AFFIX.match(printed.strip())
    if affix is None:
        return outcome.value
    sign = "-" if number < 0 else ""
    return f"{sign}{affix.group(1)}{abs(number):,.2f}{affix.group(2)}"


def _on_table(table: TableGrid, spec: QuerySpec) -> Outcome | None:
    question = spec.question
    op = spec.operation
    if is_stem_leaf(table):
        return _on_values(stem_leaf_points(table), spec, by_value=True)
    if op is Operation.LOOKUP:
        scaled = _proportional(table, spec)
        if scaled is not None:
            return scaled
    if op is Operation.FRACTION:
        return _fraction(table, spec)
    column = choose_column(table, spec, question)
    if column is None:
        return None
    points = row_points(table, column)
    freq = frequency_column(table)
    if freq is not None and freq == column and op in (*_AGGREGATES, Operation.COUNT) and op is not Operation.SUM:
        expanded = _expand_frequency(table, freq)
        if expanded:
            return _on_values(expanded, spec, by_value=True)
    chosen = selected_rows(points, spec, question)
    label_col = table.columns[column] if column < len(table.columns) else ""
    if op is Operation.COUNT and freq is not None and spec.comparator is None:
        values = _frequency_lookup(table, freq, question)
        if values is not None:
            return values
    qty = quantities(question, [p.label for p in chosen]) if chosen else {}
    if spec.weights and len(spec.weights) == len(chosen):
        qty = {p.label: w for p, w in zip(chosen, spec.weights, strict=True) if w != 1.0}
    if op is Operation.LOOKUP and qty:  # 'buys 3.8 pounds of dill dip: how much?' is price × quantity
        total = sum(p.number * qty.get(p.label, 1.0) for p in chosen)
        return Outcome(Operation.SUM, fmt(total), "total", total, evidence=_evidence(chosen))
    if op in (Operation.SUM, Operation.COMPARE, Operation.VERIFY, Operation.DIFFERENCE) and chosen:
        total = sum(p.number * qty.get(p.label, 1.0) for p in chosen)
        budget = [spec.budget] if spec.budget is not None else []
        one_priced = op is Operation.DIFFERENCE and len(chosen) == 1 and not budget and qty
        if op is Operation.SUM or one_priced:
            return Outcome(Operation.SUM, fmt(total), "total", total, evidence=_evidence(chosen))
        if op is Operation.DIFFERENCE:
            if budget:
                left = budget[0] - total
                return Outcome(op, fmt(left), "left", left, evidence=_evidence(chosen))
            if len(chosen) >= 2:
                diff = chosen[0].number - chosen[1].number
                return Outcome(op, fmt(abs(diff)), "difference", abs(diff), evidence=_evidence(chosen[:2]))
        if op in (Operation.COMPARE, Operation.VERIFY) and (spec.threshold is not None or budget):
            comparator = spec.comparator or ">="
            verdict = holds(total, comparator, spec.threshold if spec.threshold is not None else budget[0])
            return Outcome(op, fmt(total), label_col, total, verdict=verdict, evidence=_evidence(chosen))
    if op is Operation.RATE:
        use = chosen if len(chosen) >= 2 else points[-2:]
        if len(use) >= 2:
            first, second = use[0], use[1]
            rate = second.number - first.number
            try:
                span = float(second.label) - float(first.label)
                rate = rate / span if span else rate
            except ValueError:
                pass
            return Outcome(op, fmt(rate), "rate of change", rate, evidence=_evidence([first, second]))
    if op in (Operation.ARGMAX, Operation.ARGMIN) and points:
        pick = max(points, key=lambda p: p.number) if op is Operation.ARGMAX else min(points, key=lambda p: p.number)
        if spec.expected in ("number", "money", "percent"):
            return Outcome(op, fmt(pick.number), _LABELS[op], pick.number, evidence=_evidence([pick]))
        if not _names_a_category(pick.label):
            return None  # the row's name was not read
        return Outcome(op, pick.label, _LABELS[op], pick.number, evidence=_evidence([pick]), detail=_printed(pick))
    if op is Operation.SUM and len(chosen) < 2:
        return _column_total(table, column, points)
    if op in _AGGREGATES:
        use = chosen if len(chosen) >= 2 else points
        result = aggregate(op, [p.number for p in use])
        if result is not None:
            return Outcome(op, fmt(result), _LABELS[op], result, evidence=_evidence(use))
    if op is Operation.COUNT and _plain_count(spec):
        labelled = [p for p in points if _names_a_category(p.label)]
        if _KINDS.search(question) and labelled:
            return Outcome(op, str(len(labelled)), "count", len(labelled), evidence=_evidence(labelled))
        if column == quantity_column(table):
            total = sum(p.number for p in points)
            return Outcome(op, fmt(total), "count", total, evidence=_evidence(points), computed=True)
    if op is Operation.COUNT:
        return _on_values(points, spec, by_value=False)
    if (
        op is Operation.LOOKUP
        and len(chosen) != 1
        and _asks_total(spec)
        and not _has_total_row(points)
        and _named_besides_total(table, spec, column)
    ):
        found = _column_total(table, column, chosen or points)
        if found is not None:
            found.detail = "column count" if column == quantity_column(table) else "column"
        return found
    if op is Operation.LOOKUP and len(chosen) == 1:
        whole = _row_total(table, spec, chosen[0])
        if whole is not None:
            return whole
    if op is Operation.LOOKUP and len(chosen) >= 1:
        cell = chosen[0]  # said as printed: '2024-07-02', '50Hz', '112.50', never its magnitude
        return Outcome(op, _printed(cell), label_col, cell.number, evidence=_evidence([cell]), confidence=0.8)
    return None


def _asks_total(spec: QuerySpec) -> bool:
    """'What is the total quantity?', 'total cost of all items': a lookup of a total the table does not print."""
    return "total" in spec.fields


def _named_besides_total(table: TableGrid, spec: QuerySpec, column: int) -> bool:
    """The column is what the question totals ('total quantity' → Qty, money asked → the one money
    column), not merely a header the word 'total' itself matches (合计 ≈ 金额 on an invoice)."""
    numeric = [c for c in numeric_columns(table) if c != table.label_column]
    head = table.columns[column] if column < len(table.columns) else ""
    named = [*spec.columns, spec.target, *(a for f in spec.fields if f != "total" for a in _aliases(f))]
    if max((similarity(n, head) for n in named if n), default=0.0) >= 0.6:
        return True
    return _implied_column(table, spec, numeric) == column


def _has_total_row(points: Sequence[Point]) -> bool:
    from visdesk.engines.embedded.lexicon import lexicon

    names = lexicon().aliases("total")
    return any(max((similarity(n, p.label) for n in names), default=0.0) >= 0.8 for p in points)


_UNIT_PRICE = re.compile(r"price|单价|unit|each|per|rate|售价|价格", re.I)
_LINE_TOTAL = re.compile(r"amount|total|sum|subtotal|金额|小计|合计|总价", re.I)


def _column_total(table: TableGrid, column: int, points: Sequence[Point]) -> Outcome | None:
    """A column's sum; a unit-price column is weighted by the row's quantity (Σ qty × price), since a
    customer asking the total cost of a list means what it costs, not the sum of the unit prices."""
    if not points:
        return None
    head = table.columns[column] if column < len(table.columns) else ""
    qty = quantity_column(table)
    weights: dict[str, float] = {}
    if qty is not None and qty != column and _UNIT_PRICE.search(head) and not _LINE_TOTAL.search(head):
        weights = {p.label: p.number for p in row_points(table, qty)}
    total = sum(p.number * weights.get(p.label, 1.0) for p in points)
    return Outcome(Operation.SUM, fmt(total), "total", total, evidence=_evidence(points), computed=True)


def unmarked_categories(chart: Chart, lines: Sequence[OcrLine]) -> list[str]:
    """Lines printed in the row of the chart's category labels that no mark carries (a bar whose value
    label was not read): an argmax over the marks alone could miss the extreme one."""
    names = {m.category for m in chart.marks}
    rows = [line for line in lines if line.text in names]
    if not rows:
        return []
    centre = statistics.median((line.box[1] + line.box[3]) / 2 for line in rows)
    height = statistics.median(line.box[3] - line.box[1] for line in rows)
    return [
        line.text for line in lines
        if line.text not in names and abs((line.box[1] + line.box[3]) / 2 - centre) < height / 2
        and re.search(r"[^\W\d_]", line.text) and line.box[0] >= chart.box[0] - height
    ]  # fmt: skip


_COUNTS_MARKS = re.compile(
    r"\b(?:categor(?:y|ies)|slices?|segments?|parts?|sections?|bars?|groups?|kinds?|types?)\b|部分|几类|多少类|几块|扇区|几种|几组",
    re.I,
)
"""A count of a chart's categories ("How many slices?", "分成了几个部分？"), not of what its values add up to."""


def on_chart(chart: Chart, spec: QuerySpec, lines: Sequence[OcrLine] = ()) -> Outcome | None:
    """The spec's operation over a chart's marks: a series the question names (else every mark), the
    categories it names; argmax/argmin say the category, lookups and aggregates the value."""
    marks = [m for m in chart.marks if m.value is not None and m.value.number is not None]
    if spec.series or len({m.series for m in marks}) > 1:
        wanted = [*spec.series, spec.target]
        named = [m for m in marks if m.series and max(similarity(w, m.series) for w in wanted if w) >= 0.8]
        marks = named or marks
    points = [Point(m.category, m.value.number, m.label_box or m.box, f"{m.category}: {m.value.raw}")
              for m in marks if m.value is not None and m.value.number is not None]  # fmt: skip
    if len(points) < 2:
        return None
    raw = {id(p): m.value.raw for p, m in zip(points, marks, strict=True) if m.value is not None}
    op = spec.operation
    chosen = selected_rows(points, spec, spec.question)
    if op in (Operation.ARGMAX, Operation.ARGMIN):
        unread = any(m.value is None or m.value.number is None for m in chart.marks)
        if op is Operation.ARGMIN and len(chosen) < 2 and (unread or unmarked_categories(chart, lines)):
            return None  # a bar whose value label was not read is most often a short one: it could be the lowest
        pool = chosen if len(chosen) >= 2 else points
        pick = max(pool, key=lambda p: p.number) if op is Operation.ARGMAX else min(pool, key=lambda p: p.number)
        if spec.expected in ("number", "money", "percent") and not spec.subject:
            return Outcome(op, raw[id(pick)], _LABELS[op], pick.number, evidence=_evidence([pick]))
        if not _names_a_category(pick.label):
            return None  # the marks' categories were not read (a value label taken for one): not confident
        return Outcome(op, pick.label, _LABELS[op], pick.number, evidence=_evidence([pick]), detail=raw[id(pick)])
    shares = all(m.value is not None and m.value.kind == "percent" for m in marks)
    if (op is Operation.LOOKUP or (op is Operation.FRACTION and shares)) and len(chosen) == 1:
        return Outcome(op, raw[id(chosen[0])], chosen[0].label, chosen[0].number, evidence=_evidence(chosen))
    if op in (Operation.COMPARE, Operation.VERIFY) and spec.threshold is None and len(chosen) >= 2 and spec.comparator:
        first, second = chosen[0], chosen[1]  # "Does West have a larger share than East?"
        verdict = holds(first.number, spec.comparator, second.number)
        return Outcome(Operation.COMPARE, raw[id(first)], first.label, first.number, verdict=verdict,
                       evidence=_evidence([first, second]))  # fmt: skip
    if op is Operation.COUNT and _plain_count(spec) and not chosen and _COUNTS_MARKS.search(spec.question):
        categories = list(dict.fromkeys(p.label for p in points))
        return Outcome(op, str(len(categories)), "count", float(len(categories)), evidence=_evidence(points),
                       computed=True)  # fmt: skip
    if op is Operation.DIFFERENCE and len(chosen) >= 2:
        diff = abs(chosen[0].number - chosen[1].number)
        return Outcome(op, fmt(diff), "difference", diff, evidence=_evidence(chosen[:2]), computed=True)
    if op in _AGGREGATES:
        use = chosen if len(chosen) >= 2 else points
        result = aggregate(op, [p.number for p in use])
        if result is not None:
            return Outcome(op, fmt(result), _LABELS[op], result, evidence=_evidence(use), computed=True)
    return None


def _row_total(table: TableGrid, spec: QuerySpec, point: Point) -> Outcome | None:
    """'How many bears are at the Atlantic Zoo?' over 'Brown bears | Grizzly bears': every numeric
    column is a kind of what is asked, so the row's total answers."""
    numeric = [c for c in numeric_columns(table) if c != table.label_column]
    heads = [table.columns[c] for c in numeric if c < len(table.columns)]
    asked = set(words(spec.target))
    if not asked or len(heads) < 2 or not all(asked & set(words(h)) for h in heads):
        return None
    named = [similarity(spec.target, h) for h in heads]
    if max(named) - min(named) > 0.1:  # 'brown bears' names one of the columns
        return None
    row = next((r for r in table.cells if _row_label(table, r) == point.label), None)
    cells = [c for c in row or () if c.column in numeric and c.value.number is not None]
    total = sum(c.value.number or 0.0 for c in cells)
    return Outcome(Operation.SUM, fmt(total), "total", total, evidence=[(c.text, c.box) for c in cells], computed=True)


def _printed(point: Point) -> str:
    """The value as the table prints it (the quote is 'label: value')."""
    return point.quote.split(": ", 1)[1] if ": " in point.quote else point.quote


def _names_a_category(label: str) -> bool:
    """A category is words or a year, not a bare number ('40 39.0', '75')."""
    text = label.strip()
    return bool(re.search(r"[^\W\d_]", text)) or re.fullmatch(r"(?:19|20)\d\d", text) is not None


def _proportional(table: TableGrid, spec: QuerySpec) -> Outcome | None:
    """'Each shelf has 5 jackets. How many jackets are on 3 shelves?' over a table of x → y with a constant
    ratio (the asked row blank, '?', or not printed): y = ratio × x."""
    numeric = numeric_columns(table)
    if len(table.columns) != 2 or numeric[:1] != [0]:
        return None
    pairs = [(row[0].value.number, row[1].value.number) for row in table.cells if len(row) == 2]
    known = [(x, y) for x, y in pairs if x and y is not None]
    if len(known) < 2:
        return None
    ratio = known[0][1] / known[0][0]
    if any(abs(y - ratio * x) > 1e-6 for x, y in known):
        return None
    asked = [float(s) for s in spec.rows if re.fullmatch(r"\d+(?:\.\d+)?", s.strip())]
    asked = asked or question_numbers(spec.question)[-1:]
    if not asked:
        return None
    result = ratio * asked[-1]
    evidence = [(f"{row[0].text} → {row[1].text}", row[1].box) for row in table.cells[:3] if len(row) == 2]
    return Outcome(Operation.LOOKUP, fmt(result), "", result, evidence=evidence, computed=True)


def _fraction(table: TableGrid, spec: QuerySpec) -> Outcome | None:
    """'What fraction of the hours were billed by Wendy?' → her cell over the column's total; 'the
    probability that one is red and has road tyres' → the cell at that row and column over the whole table."""
    question = spec.question
    named_columns = [c for c, head in enumerate(table.columns) if head and mentioned(question, head) >= 0.99]
    named_rows = [row for row in table.cells if mentioned(question, _row_label(table, row)) >= 0.99]
    numeric = [c for c in numeric_columns(table) if c != table.label_column]
    if not named_rows or not numeric:
        return None
    row = named_rows[0]
    two_way = len(numeric) >= 2
    column = next((c for c in named_columns if c in numeric), None) if two_way else numeric[0]
    if column is None:
        return None
    part = next((c.value.number for c in row if c.column == column), None)
    cells = [c.value.number for r in table.cells for c in r if c.column in numeric] if two_way else [
        c.value.number for c in table.column(column)]  # fmt: skip
    whole = sum(n for n in cells if n is not None)
    if part is None or not whole:
        return None
    share = Fraction(round(part), round(whole)) if part == int(part) and whole == int(whole) else None
    value = f"{share.numerator}/{share.denominator}" if share is not None else fmt(part / whole)
    cell = next(c for c in row if c.column == column)
    return Outcome(Operation.FRACTION, value, "fraction", part / whole, evidence=[(cell.text, cell.box)])


def _expand_frequency(table: TableGrid, freq: int) -> list[Point]:
    """A frequency table as the values it counts: (17 points, frequency 3) → 17, 17, 17."""
    value_col = next((c for c in numeric_columns(table) if c != freq), None)
    if value_col is None:
        return []
    points: list[Point] = []
    for row in table.cells:
        value = next((c for c in row if c.column == value_col), None)
        count = next((c for c in row if c.column == freq), None)
        if value is None or count is None or value.value.number is None or count.value.number is None:
            continue
        points.extend(Point(value.text, value.value.number, count.box, f"{value.text}: {count.text}")
                      for _ in range(int(count.value.number)))  # fmt: skip
    return points


def _frequency_lookup(table: TableGrid, freq: int, question: str) -> Outcome | None:
    """'How many students scored exactly 17?' → the frequency of 17; 'how many … in all' → the sum."""
    numbers = question_numbers(question)
    value_col = next((c for c in range(len(table.columns)) if c != freq), None)
    if numbers and value_col is not None:
        for row in table.cells:
            value = next((c for c in row if c.column == value_col), None)
            count = next((c for c in row if c.column == freq), None)
            if value and count and value.value.number == numbers[0] and count.value.number is not None:
                n = count.value.number
                return Outcome(
                    Operation.COUNT, fmt(n), "count", n, evidence=[(f"{value.text}: {count.text}", count.box)]
                )
    counts = [c.value.number for c in table.column(freq) if c.value.number is not None]
    if counts and not numbers:
        return Outcome(Operation.COUNT, fmt(sum(counts)), "count", sum(counts),
                       evidence=[(c.text, c.box) for c in table.column(freq)[:6]])  # fmt: skip
    return None


def _on_values(points: list[Point], spec: QuerySpec, by_value: bool) -> Outcome | None:
    """Aggregates and counts over a bag of values (stem-and-leaf leaves, an expanded frequency table)."""
    if not points:
        return None
    op = spec.operation
    numbers = [p.number for p in points]
    if op is Operation.COUNT:
        threshold = spec.threshold
        if threshold is None:
            asked = question_numbers(spec.question)
            threshold = asked[0] if asked else None
        if threshold is None:
            return Outcome(op, str(len(numbers)), "count", len(numbers), evidence=_evidence(points))
        comparator = spec.comparator or "="
        hits = [p for p in points if holds(p.number, comparator, threshold)]
        if spec.comparator2 is not None and spec.threshold2 is not None:  # "at least 30 but fewer than 40"
            hits = [p for p in hits if holds(p.number, spec.comparator2, spec.threshold2)]
        return Outcome(op, str(len(hits)), "count", len(hits), evidence=_evidence(hits or points))
    if op in (Operation.ARGMAX, Operation.ARGMIN):
        pick = max(points, key=lambda p: p.number) if op is Operation.ARGMAX else min(points, key=lambda p: p.number)
        return Outcome(op, fmt(pick.number), _LABELS[op], pick.number, evidence=_evidence([pick]))
    result = aggregate(op, numbers)
    if result is None:
        return None
    return Outcome(op, fmt(result), _LABELS[op], result, evidence=_evidence(points))


# ---------------------------------------------------------------- lookups, choices and yes/no


def lookup(document: Document, spec: QuerySpec, aliases: Sequence[str] = ()) -> Outcome | None:
    """The best-ranked candidate, when it clears the threshold. A money question that names no field ("这张票
    多少钱？", "How much was I trying to pay?") asks for the page's amount: its total, when nothing else fits."""
    found = _lookup(document, spec, aliases)
    if found is None and spec.expected == "money" and not spec.fields and not spec.rows and not spec.quoted:
        total = lexicon().fields["total"]
        found = _lookup(document, replace(spec, fields=("total",), target=total.display(spec.language)), aliases)
        found = found or _the_one_amount(document, spec)
    return found


def _the_one_amount(document: Document, spec: QuerySpec) -> Outcome | None:
    """The page's only amount, whatever label it has ("这张票多少钱？" on a ticket printing 二等座 ¥299.5元)."""
    amounts = [f for f in document.facts if f.value.kind == "money" and f.value.number is not None]
    if not amounts or len({f.value.number for f in amounts}) != 1:
        return None
    fact = max(amounts, key=lambda f: bool(f.label))
    return Outcome(spec.operation, fact.value.raw, "", fact.value.number, evidence=[(fact.value.raw, fact.value_box)],
                   confidence=0.7)  # fmt: skip


def _lookup(document: Document, spec: QuerySpec, aliases: Sequence[str] = ()) -> Outcome | None:
    ranked = rank(document, spec, aliases)
    if not ranked:
        return None
    asked = _printed_as_asked(ranked, spec)
    best = _printed_last(asked or ranked, spec) or (asked or ranked)[0]
    if best.score < THRESHOLD:
        return None
    runner = max((c.score for c in ranked if c is not best and c.value.raw != best.value.raw), default=0.0)
    exact = bool(spec.fields) and spec.fields[0] in lexicon().owners(best.label)  # printed as the field's own name
    confidence = best.score * (1.0 if exact or best.score - runner > 0.05 else 0.85)
    return Outcome(spec.operation, best.value.raw, _label_in(spec, best.label), best.value.number,
                   evidence=_candidate_evidence(best), confidence=confidence)  # fmt: skip


def _label_in(spec: QuerySpec, label: str) -> str:
    """The label said in the customer's language: an English question about a Chinese page names the field
    ("The tracking number is …", not "The 快递单号 is …"); the evidence still quotes the printed label."""
    printed_zh = any("\u4e00" <= ch <= "\u9fff" for ch in label)
    if not spec.fields or spec.fields[0] not in lexicon().fields or printed_zh == (spec.language == "zh"):
        return label
    return lexicon().fields[spec.fields[0]].display(spec.language)


def _printed_as_asked(ranked: Sequence[Candidate], spec: QuerySpec) -> list[Candidate]:
    """The candidates close to the best whose labels hold the customer's own words ('价税合计' asked,
    '价税合计（小写）' printed), best first: a label that matched only through an alias ('合计') names a
    broader thing than the one the customer read off the page."""
    asked = norm(spec.quoted or spec.target)
    if len(asked) < 2:
        return []
    top = ranked[0].score
    return [c for c in ranked if c.score >= max(THRESHOLD, top - 0.2) and asked in norm(c.label)]


LAST_MARGIN = 0.15
"""How far below the best a later-printed candidate of a `prefer = "last"` field may score and still win."""


def _printed_last(ranked: Sequence[Candidate], spec: QuerySpec) -> Candidate | None:
    """For a field the lexicon marks `prefer = "last"` (the total): of the candidates close to the best whose
    labels name the field, the one printed lowest — a grand total comes after the subtotals and the tax."""
    book = lexicon()
    entry = book.fields.get(spec.fields[0]) if spec.fields else None
    if entry is None or entry.prefer != "last" or spec.quoted:
        return None
    aliases = book.aliases(entry.name)
    top = ranked[0].score
    close = [c for c in ranked if c.score >= max(THRESHOLD, top - LAST_MARGIN) and c.value.kind == ranked[0].value.kind]
    named = [c for c in close if c.label and similarity(spec.target, c.label, aliases) >= 0.75
             and not _names_other(c.label, entry.name)]
    return max(named, key=lambda c: (c.boxes[-1][1], c.boxes[-1][0]), default=None)  # fmt: skip


def _names_other(label: str, field_name: str) -> bool:
    """Whether a label's head word names another field ('合计 / 税额', 'Total tax': not a total; 'Order
    total' is one): the last of its parts, where both languages put the head noun."""
    parts = [p for p in re.split(r"[\s/|:：]+", label) if p]
    owners = lexicon().owners(parts[-1]) if parts else ()
    return bool(owners) and field_name not in owners


def _candidate_evidence(candidate: Candidate) -> list[tuple[str, Box]]:
    """The value exactly as printed with its box, then the label that names it with its own box."""
    if candidate.lines:
        return list(candidate.lines)
    value = candidate.value.raw if candidate.value.raw in candidate.quote else candidate.quote
    evidence = [(value, candidate.boxes[-1])]
    if len(candidate.boxes) > 1 and candidate.label and candidate.boxes[0] != candidate.boxes[-1]:
        evidence.append((candidate.label, candidate.boxes[0]))
    return evidence


def pick_choice(document: Document, spec: QuerySpec) -> Outcome | None:
    """A question with listed choices ('Choices: Sunday, Monday …'): run the operation, then say the
    choice that the result names; for lookups, the choice that shares a table row with a cell the
    question quotes (a schedule: 'arrives at 1:05 P.M.' → the stop in that row or column)."""
    if not spec.choices:
        return None
    for table in document.tables:
        outcome = on_table(table, spec)
        if outcome is not None:
            hit = _matching_choice(spec.choices, outcome.value)
            if hit:
                return Outcome(outcome.operation, hit, outcome.label, outcome.number, evidence=outcome.evidence)
        hit_cell = _choice_by_quoted_cell(table, spec) or _choice_in_named_row(table, spec)
        if hit_cell is not None:
            return hit_cell
    return None


def _choice_in_named_row(table: TableGrid, spec: QuerySpec) -> Outcome | None:
    """'When does the ski tour end? Choices: 3:00 P.M., 4:30 P.M. …': the choice printed in the row the
    question names, in the column it names when the row holds several."""
    question = re.sub(r"choices:.*$", "", spec.question, flags=re.I | re.S)
    scored = [(max(mentioned(question, c.text) for c in row if c.value.number is None and c.text), row)
              for row in table.cells if any(c.value.number is None and c.text for c in row)]  # fmt: skip
    if not scored:
        return None
    best, row = max(scored, key=lambda s: s[0])
    if best < 0.6:
        return None
    hits = [(choice, cell) for cell in row for choice in spec.choices if _time_key(choice) and
            _time_key(choice) in _time_key(cell.text)]  # fmt: skip
    if not hits:
        return None
    named = [h for h in hits if h[1].column < len(table.columns) and mentioned(question, table.columns[h[1].column])]
    choice, cell = (named or hits)[0]
    return Outcome(spec.operation, choice, "", evidence=[(cell.text, cell.box)])


def _matching_choice(choices: Sequence[str], value: str) -> str:
    scored = [(similarity(value, c), c) for c in choices]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] >= 0.8 else ""


def _time_key(text: str) -> str:
    return norm(text.replace(".", ":").replace("a.m", "am").replace("p.m", "pm"))


def _choice_by_quoted_cell(table: TableGrid, spec: QuerySpec) -> Outcome | None:
    question = re.sub(r"choices:.*$", "", spec.question, flags=re.I | re.S)
    qkey = _time_key(question)
    quoted: Cell | None = None
    for row in table.cells:
        for cell in row:
            key = _time_key(cell.text)
            longer = quoted is None or len(key) > len(_time_key(quoted.text))
            if len(key) >= 3 and key in qkey and any(ch.isdigit() for ch in key) and longer:
                quoted = cell
    if quoted is None:
        return None
    related = [c for row in table.cells for c in row if c.row == quoted.row or c.column == quoted.column]
    related_headers = [table.columns[quoted.column]] if quoted.column < len(table.columns) else []
    for choice in spec.choices:
        for cell in related:
            if similarity(choice, cell.text) >= 0.85:
                return Outcome(spec.operation, choice, "", evidence=[(cell.text, cell.box), (quoted.text, quoted.box)])
        for head in related_headers:
            if similarity(choice, head) >= 0.85:
                return Outcome(spec.operation, choice, "", evidence=[(quoted.text, quoted.box)])
    return None


def verify_state(document: Document, spec: QuerySpec) -> Outcome | None:
    """'我的退款批了吗？' on a page that says 已拒绝 → No: the printed status decides, by the longest
    state word on the page's status lines (then on any line) among the asked state and its opposite."""
    lex = lexicon()
    if spec.state not in lex.states:
        return None
    opposite = lex.opposite(spec.state) or "not " + spec.state
    words = [(w, spec.state) for ws in lex.states[spec.state].values() for w in ws]
    words += [(w, opposite) for ws in lex.states.get(opposite, {}).values() for w in ws]
    words.sort(key=lambda w: len(w[0]), reverse=True)
    lines = list(document.lines)
    order = [*document.statuses, *(i for i in range(len(lines)) if i not in document.statuses)]
    if not lex.opposite(spec.state):  # a state without a printed opposite ('shipped'): status lines only
        order = list(document.statuses)
    bands, strict = _row_bands(document, spec)
    in_band = [[i for i in range(len(lines)) if lines[i].box[1] < b[1] and lines[i].box[3] > b[0]] for b in bands]
    # a row the question names wholly (a lab test) decides alone; rows that only contain the asked word
    # ('claim' in 'Claim no.', 'Claim status') are read first, then the page
    orders = in_band if strict else [*in_band, order]
    for index in (i for candidates in orders for i in candidates):
        text = lines[index].text
        folded = text.casefold()
        hit = next((state for word, state in words if _says(folded, word.casefold())), None)
        if hit is None:
            continue
        said = next(word for word, state in words if state == hit and _says(folded, word.casefold()))
        if _negated(folded, said.casefold()):  # 未发货, not shipped, 待发货
            hit = opposite if hit == spec.state else spec.state
        when = next((v.raw for _, _, v in find_values(text, document.date_order) if v.kind == "date"), "")
        if not when and index + 1 < len(lines):
            when = next((v.raw for _, _, v in find_values(lines[index + 1].text, document.date_order)
                         if v.kind == "date"), "")  # fmt: skip
        label = _row_label_line(lines, index)
        quote = f"{lines[label].text}{'：' if not text.isascii() else ': '}{text}" if label is not None else text
        evidence = [(lines[label].text, lines[label].box)] if label is not None else []
        return Outcome(Operation.VERIFY, quote, "", verdict=hit == spec.state, detail=when, negated=not spec.polarity,
                       evidence=[*evidence, (text, lines[index].box)])  # fmt: skip
    return _by_outcome(document, spec, lex.outcomes.get(spec.state, ""))


def _by_outcome(document: Document, spec: QuerySpec, wanted: str) -> Outcome | None:
    """The page's first status line decides by its outcome when none of the asked state's words is printed:
    'Has the refund gone through?' over 'Refund completed' → yes; over 'Refund pending' → no."""
    if not wanted or not document.statuses or not document.status_outcomes:
        return None
    index, outcome = document.statuses[0], document.status_outcomes[0]
    line = document.lines[index]
    folded = line.text.casefold()
    states = lexicon().states
    if outcome != "pending" and any(_says(folded, w.casefold()) for state, ws in states.items() if state != spec.state
           for words in ws.values() for w in words):  # fmt: skip
        return None  # it states another stage ("Shipped" when asked "delivered?"); a pending one is "not yet"
    return Outcome(Operation.VERIFY, line.text, "", verdict=outcome == wanted, negated=not spec.polarity,
                   evidence=[(line.text, line.box)], confidence=0.8)  # fmt: skip


def _row_label_line(lines: Sequence[OcrLine], index: int) -> int | None:
    """The word line printed left of a status value in its own row ('退款状态' before '已拒绝'), so the
    reply quotes what the status is of; None when the status line stands alone or already has one."""
    line = lines[index]
    if re.search(r"[:：]", line.text):
        return None
    top, bottom = line.box[1], line.box[3]
    left = [
        i for i, other in enumerate(lines)
        if i != index and other.box[2] <= line.box[0] and min(bottom, other.box[3]) - max(top, other.box[1])
        > 0.5 * (bottom - top) and re.search(r"[^\W\d_]", other.text) and len(other.text) <= 20
    ]  # fmt: skip
    return max(left, key=lambda i: lines[i].box[2]) if left else None


def _row_bands(document: Document, spec: QuerySpec) -> tuple[list[tuple[float, float]], bool]:
    """The vertical extents of the table rows the question names, and whether one is named wholly
    (its label inside the question: '血糖' in '我的血糖正常吗？'), in which case only those rows count."""
    names = [n for n in (*spec.rows, spec.target) if len(norm(n)) >= 2]
    whole: list[tuple[float, float]] = []
    partial: list[tuple[float, float]] = []
    for table in document.tables:
        for row in table.cells:
            label = _row_label(table, row)
            if not label:
                continue
            band = (min(c.box[1] for c in row), max(c.box[3] for c in row))
            if any(mentioned(n, label) >= 0.99 for n in names):
                whole.append(band)
            elif any(mentioned(label, n) >= 0.99 for n in names):
                partial.append(band)
    return (whole, True) if whole else (partial, False)


_NEGATION = re.compile(r"(?:未|没有|没|不|待|尚未|无|not |n't |un)$")


def _negated(text: str, word: str) -> bool:
    """The state word printed with a negation just before it."""
    at = text.find(word)
    return at > 0 and _NEGATION.search(text[max(0, at - 4) : at]) is not None


def _says(text: str, word: str) -> bool:
    """A state word in a line: whole words for English ('paid' is not inside 'unpaid')."""
    if word.isascii():
        return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None
    return word in text
