"""Chart marks by geometry: bars, points and pie slices with their category, series and value label.

Why geometry: a rendered or photographed chart reaches us as OCR lines, and what ties a value to
its category is where both are printed — a value label above (or inside) a bar sits over the
category label under that bar; on a horizontal bar chart it sits at the bar's end on the
category's row; a pie prints "A 35%". A real chart also orders its labels by value (a taller bar
puts its label higher), which is what tells a chart from numbers that merely sit above words.
Colours (the OCR image's pixels, when given) assign grouped marks to legend entries and tell a
bar from a point.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import cached_property
from statistics import median

import numpy as np

from visdesk.domain import Box, ImageInput, OcrLine
from visdesk.perception.colour import ocr_pixels
from visdesk.perception.document import Chart, ChartMark, DateOrder, MarkKind, Value
from visdesk.perception.geometry import height, typical_height, union
from visdesk.perception.values import find_values, parse_value

_NUMERIC = {"number", "money", "percent"}
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")
_UNIT = re.compile(
    r"(?:单位|unit)\s*[:：]\s*(?P<u>[^\s)）]{1,8})|[（(](?P<p>[^()（）\d]{1,12})[)）]\s*$", re.IGNORECASE
)
_MIN_RANK_AGREEMENT = 0.75


def _cx(box: Box) -> float:
    return (box[0] + box[2]) / 2


def _cy(box: Box) -> float:
    return (box[1] + box[3]) / 2


def _numeric_value(text: str, order: DateOrder) -> Value | None:
    value = parse_value(text, order)
    return value if value.kind in _NUMERIC and value.number is not None else None


def find_charts(
    lines: Sequence[OcrLine],
    rows: Sequence[Sequence[int]],
    order: DateOrder,
    *,
    exclude: set[int] | None = None,
    image: ImageInput | None = None,
    title: str = "",
) -> tuple[Chart, ...]:
    """Every chart the geometry supports: vertical (bars/points), horizontal bars, pies."""
    exclude = exclude or set()
    pixels = _Pixels(image) if image is not None else None
    line_h = typical_height(list(lines))
    charts = []
    for finder in (_vertical, _horizontal):
        chart = finder(lines, rows, order, exclude, line_h, pixels)
        if chart is not None:
            charts.append(chart)
            break
    pie = _pie(lines, rows, order, exclude)
    if pie is not None and not charts:
        charts.append(pie)
    return tuple(_titled(chart, lines, title) for chart in charts)


class _Pixels:
    """The OCR copy's pixels, read once; boxes are in original-image pixels."""

    def __init__(self, image: ImageInput) -> None:
        self.image = image  # converted on first use: most pages have no chart to look at

    @cached_property
    def _read(self) -> tuple[np.ndarray, float, float, np.ndarray]:
        array, sx, sy = ocr_pixels(self.image)
        h, w = array.shape[:2]
        corners = np.stack([array[0, 0], array[0, w - 1], array[h - 1, 0], array[h - 1, w - 1]])
        return array, sx, sy, np.median(corners.astype(np.int16), axis=0)

    @property
    def array(self) -> np.ndarray:
        return self._read[0]

    @property
    def sx(self) -> float:
        return self._read[1]

    @property
    def sy(self) -> float:
        return self._read[2]

    @property
    def background(self) -> np.ndarray:
        return self._read[3]

    def crop(self, box: Box) -> np.ndarray:
        x0, y0, x1, y1 = box
        h, w = self.array.shape[:2]
        xa, xb = max(0, int(x0 * self.sx)), min(w, int(x1 * self.sx) + 1)
        ya, yb = max(0, int(y0 * self.sy)), min(h, int(y1 * self.sy) + 1)
        return self.array[ya:yb, xa:xb].reshape(-1, 3).astype(np.int16)

    def colour(self, box: Box) -> tuple[int, int, int] | None:
        """The median saturated colour in a box (None when it is all background / grey)."""
        flat = self.crop(box)
        if not len(flat):
            return None
        saturation = flat.max(axis=1) - flat.min(axis=1)
        coloured = flat[saturation > 40]
        if len(coloured) < max(4, 0.15 * len(flat)):
            return None
        r, g, b = np.median(coloured, axis=0)
        return int(r), int(g), int(b)

    def filled(self, box: Box) -> float:
        """Share of a box's pixels that differ from the page background (a bar fills its strip)."""
        flat = self.crop(box)
        if not len(flat):
            return 0.0
        return float((np.abs(flat - self.background).sum(axis=1) > 60).mean())


def _rank_agreement(values: list[float], positions: list[float]) -> float:
    """Spearman-like agreement between values and positions (1 = perfectly ordered)."""
    if len(values) < 3:
        return 1.0
    v = np.argsort(np.argsort(values)).astype(float)
    p = np.argsort(np.argsort(positions)).astype(float)
    if v.std() == 0 or p.std() == 0:
        return 0.0
    return float(np.corrcoef(v, p)[0, 1])


