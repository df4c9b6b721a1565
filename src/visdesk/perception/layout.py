"""Layout: OCR lines → reading order, key–value pairs, tables, emphasised lines and typed facts.

Why rules on box geometry: the embedded engine must answer on two CPU cores in a few
milliseconds after OCR, and screenshots, receipts and labels put values in a handful of
predictable places (right of the label, after a colon, under the label, in a table column).
"""

from __future__ import annotations

import re
from dataclasses import replace

from visdesk.domain import Box, ImageInput, KeyValue, OcrLine, Perception, Table
from visdesk.perception.candidates import SEPARATOR
from visdesk.perception.colour import emphasis_kinds
from visdesk.perception.deskew import back, estimate_angle, upright
from visdesk.perception.document import build_document
from visdesk.perception.facts import extract_facts, fix_digit_confusions
from visdesk.perception.geometry import group_rows, h_overlap, height, merge_fragments, split_box, typical_height
from visdesk.perception.tables import find_tables, table_line_indexes

_SEPARATOR = SEPARATOR
_LABEL_THEN_NUMBER = re.compile(
    r"^(?P<key>[A-Za-z\u4e00-\u9fff][^\d:：]{0,30}?)\s*(?P<value>(?:RM|¥|￥|\$|€|£)?\s?-?\d[\d,]*(?:\.\d+)?%?)$"
)
_HAS_DIGIT = re.compile(r"\d")
_CODE_PREFIX = re.compile(r"(?:^|(?<=[\s\u4e00-\u9fff]))[A-Z]{1,4}$")
"""Capitals at the end of a label, glued to the digits after them: the head of a code (E1024, SO12345)."""
_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")


def analyse(content_id: str, size: tuple[int, int], raw: tuple[OcrLine, ...], image: ImageInput | None) -> Perception:
    """Build the full Perception from raw OCR lines (boxes already in original pixels).

    A tilted photo is laid out in an upright frame (see deskew.py); boxes are turned back at the end.
    """
    angle = estimate_angle(raw)
    centre = (size[0] / 2, size[1] / 2)
    work = upright(raw, angle, centre) if angle else list(raw)
    rows = group_rows(work)
    lines, rows = merge_fragments(work, rows)
    lines = [_fix_line(line) for line in lines]
    # renumber into reading order so line indexes follow the page
    order = [i for row in rows for i in row]
    position = {old: new for new, old in enumerate(order)}
    lines = [lines[i] for i in order]
    rows = [[position[i] for i in row] for row in rows]
    tables = find_tables(lines, rows)
    in_table = table_line_indexes(lines, tables)
    # a table row with one label and one value ("Subtotal  $2,325.00") is also a key-value pair
    sparse = {i for row in rows if len(row) <= 2 for i in row}
    key_values = find_key_values(lines, rows, in_table - sparse)
    if angle:
        lines, key_values, tables = _turn_back(lines, key_values, tables, angle, centre)
    emphasis, inks = emphasis_kinds(lines, image)
    extras: dict[str, object] = {
        "ink": inks,
        "rows": rows,
        "facts": extract_facts(tuple(lines)),
        "emphasis": emphasis,
        "title": _title(lines, emphasis),
        "table_lines": sorted(in_table),
    }
    seen = Perception(
        content_id=content_id,
        size=size,
        lines=tuple(lines),
        key_values=tuple(key_values),
        tables=tuple(tables),
        emphasised=tuple(sorted(emphasis)),
        extras=extras,
    )
    return replace(seen, document=build_document(seen, rows=None if angle else rows, image=image))


def _turn_back(
    lines: list[OcrLine], key_values: list[KeyValue], tables: list[Table], angle: float, centre: tuple[float, float]
) -> tuple[list[OcrLine], list[KeyValue], list[Table]]:
    def b(box: Box) -> Box:
        return back(box, angle, centre)

    lines = [OcrLine(ln.text, b(ln.box), ln.score, ()) for ln in lines]
    key_values = [KeyValue(kv.key, kv.value, b(kv.key_box), b(kv.value_box), kv.score) for kv in key_values]
    tables = [
        Table(t.header, t.rows, b(t.box), tuple(tuple(b(c) for c in row) for row in t.cell_boxes)) for t in tables
    ]
    return lines, key_values, tables


_DATE_THEN_TIME = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{2})(\d{1,2}:\d{2})")


def _fix_line(line: OcrLine) -> OcrLine:
    """Digit confusions inside numbers, and the space OCR drops between a date and a time."""
    fixed = _DATE_THEN_TIME.sub(r"\1 \2", fix_digit_confusions(line.text))
    return line if fixed == line.text else OcrLine(fixed, line.box, line.score, line.polygon)


def _title(lines: list[OcrLine], emphasis: dict[int, list[str]]) -> int | None:
    """The dialog/page title: the first large line near the top, else None."""
    for index, kinds in sorted(emphasis.items()):
        if "large" in kinds and index < 6:
            return index
    return None


