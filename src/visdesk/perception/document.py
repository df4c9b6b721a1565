"""The typed document model: what perception hands the embedded engine's resolver.

Why a typed model: the engine answers by ranking candidate values against a parsed question, so
every value is parsed once into a type (money, number with unit, percent, date, code, …) and every
candidate keeps how its label and value were paired and where they sit on the image. No field is
named here: a document kind nobody wrote a rule for is still lines, cells, marks and facts.

This module holds the types; `build_document` turns a `Perception` into a `Document` (the parts
live beside it: values.py types the text, candidates.py pairs labels with values, grids.py types
table cells, charts.py matches chart marks, statuses.py marks outcome lines).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from visdesk.domain import Box, OcrLine

if TYPE_CHECKING:
    from visdesk.domain import ImageInput, Perception

ValueKind = Literal["money", "number", "percent", "date", "time", "code", "phone", "name", "text"]
"""The one type a value is parsed into. `number` carries an optional unit (W, V, kg, items …)."""

Pairing = Literal["same_line", "label_left", "label_above", "table_cell", "parenthesised", "standalone"]
"""How a candidate's label and value were linked (the resolver's layout prior uses it)."""

_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")

DateOrder = Literal["ymd", "dmy", "mdy"]
"""How a document writes ambiguous numeric dates: "dmy"/"mdy"; "ymd" when it prints none (year first)."""

StatusOutcome = Literal["positive", "negative", "pending"]


@dataclass(frozen=True)
class Value:
    """A value as printed (`raw`) and as parsed (`number`/`unit`/`date`/`time`)."""

    kind: ValueKind
    raw: str
    number: float | None = None  # magnitude of money / number / percent
    unit: str = ""  # ISO currency for money ("CNY", "USD", "MYR" …), a unit for numbers ("W", "V", "kg")
    date: dt.date | None = None
    time: dt.time | None = None

    @property
    def is_numeric(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class Cell:
    """One table cell with the headers that name it."""

    row: int
    column: int
    text: str
    value: Value
    box: Box
    column_header: str = ""  # the header text of its column ("" when the table has none)
    row_header: str = ""  # the text of its row's label cell (the first word-like cell)


@dataclass(frozen=True)
class TableGrid:
    """A table as a grid of typed cells; `cells[r][c]` (body rows only; headers in `columns`)."""

    columns: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    box: Box
    title: str = ""  # the caption above the table, when there is one
    label_column: int = 0  # which column names the rows

    def column(self, index: int) -> tuple[Cell, ...]:
        return tuple(row[index] for row in self.cells if index < len(row))


MarkKind = Literal["bar", "point", "slice"]


@dataclass(frozen=True)
class ChartMark:
    """One bar / point / pie slice with its category, series and value label (matched by geometry)."""

    kind: MarkKind
    category: str
    value: Value | None
    box: Box
    series: str = ""
    label_box: Box | None = None  # where the value label is printed, when it is


@dataclass(frozen=True)
class Chart:
    title: str
    marks: tuple[ChartMark, ...]
    box: Box
    x_label: str = ""
    y_label: str = ""
    series: tuple[str, ...] = ()  # legend entries, in legend order
    unit: str = ""  # unit of the value axis when printed ("%", "万元", "USD bn")


@dataclass(frozen=True)
class Fact:
    """A candidate answer: a value, the label that names it (possibly empty), and where they are."""

    label: str
    value: Value
    value_box: Box
    pairing: Pairing
    line: int  # index into Document.lines of the value's line
    label_box: Box | None = None
    score: float = 1.0  # OCR confidence × pairing confidence, 0..1


@dataclass(frozen=True)
class Document:
    """Everything the resolver may rank, built once per image and cached with the Perception."""

    lines: tuple[OcrLine, ...]
    facts: tuple[Fact, ...] = ()
    tables: tuple[TableGrid, ...] = ()
    charts: tuple[Chart, ...] = ()
    title: str = ""
    language: Literal["zh", "en"] = "en"  # the language most of the printed text is in
    date_order: DateOrder = "ymd"  # how this document writes numeric dates (decided per document)
    emphasised: tuple[int, ...] = ()  # indexes into lines: titles, red warnings, highlighted text
    statuses: tuple[int, ...] = field(default=())  # indexes into lines that state a status/outcome
    status_outcomes: tuple[StatusOutcome, ...] = ()  # parallel to `statuses`: what each one states


def build_document(
    perception: Perception, *, rows: list[list[int]] | None = None, image: ImageInput | None = None
) -> Document:
    """The typed Document of a Perception: values typed once, every pairing proposed, tables, charts, statuses.

    `rows` (the layout's visual rows, as line indexes) and `image` (for chart colours) are
    optional: without them rows are regrouped from the boxes and charts use geometry alone.
    """
    from visdesk.perception.candidates import (
        dedupe,
        from_key_values,
        from_lines,
        from_neighbours,
        from_row_pairs,
        from_tables,
    )
    from visdesk.perception.charts import find_charts
    from visdesk.perception.geometry import group_rows
    from visdesk.perception.grids import to_grids
    from visdesk.perception.records import find_records
    from visdesk.perception.statuses import find_statuses
    from visdesk.perception.tables import table_line_indexes
    from visdesk.perception.values import decide_date_order, language_of, parse_value

    lines = perception.lines
    texts = [line.text for line in lines]
    language = language_of(texts)
    order = decide_date_order(texts, language)
    if rows is None:
        rows = perception.extras.get("rows") or group_rows(list(lines))
    title_index = perception.extras.get("title")
    title = lines[title_index].text if isinstance(title_index, int) and title_index < len(lines) else ""
    if not title:  # no larger line: a page, receipt or chart usually names itself in its first wordy line
        title = next(
            (ln.text for ln in lines[:3] if parse_value(ln.text).kind in ("text", "name") and _WORDY.search(ln.text)),
            "",
        )
    tables = to_grids(perception.tables, order)
    in_tables = table_line_indexes(list(lines), list(perception.tables))
    charts = find_charts(lines, rows, order, exclude=in_tables, image=image, title=title)
    paired = [*from_key_values(perception.key_values, lines, order), *from_tables(tables, lines)]
    in_line = from_lines(lines, order)
    found = [*paired, *in_line, *from_neighbours(lines, rows, [*paired, *in_line], order)]
    facts = dedupe([*found, *from_row_pairs(lines, rows, found, order)])
    tables = (*tables, *find_records(facts, in_tables))
    label_lines = frozenset(
        _line_index(lines, f.label_box) for f in facts if f.label_box is not None and f.pairing == "label_left"
    )
    statuses, outcomes = find_statuses(lines, label_lines)
    return Document(
        lines=lines,
        facts=facts,
        tables=tables,
        charts=charts,
        title=title,
        language=language,
        date_order=order,
        emphasised=perception.emphasised,
        statuses=statuses,
        status_outcomes=outcomes,
    )


def _line_index(lines: tuple[OcrLine, ...], box: Box) -> int:
    """The line whose box holds `box`'s centre (-1 when none does)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for index, line in enumerate(lines):
        x0, y0, x1, y1 = line.box
        if x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1:
            return index
    return -1
