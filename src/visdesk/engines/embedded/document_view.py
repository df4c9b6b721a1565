"""The Document the resolver reads for one Perception.

Why an adapter: perception attaches a typed `Document` to the Perception it caches; a Perception
built without one (an old cache entry, a test that builds a Perception by hand) still has its key
values and tables, which map onto the same model so the engine has one path, not two. A page whose
rows of lines form a grid the table finder did not take for a table (a borderless price list, a
stem-and-leaf plot, a schedule) is read as one here, from the rows perception already grouped.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from visdesk.domain import Box, OcrLine, Perception, Table
from visdesk.perception.document import Cell, Document, Fact, TableGrid, Value
from visdesk.perception.values import find_values, parse_value

_CONTINUES = frozenset({"of", "per", "in", "for", "the", "to", "of:"})
"""A header cell ending in one of these continues on the next printed row ("Number of" / "tins")."""


def document_of(seen: Perception) -> Document:
    """The Perception's Document, or one mapped from its key values and tables."""
    attached = getattr(seen, "document", None)
    if isinstance(attached, Document):
        laid = grid_from_rows(seen.lines, seen.extras.get("rows") or [])
        if laid is None:
            return attached
        # both readings of the page's grid, the one with fewer empty cells first
        return replace(attached, tables=tuple(sorted((*attached.tables, laid), key=_filled, reverse=True)))
    facts = tuple(
        Fact(kv.key, parse_value(kv.value), kv.value_box, "same_line", _line_of(seen, kv.value), kv.key_box, kv.score)
        for kv in seen.key_values
    )
    rows = seen.extras.get("rows") or []
    laid = grid_from_rows(seen.lines, rows)
    tables = (laid,) if laid is not None else tuple(grid(t) for t in seen.tables if t.rows)
    return Document(lines=seen.lines, facts=facts, tables=tables)


def _heading(text: str) -> bool:
    """A header cell: words, or a year naming a column ('1996', '2006')."""
    return parse_value(text).number is None or re.fullmatch(r"(?:19|20)\d\d", text.strip()) is not None


def _filled(table: TableGrid) -> float:
    """Share of non-empty cells (a grid read with cells run together leaves holes)."""
    cells = [cell for row in table.cells for cell in row]
    return sum(bool(cell.text.strip()) for cell in cells) / max(1, len(cells))


def _line_of(seen: Perception, text: str) -> int:
    return next((i for i, line in enumerate(seen.lines) if text and text in line.text), 0)


def grid(table: Table) -> TableGrid:
    """A legacy header + rows table as typed cells (the first mostly-wordy column names the rows)."""
    width = max(len(table.header), *(len(r) for r in table.rows))
    header = tuple(table.header) + ("",) * (width - len(table.header))
    values = [[_value(text) for text in row] for row in table.rows]
    label_column = _label_column(values, width)
    cells = []
    for r, row in enumerate(table.rows):
        boxes = table.cell_boxes[r] if r < len(table.cell_boxes) else ()
        row_header = row[label_column] if label_column < len(row) else ""
        cells.append(
            tuple(
                Cell(r, c, text, values[r][c], boxes[c] if c < len(boxes) else table.box, header[c], row_header)
                for c, text in enumerate(row)
            )
        )
    return TableGrid(header, tuple(cells), table.box, label_column=label_column)


def _value(text: str) -> Value:
    """A cell's value; a price per unit ('$5/lb') is its money amount."""
    value = parse_value(text, name_like=not any(ch.isdigit() for ch in text))
    if value.number is None:
        spans = find_values(text)
        if len(spans) == 1 and spans[0][2].number is not None:
            return spans[0][2]
    return value


def _split(line: OcrLine) -> list[tuple[str, Box]]:
    """One OCR line that spans several cells ('Foggy Port 8:20 A.M. 8:50 A.M.', '3 568') as cells:
    the words before the first value, then each value (boxes shared out by character offset)."""
    text = line.text.strip()
    spans = [s for s in find_values(text) if s[2].kind != "code"]
    if not spans or (len(spans) == 1 and spans[0][0] == 0 and spans[0][1] >= len(text) - 1):
        return [(text, line.box)]
    pieces: list[tuple[int, int]] = []
    if text[: spans[0][0]].strip():
        pieces.append((0, spans[0][0]))
    pieces.extend((start, end) for start, end, _ in spans)
    x0, y0, x1, y1 = line.box
    scale = (x1 - x0) / max(1, len(text))
    return [(text[a:b].strip(), (x0 + a * scale, y0, x0 + b * scale, y1)) for a, b in pieces if text[a:b].strip()]


