"""The spec table of a manual draft: CSV text → rows of (name, value) that remember their cell.

Two shapes are read: long (a name column and a value column, one spec per row — the usual spec
sheet) and wide (a header row of names over one row of values — a catalog export).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from visdesk.errors import AppError, ErrorCode
from visdesk.manuals.lexicon import lexicon

MAX_ROWS = 200


@dataclass(frozen=True)
class SpecRow:
    name: str
    value: str
    row: int  # 1-based row of the CSV (the header is row 1)
    column: int  # 1-based column of the value cell


def parse_specs(text: str) -> list[SpecRow]:
    """Spec rows from CSV text; a table that is not CSV, or has no values, is a 400 that says so."""
    if not text.strip():
        return []
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    numbered = [
        (number, [cell.strip() for cell in row])
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
        if any(cell.strip() for cell in row)
    ]
    if len(numbered) > MAX_ROWS + 1:
        raise AppError(
            ErrorCode.INVALID_REQUEST, f"The spec table has {len(numbered)} rows; at most {MAX_ROWS} are read."
        )
    if not numbered or max(len(row) for _, row in numbered) < 2:
        raise AppError(
            ErrorCode.INVALID_REQUEST,
            "The spec table must be CSV: a header row and one row per spec (name,value), "
            "or names in the header over one row of values.",
        )
    header = numbered[0][1]
    if len(numbered) == 2 and len(header) > 2:  # wide: names over values
        number, values = numbered[1]
        return [
            SpecRow(name, value, number, col + 1)
            for col, (name, value) in enumerate(zip(header, values, strict=False))
            if name and value
        ]
    has_header = lexicon().term_id(header[0]) is None  # a first row naming a known spec is a spec, not a header
    return [
        SpecRow(row[0], ", ".join(v for v in row[1:] if v), number, 2)
        for number, row in numbered[1 if has_header else 0 :]
        if row[0] and any(row[1:])
    ]
