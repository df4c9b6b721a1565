"""Box geometry for layout: visual rows, reading order, fragment merging.

Why separate: the layout rules (key-values, tables, emphasis) all reason about the same rows,
so rows are computed once here from the OCR boxes and handed on as lists of line indexes.
"""

from __future__ import annotations

from statistics import median

from visdesk.domain import Box, OcrLine


def height(box: Box) -> float:
    return max(1.0, box[3] - box[1])


def width(box: Box) -> float:
    return max(1.0, box[2] - box[0])


def union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def v_overlap(a: Box, b: Box) -> float:
    """Vertical overlap as a share of the shorter box's height (0..1)."""
    inter = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, inter) / min(height(a), height(b))


def h_overlap(a: Box, b: Box) -> float:
    """Horizontal overlap as a share of the narrower box's width (0..1)."""
    inter = min(a[2], b[2]) - max(a[0], b[0])
    return max(0.0, inter) / min(width(a), width(b))


def typical_height(lines: tuple[OcrLine, ...] | list[OcrLine]) -> float:
    return median(height(line.box) for line in lines) if lines else 1.0


def group_rows(lines: list[OcrLine]) -> list[list[int]]:
    """Indexes of `lines` grouped into visual rows (top to bottom), each row left to right.

    A line joins a row when it overlaps the row's vertical span by at least half of its height;
    tilted photos give slightly sloped rows, so the row's span follows its latest member.
    """
    order = sorted(range(len(lines)), key=lambda i: (lines[i].box[1] + lines[i].box[3]) / 2)
    rows: list[list[int]] = []
    for index in order:
        box = lines[index].box
        best, best_overlap = None, 0.5
        for row in rows[-3:]:
            last = max(row, key=lambda i: lines[i].box[0])
            reference = lines[last].box if lines[last].box[2] <= box[0] + 1 else union([lines[i].box for i in row])
            overlap = v_overlap(reference, box)
            if overlap > best_overlap and not any(_collides(lines[i].box, box) for i in row):
                best, best_overlap = row, overlap
        if best is None:
            rows.append([index])
        else:
            best.append(index)
    for row in rows:
        row.sort(key=lambda i: lines[i].box[0])
    rows.sort(key=lambda row: min(lines[i].box[1] for i in row))
    return rows


def _collides(a: Box, b: Box) -> bool:
    """Two boxes that overlap horizontally cannot be in the same visual row."""
    return h_overlap(a, b) > 0.3


def merge_fragments(lines: list[OcrLine], rows: list[list[int]]) -> tuple[list[OcrLine], list[list[int]]]:
    """Join OCR fragments that sit on one visual line with a gap under ~half a character.

    Larger gaps are kept: they separate a label from its value or one table column from the next.
    """
    merged: list[OcrLine] = []
    new_rows: list[list[int]] = []
    for row in rows:
        new_row: list[int] = []
        current: OcrLine | None = None
        for index in row:
            line = lines[index]
            if current is not None and _joinable(current, line):
                sep = " " if current.text[-1:].isascii() and line.text[:1].isascii() else ""
                current = OcrLine(
                    text=current.text + sep + line.text,
                    box=union([current.box, line.box]),
                    score=min(current.score, line.score),
                    polygon=current.polygon + line.polygon,
                )
                continue
            if current is not None:
                new_row.append(len(merged))
                merged.append(current)
            current = line
        if current is not None:
            new_row.append(len(merged))
            merged.append(current)
        new_rows.append(new_row)
    return merged, new_rows


def _joinable(left: OcrLine, right: OcrLine) -> bool:
    if _steep(left) or _steep(right):
        return False  # rotated axis labels ("Germany" at 45°) overlap their neighbours' boxes
    gap = right.box[0] - left.box[2]
    h = min(height(left.box), height(right.box))
    if left.text.endswith((":", "：")):
        return False
    similar_size = 0.7 < height(left.box) / height(right.box) < 1.4
    return similar_size and -0.2 * h <= gap <= 0.45 * h and v_overlap(left.box, right.box) > 0.6


def split_box(box: Box, text: str, start: int, end: int) -> Box:
    """Approximate sub-box of characters text[start:end] (CJK counts as two widths, ASCII one)."""

    def units(s: str) -> float:
        return sum(1.0 if ch.isascii() else 1.9 for ch in s)

    total = units(text) or 1.0
    x0, y0, x1, y1 = box
    left = x0 + (x1 - x0) * units(text[:start]) / total
    right = x0 + (x1 - x0) * units(text[:end]) / total
    return (left, y0, right, y1)


def _steep(line: OcrLine) -> bool:
    """Whether the line's text runs at more than ~15° from horizontal (its quad's top edge)."""
    if len(line.polygon) < 2:
        return False
    (x0, y0), (x1, y1) = line.polygon[0], line.polygon[1]
    return abs(y1 - y0) > 0.27 * abs(x1 - x0)
