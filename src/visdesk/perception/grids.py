"""Table grids: the layout's tables as typed cells with their row and column headers.

Why a separate step: the layout finds tables by geometry (tables.py) as strings; the resolver and
the table operations (select a column, sum it, take the row of its maximum) need every cell typed
and named by the header of its column and the label cell of its row — the row's "name", which is
the column whose cells are mostly words ("WBC", "Monday", "VD-CH65"), not always the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from visdesk.domain import Table
from visdesk.perception.document import Cell, DateOrder, TableGrid, Value
from visdesk.perception.values import parse_value

_WORD_KINDS = {"text", "name"}
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")
_MEANINGFUL = re.compile(r"[A-Za-z0-9\u3400-\u9fff]")


def _row_header(row: Sequence[str], typed: Sequence[Value], label_column: int) -> str:
    """The row's label cell; when it is empty, the first wordy cell left of the values (a total row
    printed '  | 价税合计（大写）… | … | ¥1205.75' is named by its words, not by nothing)."""
    own = row[label_column] if label_column < len(row) else ""
    if own.strip():
        return own
    return next((text for text, value in zip(row, typed, strict=False) if text.strip() and value.number is None
                 and value.date is None and _MEANINGFUL.search(text)), "")  # fmt: skip


def to_grid(table: Table, order: DateOrder, title: str = "") -> TableGrid:
    """A Table (strings + boxes) as a TableGrid of typed cells."""
    table = _without_decoration(table)
    width = max([len(table.header), *(len(row) for row in table.rows)], default=0)
    columns = tuple(table.header) + ("",) * (width - len(table.header))
    typed = [[parse_value(text, order) for text in row] for row in table.rows]
    label_column = _label_column(typed, width)
    cells = []
    for r, row in enumerate(table.rows):
        boxes = table.cell_boxes[r] if r < len(table.cell_boxes) else ()
        row_header = _row_header(row, typed[r], label_column)
        cells.append(
            tuple(
                Cell(
                    row=r,
                    column=c,
                    text=text,
                    value=typed[r][c],
                    box=boxes[c] if c < len(boxes) else table.box,
                    column_header=columns[c] if c < len(columns) else "",
                    row_header=row_header,
                )
                for c, text in enumerate(row)
            )
        )
    return TableGrid(columns=columns, cells=tuple(cells), box=table.box, title=title, label_column=label_column)


def _without_decoration(table: Table) -> Table:
    """The table less columns that hold only bullets or icons ("●", "•", "→") and no header."""
    width = max([len(table.header), *(len(row) for row in table.rows)], default=0)

    def text(row: tuple[str, ...], c: int) -> str:
        return row[c] if c < len(row) else ""

    keep = [
        c for c in range(width)
        if text(table.header, c) or any(_MEANINGFUL.search(text(row, c)) for row in table.rows)
    ]  # fmt: skip
    if len(keep) == width:
        return table
    rows = tuple(tuple(text(row, c) for c in keep) for row in table.rows)
    boxes = tuple(tuple(row[c] for c in keep if c < len(row)) for row in table.cell_boxes)
    return Table(tuple(text(table.header, c) for c in keep) if table.header else (), rows, table.box, boxes)


def _label_column(typed: list[list[Value]], width: int) -> int:
    """The leftmost column whose body cells are mostly words; else the leftmost mostly-code column; else 0."""
    for kinds in (_WORD_KINDS, {"code"}):
        for c in range(width):
            column = [row[c] for row in typed if c < len(row) and row[c].raw]
            wordy = [v for v in column if v.kind in kinds and _WORDY.search(v.raw)]  # not bullets "●"
            if column and len(wordy) >= 0.6 * len(column):
                return c
    return 0


def to_grids(tables: Iterable[Table], order: DateOrder, titles: Iterable[str] = ()) -> tuple[TableGrid, ...]:
    names = list(titles)
    return tuple(to_grid(t, order, names[i] if i < len(names) else "") for i, t in enumerate(tables))
