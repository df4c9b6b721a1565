"""Repeated records: a timeline or feed read as a two-column table (when, what).

Why: a parcel's tracking history, a refund's progress or an account's activity list prints the
same record again and again — a date (and time) with a caption — without a table's header or
columns. Read as a table, the generic table operations apply to it: count the updates, take the
earliest, look up the row whose caption matches ("When was it picked up?").
"""

from __future__ import annotations

from collections.abc import Sequence

from visdesk.perception.document import Cell, Fact, TableGrid, Value
from visdesk.perception.geometry import union

_MIN_RECORDS = 3


def find_records(facts: Sequence[Fact], taken: set[int]) -> tuple[TableGrid, ...]:
    """Runs of ≥3 dated facts with captions, one per line, their dates left-aligned down the page.

    `taken` are line indexes already inside a table (a timeline the table finder took stays one).
    """
    dated = [
        f for f in facts
        if f.value.kind == "date" and f.label and f.line not in taken and f.pairing != "table_cell"
    ]  # fmt: skip
    by_line: dict[int, Fact] = {}
    for fact in dated:  # one record per line: the best-scored caption of its date
        if fact.line not in by_line or fact.score > by_line[fact.line].score:
            by_line[fact.line] = fact
    ordered = [by_line[line] for line in sorted(by_line)]
    runs: list[list[Fact]] = []
    for fact in ordered:
        if runs and _continues(runs[-1][-1], fact):
            runs[-1].append(fact)
        else:
            runs.append([fact])
    return tuple(_grid(run) for run in runs if len(run) >= _MIN_RECORDS)


def _continues(previous: Fact, fact: Fact) -> bool:
    h = max(1.0, fact.value_box[3] - fact.value_box[1])
    below = fact.value_box[1] > previous.value_box[1]
    return (
        below
        and abs(fact.value_box[0] - previous.value_box[0]) < 2 * h
        and fact.value_box[1] - previous.value_box[3] < 6 * h
    )


def _grid(run: list[Fact]) -> TableGrid:
    cells = []
    for r, fact in enumerate(run):
        caption_box = fact.label_box or fact.value_box
        when = Cell(r, 0, fact.value.raw, fact.value, fact.value_box, "", fact.label)
        what = Cell(r, 1, fact.label, Value("text", fact.label), caption_box, "", fact.label)
        cells.append((when, what))
    box = union([c.box for row in cells for c in row])
    return TableGrid(columns=("", ""), cells=tuple(cells), box=box, label_column=1)