def _vertical(
    lines: Sequence[OcrLine], rows: Sequence[Sequence[int]], order: DateOrder, exclude: set[int], line_h: float,
    pixels: _Pixels | None,
) -> Chart | None:  # fmt: skip
    """Categories in one row under the plot, value labels above them (bars, or points of a line)."""
    numeric = {
        i: v
        for i, line in enumerate(lines)
        if i not in exclude and height(line.box) <= 2 * line_h and (v := _numeric_value(line.text, order))
    }  # (a bar misread as "1" is far taller than a label)
    for tick in _axis_ticks(lines, numeric, line_h):
        numeric.pop(tick)
    best: Chart | None = None
    for row in reversed(rows):
        categories = [i for i in row if i not in exclude and len(lines[i].text) <= 24]
        if len(categories) < 2:
            continue
        centres = [_cx(lines[i].box) for i in categories]
        spacing = median(b - a for a, b in itertools.pairwise(centres))
        if spacing <= line_h:
            continue
        top = min(lines[i].box[1] for i in categories)
        assigned: dict[int, list[int]] = {}
        for index in numeric:
            box = lines[index].box
            if index in row or box[3] > top + 0.3 * line_h:
                continue
            nearest = min(range(len(categories)), key=lambda k: abs(centres[k] - _cx(box)))
            if abs(centres[nearest] - _cx(box)) <= 0.5 * spacing:
                assigned.setdefault(nearest, []).append(index)
        if len(assigned) < max(2, 0.6 * len(categories)):
            continue
        labels = [i for group in assigned.values() for i in group]
        if len(labels) < 3:
            continue  # two numbers over two words prove nothing: no order to check them by
        if _rank_agreement([numeric[i].number or 0.0 for i in labels], [-_cy(lines[i].box) for i in labels]) < (
            _MIN_RANK_AGREEMENT
        ):
            continue
        chart = _vertical_chart(lines, categories, assigned, numeric, top, pixels, exclude)
        if best is None or len(chart.marks) > len(best.marks):
            best = chart
        break
    return best


def _axis_ticks(lines: Sequence[OcrLine], numeric: dict[int, Value], line_h: float) -> set[int]:
    """Value-axis tick labels: three or more numbers in one column whose values step evenly (0, 20, 40 …)."""
    columns: dict[int, list[int]] = {}
    for index in numeric:
        columns.setdefault(round(lines[index].box[2] / line_h), []).append(index)
    ticks: set[int] = set()
    for group in columns.values():
        if len(group) < 3:
            continue
        values = sorted(numeric[i].number or 0.0 for i in group)
        steps = [b - a for a, b in itertools.pairwise(values)]
        if steps[0] > 0 and all(abs(step - steps[0]) <= 0.01 * max(1.0, abs(steps[0])) for step in steps):
            ticks.update(group)
    return ticks


def _vertical_chart(
    lines: Sequence[OcrLine], categories: list[int], assigned: dict[int, list[int]], numeric: dict[int, Value],
    top: float, pixels: _Pixels | None, exclude: set[int],
) -> Chart:  # fmt: skip
    per_category = max(len(group) for group in assigned.values())
    used = set(categories) | {i for group in assigned.values() for i in group}
    legend = _legend(lines, used | exclude, per_category, top) if per_category > 1 else []
    swatches = [(text, pixels.colour(_swatch_box(box))) for text, box in legend] if pixels else []
    marks = []
    for k, category in enumerate(categories):
        group = sorted(assigned.get(k, []), key=lambda i: lines[i].box[0])
        for position, index in enumerate(group):
            box = lines[index].box
            below: Box = (box[0], box[3] + 1, box[2], top - 1)
            kind: MarkKind = "bar"
            colour = None
            if pixels is not None:
                strip: Box = (_cx(box) - 1, box[3] + 2, _cx(box) + 2, max(box[3] + 3, top - 2))
                kind = "bar" if pixels.filled(strip) > 0.6 else "point"
                colour = pixels.colour((box[0], box[3] + 1, box[2], box[3] + height(box))) or pixels.colour(box)
            series = _series_of(position, colour, legend, swatches, len(group))
            mark_box = union([box, below]) if kind == "bar" and below[3] > below[1] else box
            marks.append(ChartMark(kind, lines[category].text, numeric[index], mark_box, series, box))
    box = union([lines[i].box for i in used])
    return Chart(title="", marks=tuple(marks), box=box, series=tuple(text for text, _ in legend))


def _swatch_box(box: Box) -> Box:
    """Where a legend's colour swatch sits: just left of the entry's text."""
    h = height(box)
    return (box[0] - 1.6 * h, box[1], box[0] - 0.2 * h, box[3])


def _series_of(
    position: int, colour: tuple[int, int, int] | None, legend: list[tuple[str, Box]],
    swatches: list[tuple[str, tuple[int, int, int] | None]], group_size: int,
) -> str:  # fmt: skip
    if not legend:
        return ""
    known = [(text, c) for text, c in swatches if c is not None]
    if colour is not None and known:
        return min(known, key=lambda tc: sum((a - b) ** 2 for a, b in zip(tc[1], colour, strict=True)))[0]
    if group_size == len(legend):
        return legend[position][0]  # grouped bars follow the legend's order left to right
    return ""