def looks_like_label(text: str) -> bool:
    """Short wordy text that could name a field ('订单编号', 'Total', 'DATE OF REPORT:')."""
    stripped = text.rstrip(":： ")
    if not stripped or len(stripped) > 28 or not _WORDY.search(stripped):
        return False
    digits = len(_HAS_DIGIT.findall(stripped))
    return digits <= max(1, len(stripped) // 4)


def find_key_values(lines: list[OcrLine], rows: list[list[int]], in_table: set[int] | None = None) -> list[KeyValue]:
    """Key–value pairs: 'label: value' in one line, value right of its label, value under its label."""
    in_table = in_table or set()
    pairs: list[KeyValue] = []
    used_as_value: set[int] = set()
    line_h = typical_height(lines)
    for row_no, row in enumerate(rows):
        grid = _labels_over_values(lines, rows, row_no, in_table)
        for label_index, value_index in grid:
            label_line, value_line = lines[label_index], lines[value_index]
            name = label_line.text.rstrip(":： ").strip()
            pairs.append(KeyValue(name, value_line.text, label_line.box, value_line.box, 0.8 * value_line.score))
            used_as_value.add(value_index)
        if grid:
            continue
        for pos, index in enumerate(row):
            line = lines[index]
            match = _SEPARATOR.match(line.text) or (None if index in in_table else _LABEL_THEN_NUMBER.match(line.text))
            key_end, start = (match.end("key"), match.start("value")) if match else (0, 0)
            glued = _CODE_PREFIX.search(match["key"]) if match and match.re is _LABEL_THEN_NUMBER else None
            if glued and key_end == start:
                # "错误码 E1024", "Order ID SO12345": the capitals glued to the digits are the code's own
                key_end = start = glued.start()
            if match and looks_like_label(line.text[:key_end]):
                key, value = line.text[:key_end].strip(), line.text[start:].strip()
                pairs.append(
                    KeyValue(
                        key=key,
                        value=value,
                        key_box=split_box(line.box, line.text, 0, key_end),
                        value_box=split_box(line.box, line.text, start, len(line.text)),
                        score=line.score,
                    )
                )
                continue
            if not looks_like_label(line.text) or index in used_as_value:
                continue
            key = line.text.rstrip(":： ").strip()
            right = row[pos + 1] if pos + 1 < len(row) else None
            if index in in_table:
                continue
            # "Shipping carrier    FedEx": two items, label first (unless both are labels over values)
            pair_row = (
                len(row) == 2
                and pos == 0
                and right is not None
                and not _heads_a_column(lines, rows, row_no, right, line_h)
            )
            if right is not None and (
                not looks_like_label(lines[right].text) or line.text.endswith((":", "：")) or pair_row
            ):
                value_line = lines[right]
                gap = value_line.box[0] - line.box[2]
                # a two-item row is label and value however wide the page ("Items ........ €178.00")
                if gap < 25 * height(line.box) or len(row) == 2:
                    pairs.append(
                        KeyValue(key, value_line.text, line.box, value_line.box, min(line.score, value_line.score))
                    )
                    used_as_value.add(right)
                    continue
            if right is None or looks_like_label(lines[right].text):
                below = _value_below(lines, rows, row_no, index, line_h)
                if below is not None:
                    score = 0.9 if line.text.endswith((":", "：")) else 0.6
                    pairs.append(KeyValue(key, lines[below].text, line.box, lines[below].box, score))
                    used_as_value.add(below)
    return pairs


def _labels_over_values(
    lines: list[OcrLine], rows: list[list[int]], row_no: int, in_table: set[int]
) -> list[tuple[int, int]]:
    """(label, value) pairs when a row of labels sits over a row of values, column by column.

    "预约时间   联系人" over "2026-03-05 09:30   李四": the values may be words, so the row below
    counts as values when it starts with a value (a row "Tracking number  1Z…" under "Carrier  UPS"
    starts with a label and is a label–value row of its own).
    """
    row = rows[row_no]
    if row_no + 1 >= len(rows) or len(row) < 2 or any(i in in_table for i in row):
        return []
    below = rows[row_no + 1]
    if len(below) != len(row) or not all(looks_like_label(lines[i].text) for i in row):
        return []
    said = [m for i in [*row, *below] if (m := _SEPARATOR.match(lines[i].text)) and looks_like_label(m.group("key"))]
    h = max(height(lines[i].box) for i in row)
    larger = min(height(lines[i].box) for i in below) > 1.12 * h  # values printed bigger than their labels
    if said or (looks_like_label(lines[below[0]].text) and not larger):
        return []
    gap = min(lines[i].box[1] for i in below) - max(lines[i].box[3] for i in row)
    aligned = all(
        h_overlap(lines[a].box, lines[b].box) > 0.3 or abs(lines[a].box[0] - lines[b].box[0]) < h
        for a, b in zip(row, below, strict=True)
    )
    return list(zip(row, below, strict=True)) if aligned and gap < 1.6 * h else []


def _heads_a_column(lines: list[OcrLine], rows: list[list[int]], row_no: int, index: int, line_h: float) -> bool:
    """Whether a label-like line is a column label over a value, rather than the value of its row.

    "Carrier   UPS" above "Tracking number   1Z…": the tracking number sits under "UPS" but is the
    value of its own row's label, so "UPS" is not a label over it.
    """
    below = _value_below(lines, rows, row_no, index, line_h)
    if below is None:
        return False
    below_row = next((r for r in rows[row_no + 1 : row_no + 2] if below in r), [])
    owned = len(below_row) == 2 and below_row[1] == below and looks_like_label(lines[below_row[0]].text)
    return not owned


def _value_below(lines: list[OcrLine], rows: list[list[int]], row_no: int, index: int, line_h: float) -> int | None:
    """The line directly under a label (same column, close below) when it looks like a value."""
    label = lines[index].box
    for next_row in rows[row_no + 1 : row_no + 2]:
        for candidate in next_row:
            box: Box = lines[candidate].box
            gap = box[1] - label[3]
            if gap > 1.6 * max(height(label), line_h):
                return None
            aligned = h_overlap(label, box) > 0.3 or abs(box[0] - label[0]) < height(label)
            text = lines[candidate].text
            if aligned and not _SEPARATOR.match(text) and (not looks_like_label(text) or _HAS_DIGIT.search(text)):
                return candidate
    return None
