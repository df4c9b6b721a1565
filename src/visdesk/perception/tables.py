"""Tables from box geometry: runs of visual rows whose cells line up in columns.

Why geometry and not ruling lines: screenshots of shop back-ends and phone tables often have no
grid lines at all, while the OCR boxes of a column always share an x-range.
"""

from __future__ import annotations

import re
from collections import Counter
from statistics import median

from visdesk.domain import Box, OcrLine, Table
from visdesk.perception.geometry import h_overlap, height, typical_height, union

_DIGIT = re.compile(r"\d")


def _numeric(text: str) -> bool:
    return len(_DIGIT.findall(text)) >= max(1, len(text) // 3)


def find_tables(lines: list[OcrLine], rows: list[list[int]]) -> list[Table]:
    """Tables of at least three rows (header included) and two aligned columns."""
    line_h = typical_height(lines)
    tables: list[Table] = []
    block: list[list[int]] = []
    for row in [*rows, []]:
        if len(row) >= 2 and (not block or _close(lines, block[-1], row, line_h)):
            block.append(row)
            continue
        if len(block) >= 3:
            table = _table_from_block(lines, block)
            if table is not None:
                tables.append(table)
        block = [row] if len(row) >= 2 else []
    return tables


def _close(lines: list[OcrLine], upper: list[int], lower: list[int], line_h: float) -> bool:
    top = min(lines[i].box[1] for i in lower)
    bottom = max(lines[i].box[3] for i in upper)
    return top - bottom < 2.5 * line_h


def _table_from_block(lines: list[OcrLine], block: list[list[int]]) -> Table | None:
    widest = Counter(len(row) for row in block).most_common()
    n_columns = max(count for count, freq in widest if freq >= 2) if any(f >= 2 for _, f in widest) else 0
    if n_columns < 2:
        return None
    anchor_rows = [row for row in block if len(row) == n_columns]
    columns: list[Box] = [union([lines[row[c]].box for row in anchor_rows]) for c in range(n_columns)]
    grid: list[list[list[int]]] = []
    for row in block:
        cells: list[list[int]] = [[] for _ in range(n_columns)]
        for index in row:
            cells[_column_of(lines[index].box, columns)].append(index)
        grid.append(cells)
    filled = sum(1 for cells in grid if sum(1 for c in cells if c) >= min(2, n_columns))
    if filled < 0.7 * len(grid):
        return None
    texts = [tuple(" ".join(lines[i].text for i in cell) for cell in cells) for cells in grid]
    boxes = [
        tuple(union([lines[i].box for i in cell]) if cell else columns[c] for c, cell in enumerate(cells))
        for cells in grid
    ]
    if _form_grid(lines, block, texts):
        return None
    header: tuple[str, ...] = ()
    start = 0
    for candidate in range(min(3, len(texts) - 1)):  # the header may sit under a line of key-values
        if _header_like(texts[candidate]) and any(_numeric(t) for row in texts[candidate + 1 :] for t in row):
            header, start = texts[candidate], candidate + 1
            break
    if not header and n_columns == 2:
        return None  # a two-column list without a header is a key-value list, not a table
    if n_columns == 2 and sum(any(_numeric(t) for t in row) for row in texts[start:]) < 0.6 * (len(texts) - start):
        return None  # labels over values in two columns ("预约时间  联系人" / "2026-03-05  李四"): a form
    texts, boxes = texts[start:], boxes[start:]
    kept = block[start - 1 if header else 0 :]
    box = union([lines[i].box for row in kept for i in row])
    return Table(header=header, rows=tuple(texts), box=box, cell_boxes=tuple(boxes))


def _form_grid(lines: list[OcrLine], block: list[list[int]], texts: list[tuple[str, ...]]) -> bool:
    """Rows of small labels alternating with rows of larger values (a boarding pass, a ticket): a form.

    A table has one header row; a form repeats a label row over every value row, printed smaller.
    """
    if len(block) < 4:
        return False
    heights = [median(height(lines[i].box) for i in row) for row in block]
    labels = [r for r in range(0, len(block) - 1) if _header_like(texts[r]) and heights[r] < 0.87 * heights[r + 1]]
    return len(labels) >= 2


def _header_like(cells: tuple[str, ...]) -> bool:
    """Words in most cells, numbers in none (a tilted photo may push one header cell to the next row)."""
    filled = [t for t in cells if t]
    return (
        len(filled) >= max(2, 0.6 * len(cells))
        and not any(_numeric(t) for t in filled)
        and ":" not in "".join(filled).replace("：", ":")
    )


def _column_of(box: Box, columns: list[Box]) -> int:
    overlaps = [h_overlap(box, column) for column in columns]
    best = max(range(len(columns)), key=lambda c: overlaps[c])
    if overlaps[best] > 0:
        return best
    centre = (box[0] + box[2]) / 2
    return min(range(len(columns)), key=lambda c: abs((columns[c][0] + columns[c][2]) / 2 - centre))


def table_line_indexes(lines: list[OcrLine], tables: list[Table]) -> set[int]:
    """Lines that fall inside a table's box (they are cells, not key–value labels)."""
    inside: set[int] = set()
    for table in tables:
        x0, y0, x1, y1 = table.box
        for index, line in enumerate(lines):
            bx0, by0, bx1, by1 = line.box
            if bx0 >= x0 - 1 and by0 >= y0 - 1 and bx1 <= x1 + 1 and by1 <= y1 + 1:
                inside.add(index)
    return inside
