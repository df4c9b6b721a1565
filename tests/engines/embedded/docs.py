"""Hand-built Documents for the resolver and operations tests (no OCR): kinds nobody wrote a rule for."""

from __future__ import annotations

from visdesk.domain import OcrLine
from visdesk.perception.document import Cell, Document, Fact, TableGrid, Value
from visdesk.perception.values import parse_value


def table(columns: tuple[str, ...], rows: list[tuple[str, ...]], label_column: int = 0) -> TableGrid:
    """A grid with one box per cell (row r, column c at x = 100c, y = 30r)."""
    cells = []
    for r, row in enumerate(rows):
        cells.append(
            tuple(
                Cell(r, c, text, parse_value(text, name_like=not any(ch.isdigit() for ch in text)),
                     (100.0 * c, 30.0 * r, 100.0 * c + 90, 30.0 * r + 20), columns[c], row[label_column])
                for c, text in enumerate(row)
            )
        )  # fmt: skip
    return TableGrid(
        columns, tuple(cells), (0.0, 0.0, 100.0 * len(columns), 30.0 * len(rows)), label_column=label_column
    )


def fact(label: str, raw: str, pairing: str = "same_line", line: int = 0) -> Fact:
    box = (200.0, 20.0 * line, 300.0, 20.0 * line + 15)
    return Fact(label, parse_value(raw), box, pairing, line, (0.0, 20.0 * line, 150.0, 20.0 * line + 15))  # type: ignore[arg-type]


def document(
    *, facts: tuple[Fact, ...] = (), tables: tuple[TableGrid, ...] = (), lines: tuple[str, ...] = ()
) -> Document:
    ocr = tuple(OcrLine(text, (0.0, 20.0 * i, 300.0, 20.0 * i + 15), 0.99) for i, text in enumerate(lines))
    return Document(lines=ocr, facts=facts, tables=tables)


def value(raw: str) -> Value:
    return parse_value(raw)
