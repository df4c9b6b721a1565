"""Rows selected by a state: "Which test is above the reference range?", "哪项偏高？", "How many are low?".

Why a state per row and not a lab-report rule: any table that prints a value beside the range it
should lie in (lab results, spec tolerances, KPI targets), or a flag column (H / L / ↑ / 偏高 / high),
says for each row whether it is high, low or fine; the question names the state, the row's label
cell names the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from visdesk.engines.embedded.operations import Outcome
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.perception.document import Cell, Document, TableGrid

_RANGE = re.compile(r"^\s*[<>≤≥]?\s*(-?\d+(?:\.\d+)?)\s*[-–~～—至]\s*(-?\d+(?:\.\d+)?)\s*$")
_BOUND = re.compile(r"^\s*([<>≤≥])\s*(-?\d+(?:\.\d+)?)\s*$")  # "<5.2", "≥ 90"
_HIGH_FLAGS = re.compile(r"^(?:↑|(?:↑\s*)?(?:h|hi|high|偏高|过高|高|升高|above))$", re.IGNORECASE)
_LOW_FLAGS = re.compile(r"^(?:↓|(?:↓\s*)?(?:l|lo|low|偏低|过低|低|降低|below))$", re.IGNORECASE)
_ABNORMAL_FLAGS = re.compile(r"^(?:异常|不正常|阳性|abnormal|out of range|\*)$", re.IGNORECASE)
_TRAILING_FLAG = re.compile(r"^(.*?\d)\s*(H|L|↑|↓)$")  # "9.50 H": a flag read into the value's cell


def row_state(row: Sequence[Cell], label_column: int = 0) -> str | None:
    """'high' / 'low' from the row's value against its printed range (the range first: in a tilted photo
    a flag column can slip to the neighbouring row), else from a flag cell ('abnormal' when it gives no
    direction: 异常, *); None when fine or unknown."""
    cells = [c for c in row if c.column != label_column]
    value = next((c.value.number for c in cells if c.value.number is not None and _plain(c.text)), None)
    for cell in cells:
        state = _against_range(value, cell.text) if value is not None else None
        if state is not None:
            return state or None
    for cell in cells:
        text = cell.text.strip()
        trailing = _TRAILING_FLAG.match(text)
        flag = trailing.group(2) if trailing else text
        if _HIGH_FLAGS.match(flag):
            return "high"
        if _LOW_FLAGS.match(flag):
            return "low"
        if _ABNORMAL_FLAGS.match(flag):
            return "abnormal"  # flagged without a direction
    return None


def _plain(text: str) -> bool:
    return re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*(?:[↑↓]|[HL])?\s*", text) is not None


def _against_range(value: float, text: str) -> str | None:
    """'high' / 'low' / '' (within) when `text` is a range or a one-sided bound; None when it is neither."""
    span = _RANGE.match(text)
    if span is not None:
        low, high = float(span.group(1)), float(span.group(2))
        return "high" if value > high else "low" if value < low else ""
    bound = _BOUND.match(text)
    if bound is not None:
        limit = float(bound.group(2))
        if bound.group(1) in "<≤":
            return "high" if value > limit else ""
        return "low" if value < limit else ""
    return None


def rows_in_state(document: Document, spec: QuerySpec) -> Outcome | None:
    """The rows (by their label) in the state the question names; a count of them for COUNT."""
    if not spec.row_state:
        return None
    for table in document.tables:
        hits = [row for row in table.cells if _matches(row_state(row, table.label_column), spec.row_state)]
        if not hits or not any(row_state(row, table.label_column) is None for row in table.cells):
            continue  # every row flagged is no reading of flags (a table without ranges or flags)
        names = [_label(table, row) for row in hits]
        if not all(names):
            continue
        evidence = [(" ".join(c.text for c in row if c.text), row_box(row)) for row in hits]
        details = [", ".join(c.text for c in row if c.text and c.column != table.label_column) for row in hits]
        if spec.operation is Operation.COUNT:
            return Outcome(Operation.COUNT, str(len(hits)), "count", float(len(hits)), evidence=evidence)
        return Outcome(spec.operation, "、".join(names) if spec.language == "zh" else ", ".join(names),
                       "", None, evidence=evidence, detail="; ".join(details), confidence=0.9,
                       names_rows=True)  # fmt: skip
    return None


def _matches(state: str | None, wanted: str) -> bool:
    return state is not None and (wanted == "abnormal" or state == wanted)


def _label(table: TableGrid, row: Sequence[Cell]) -> str:
    return next((c.text.strip() for c in row if c.column == table.label_column), "")


def row_box(row: Sequence[Cell]) -> tuple[float, float, float, float]:
    """The box around a row's printed cells."""
    boxes = [c.box for c in row if c.text]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
