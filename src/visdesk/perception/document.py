"""The typed document model: what perception hands the embedded engine's resolver.

Why a typed model: the engine answers by ranking candidate values against a parsed question, so
every value is parsed once into a type (money, number with unit, percent, date, code, …) and every
candidate keeps how its label and value were paired and where they sit on the image. No field is
named here: a document kind nobody wrote a rule for is still lines, cells, marks and facts.

This module holds the types; `build_document` (filled in by the document builder) turns a
`Perception` into a `Document`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from visdesk.domain import Box, OcrLine

ValueKind = Literal["money", "number", "percent", "date", "time", "code", "phone", "name", "text"]
"""The one type a value is parsed into. `number` carries an optional unit (W, V, kg, items …)."""

Pairing = Literal["same_line", "label_left", "label_above", "table_cell", "parenthesised", "standalone"]
"""How a candidate's label and value were linked (the resolver's layout prior uses it)."""

DateOrder = Literal["ymd", "dmy", "mdy"]


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