def _split_header(line: OcrLine, centres: Sequence[float]) -> list[str]:
    """A header line printed over several columns ('Price Quantity demanded Quantity supplied'), cut
    at the spaces nearest the midpoints between the columns (characters spread evenly over the box)."""
    text = line.text.strip()
    x0, _, x1, _ = line.box
    cuts = []
    for left, right in itertools.pairwise(centres):
        at = int((((left + right) / 2) - x0) / max(1.0, x1 - x0) * len(text))
        spaces = [i for i, ch in enumerate(text) if ch == " "]
        if not spaces:
            return [text]
        cuts.append(min(spaces, key=lambda i: abs(i - at)))
    bounds = [0, *sorted(set(cuts)), len(text)]
    parts = [text[a:b].strip() for a, b in itertools.pairwise(bounds)]
    return parts if len(parts) == len(centres) else [text]


def grid_from_rows(lines: Sequence[OcrLine], rows: Sequence[Sequence[int]]) -> TableGrid | None:
    """A table read from the page's rows of lines: the most common cell count (≥ 2) over at least three
    rows is the body; the row above it with words is the header; cells are matched to columns by x."""
    split = [[cell for i in row for cell in _split(lines[i])] for row in rows]
    counts = Counter(len(r) for r in split if len(r) >= 2)
    if not counts:
        return None
    width, seen = counts.most_common(1)[0]
    if seen < 2:
        return None
    body_at = [n for n, r in enumerate(split) if len(r) == width]
    first, last = body_at[0], body_at[-1]
    centres = [sum((b[0] + b[2]) / 2 for n in body_at for _, b in [split[n][c]]) / len(body_at) for c in range(width)]
    body = [split[n] for n in range(first, last + 1) if split[n]]
    header: list[str] = [""] * width
    title = ""
    above = [n for n in range(first) if split[n]]
    if above:
        top = above[-1]
        head_cells = split[top]
        if len(head_cells) < width:  # '1996 2006' over two columns: one word per column
            words = [(w, b) for t, b in head_cells for w in t.split()]
            head_cells = words if len(words) == width else head_cells
        if len(head_cells) == width and all(_heading(t) for t, _ in head_cells):
            header = [t for t, _ in head_cells]
        elif len(rows[top]) == 1:
            header = _split_header(lines[rows[top][0]], centres)
            header = header if len(header) == width else [""] * width
        titled = [n for n in above if n != top or header == [""] * width]
        title = " ".join(t for t, _ in split[titled[0]]) if titled else ""
    wordy_first = bool(body) and all(parse_value(t).number is None for t, _ in body[0])
    numeric_after = sum(any(parse_value(t).number is not None for t, _ in row) for row in body[1:])
    if wordy_first and numeric_after >= 2:  # the first full-width row is the header, what was above is a title
        below = [t for t, _ in _place(body[0], centres)]
        if any(header) and all(not h or h.casefold().split()[-1] in _CONTINUES for h in header):
            header = [f"{h} {b}".strip() for h, b in zip(header, below, strict=True)]  # "Number of" / "tins"
        else:
            title = " ".join(h for h in header if h) or title
            header = below
        body = body[1:]
    cells = []
    for _r, row in enumerate(body):
        placed = _place(row, centres)
        cells.append(placed)
    values = [[_value(text) for text, _ in row] for row in cells]
    label_column = _label_column(values, width)
    grid_cells = tuple(
        tuple(
            Cell(r, c, text, values[r][c], box, header[c], row[label_column][0] if label_column < len(row) else "")
            for c, (text, box) in enumerate(row)
        )
        for r, row in enumerate(cells)
    )
    xs = [b for row in cells for _, b in row]
    box = (min(b[0] for b in xs), min(b[1] for b in xs), max(b[2] for b in xs), max(b[3] for b in xs))
    return TableGrid(tuple(header), grid_cells, box, title=title, label_column=label_column)


def _place(row: list[tuple[str, Box]], centres: Sequence[float]) -> list[tuple[str, Box]]:
    """A row's cells in column order, empty cells where a column has nothing."""
    out: list[tuple[str, Box]] = [("", (c, 0.0, c, 0.0)) for c in centres]
    for text, box in row:
        centre = (box[0] + box[2]) / 2
        column = min(range(len(centres)), key=lambda c: abs(centres[c] - centre))
        if out[column][0]:
            out[column] = (out[column][0] + " " + text, out[column][1])
        else:
            out[column] = (text, box)
    return out


def _label_column(values: list[list[Value]], width: int) -> int:
    for c in range(width):
        column = [row[c] for row in values if c < len(row)]
        if column and sum(v.number is None for v in column) >= 0.6 * len(column):
            return c
    return 0