def _legend(lines: Sequence[OcrLine], used: set[int], size: int, plot_top: float) -> list[tuple[str, Box]]:
    """`size` short wordy lines that sit together (one row or one column): the legend entries."""
    candidates = [
        i for i, line in enumerate(lines)
        if i not in used and _WORDY.search(line.text) and len(line.text) <= 20 and not find_values(line.text)
    ]  # fmt: skip
    line_h = typical_height(list(lines))
    for axis in ("row", "column"):
        groups: dict[int, list[int]] = {}
        for i in candidates:
            box = lines[i].box
            groups.setdefault(round((_cy(box) if axis == "row" else box[0]) / line_h), []).append(i)
        for group in groups.values():
            if len(group) == size:
                group.sort(key=lambda i: (lines[i].box[0], lines[i].box[1]))
                return [(lines[i].text, lines[i].box) for i in group]
    return []


def _horizontal(
    lines: Sequence[OcrLine], rows: Sequence[Sequence[int]], order: DateOrder, exclude: set[int], line_h: float,
    pixels: _Pixels | None,
) -> Chart | None:  # fmt: skip
    """Category labels down the left, each value label at its bar's end on the same row."""
    pairs: list[tuple[int, int, Value]] = []
    for row in rows:
        members = [i for i in row if i not in exclude]
        if len(members) != 2:
            continue
        label, end = members
        value = _numeric_value(lines[end].text, order)
        if value is None or not _WORDY.search(lines[label].text) or find_values(lines[label].text):
            continue
        pairs.append((label, end, value))
    if len(pairs) < 3:
        return None
    starts = [lines[end].box[0] for _, end, _ in pairs]
    if np.std(starts) < 2 * line_h:
        return None  # value labels in one column: a key-value list, not bars of different lengths
    if _rank_agreement([v.number or 0.0 for _, _, v in pairs], starts) < _MIN_RANK_AGREEMENT:
        return None
    marks = []
    for label, end, value in pairs:
        lb, vb = lines[label].box, lines[end].box
        bar: Box = (lb[2] + 1, min(lb[1], vb[1]), vb[0] - 1, max(lb[3], vb[3]))
        if pixels is not None and bar[2] > bar[0] and pixels.filled(bar) < 0.3:
            return None  # nothing drawn between label and value: not a bar
        marks.append(ChartMark("bar", lines[label].text, value, bar, "", vb))
    box = union([lines[i].box for label, end, _ in pairs for i in (label, end)])
    return Chart(title="", marks=tuple(marks), box=box)


def _pie(lines: Sequence[OcrLine], rows: Sequence[Sequence[int]], order: DateOrder, exclude: set[int]) -> Chart | None:
    """Slice labels "A 35%" (or "A" beside/above "35%") whose percents add up to about 100."""
    marks = []
    for index, line in enumerate(lines):
        if index in exclude:
            continue
        spans = [s for s in find_values(line.text, order) if s[2].kind == "percent"]
        if len(spans) != 1:
            continue
        start, end, value = spans[0]
        category = line.text[:start].strip(" :：-–") or line.text[end:].strip(" :：-–()（）")
        if not category or not _WORDY.search(category):
            category = _neighbour_label(lines, index, exclude)
        if category:
            marks.append(ChartMark("slice", category, value, line.box, "", line.box))
    total = sum(m.value.number or 0.0 for m in marks if m.value)
    if len(marks) < 2 or not 97 <= total <= 103:
        return None
    return Chart(title="", marks=tuple(marks), box=union([m.box for m in marks]), unit="%")


def _neighbour_label(lines: Sequence[OcrLine], index: int, exclude: set[int]) -> str:
    """The wordy line right above or left of a bare percent (pie labels print name over share)."""
    box = lines[index].box
    h = height(box)
    best, distance = "", 3 * h
    for other, line in enumerate(lines):
        if other == index or other in exclude or not _WORDY.search(line.text) or find_values(line.text):
            continue
        ob = line.box
        above = 0 <= box[1] - ob[3] < 1.5 * h and abs(_cx(ob) - _cx(box)) < 2 * h
        left = abs(_cy(ob) - _cy(box)) < 0.5 * h and 0 <= box[0] - ob[2] < 3 * h
        if above or left:
            d = abs(_cx(ob) - _cx(box)) + abs(_cy(ob) - _cy(box))
            if d < distance:
                best, distance = line.text, d
    return best


def _titled(chart: Chart, lines: Sequence[OcrLine], title: str) -> Chart:
    """The chart's title (the page title, else the first wordy line above it) and its value unit."""
    above = [line.text for line in lines if line.box[3] <= chart.box[1] and _WORDY.search(line.text)]
    name = title or (above[0] if above else "")
    unit = chart.unit
    for line in lines:
        match = _UNIT.search(line.text)
        if match and not unit:
            unit = match.group("u") or match.group("p") or ""
    units = {m.value.unit for m in chart.marks if m.value and m.value.unit}
    if not unit and len(units) == 1:
        unit = units.pop()
    return Chart(name, chart.marks, chart.box, chart.x_label, chart.y_label, chart.series, unit)
