"""Questions about a chart's structure: axis ticks, category labels, and what a colour stands for.

Why: "what is the rightmost country on the x-axis?", "how many countries are shown?", "what is
the step between the y-axis ticks?", "what does the purple line mean?" are answered by where the
text sits and what colour its ink (or the legend swatch beside it) is, without reading the plot.
"""

from __future__ import annotations

import itertools
import re
import statistics

import numpy as np

from visdesk.domain import EngineRequest, ImageInput, OcrLine, Perception
from visdesk.engines.embedded.explainers import register
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply, ev
from visdesk.perception.colour import colour_names, ocr_pixels
from visdesk.perception.facts import parse_amount
from visdesk.perception.geometry import height

_HORIZONTAL = re.compile(r"horizontal|x[- ]?axis|横轴|横坐标|x轴", re.IGNORECASE)
_VERTICAL = re.compile(r"vertical|y[- ]?axis|纵轴|纵坐标|y轴", re.IGNORECASE)
_FIRST = re.compile(r"leftmost|left-most|left most|最左|topmost|top-most|最上", re.IGNORECASE)
_LAST = re.compile(r"rightmost|right-most|right most|最右|bottommost|bottom-most|最下", re.IGNORECASE)
_COUNT = re.compile(r"how many|number of|count|多少个|几个", re.IGNORECASE)
_STEP = re.compile(r"consecutive|adjacent|interval|step|相邻|间隔", re.IGNORECASE)
_SPREAD = re.compile(r"max\w* and (?:the )?min\w*|min\w* and (?:the )?max\w*|最大.*最小|最小.*最大", re.IGNORECASE)
_COLOURS = {
    "red": "red", "green": "green", "blue": "blue", "purple": "purple", "violet": "purple", "orange": "orange",
    "yellow": "yellow", "pink": "pink", "grey": "grey", "gray": "grey", "black": "black", "teal": "teal",
    "红": "red", "绿": "green", "蓝": "blue", "紫": "purple", "橙": "orange", "黄": "yellow", "粉": "pink",
    "灰": "grey", "黑": "black",
}  # fmt: skip
_COLOUR_WORD = re.compile("|".join(_COLOURS), re.IGNORECASE)
_ASKS_COLOUR = re.compile(
    r"colou?r|颜色|[红绿蓝紫橙黄粉灰黑]色|legend|图例|(?:line|label|area|series|bar)\b", re.IGNORECASE
)
_ASKS_VALUE = re.compile(r"\bvalue|percentage|how (?:many|much)|多少|数值|百分比", re.IGNORECASE)
_TICK = re.compile(r"^[-+]?[$¥€£]?\d[\d,]*(?:\.\d+)?\s?(?P<suffix>%|[kKmMbB]|万|亿)?$")
_NOT_CATEGORY = re.compile(r"^(?:source|data source|note|notes|数据来源|来源|注)\b", re.IGNORECASE)


def asks_about_structure(question: str) -> bool:
    """Axis and legend questions go to this handler before any other."""
    if _HORIZONTAL.search(question) or _VERTICAL.search(question):
        return True
    return bool(_COLOUR_WORD.search(question) and _ASKS_COLOUR.search(question))


def answer_axes(seen: Perception, image: ImageInput | None, question: str, lang: str) -> Reply | None:
    if _HORIZONTAL.search(question):
        return _horizontal(seen, question, lang)
    if _VERTICAL.search(question):
        return _vertical(seen, question, lang)
    return _colour(seen, image, question, lang)


def y_ticks(seen: Perception) -> list[OcrLine]:
    """The vertical axis's tick labels, top to bottom: ≥ 3 numbers stacked in one aligned column."""
    numbers = [line for line in seen.lines if _TICK.match(line.text.strip())]
    best: list[OcrLine] = []
    for anchor in numbers:
        tol = max(height(anchor.box), 8.0)
        column = [
            line for line in numbers if abs(line.box[0] - anchor.box[0]) < tol or abs(line.box[2] - anchor.box[2]) < tol
        ]
        column.sort(key=lambda line: line.box[1])
        values = [_tick_value(line.text) for line in column]
        stacked = all(b.box[1] >= a.box[3] - 2 for a, b in itertools.pairwise(column))
        falling = all(a > b for a, b in itertools.pairwise(values))
        if len(column) >= 3 and stacked and falling and len(column) > len(best):
            best = column
    return best


def x_labels(seen: Perception) -> list[OcrLine]:
    """The horizontal axis's labels, left to right: the largest set of ≥ 3 short lines whose tops
    line up (rotated labels included), below the vertical axis's ticks when there are some."""
    ticks = y_ticks(seen)
    floor = (ticks[-1].box[1] + ticks[-1].box[3]) / 2 if ticks else 0.0
    tick_ids = {id(line) for line in ticks}
    candidates = [
        line
        for line in seen.lines
        if id(line) not in tick_ids and len(line.text) <= 30 and not _NOT_CATEGORY.match(line.text)
    ]
    if not candidates:
        return []
    tol = 0.6 * statistics.median(min(height(line.box), 40.0) for line in candidates)
    best: list[OcrLine] = []
    for anchor in candidates:
        group = [line for line in candidates if abs(line.box[1] - anchor.box[1]) <= tol]
        if len(group) < 3 or min(line.box[1] for line in group) < floor:
            continue
        if len(group) > len(best) or (len(group) == len(best) and group[0].box[1] > best[0].box[1]):
            best = group
    return sorted(best, key=lambda line: (line.box[0] + line.box[2]) / 2)


def _tick_value(text: str) -> float:
    return parse_amount(text.replace(" ", "")) or 0.0


def _tick_suffix(lines: list[OcrLine]) -> str:
    """The unit the ticks share ('k', '%'), ignoring a bare '0'."""
    matches = [_TICK.match(line.text.strip()) for line in lines if line.text.strip() != "0"]
    suffixes = {(match.group("suffix") if match else None) or "" for match in matches}
    return suffixes.pop() if len(suffixes) == 1 else ""


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _horizontal(seen: Perception, question: str, lang: str) -> Reply | None:
    labels = x_labels(seen)
    if not labels:
        return None
    if _COUNT.search(question):
        return _count(labels, lang, "横轴上有 {} 个标签。", "{} labels on the x-axis.")
    first = bool(_FIRST.search(question))
    if first or _LAST.search(question):
        line = labels[0] if first else labels[-1]
        side = ("最左边" if first else "最右边") if lang == "zh" else ("leftmost" if first else "rightmost")
        text = (
            f"横轴{side}的标签是 {line.text}。"
            if lang == "zh"
            else f"{line.text} is the {side} label."
        )
        return Reply(text=text, evidence=[ev(line)], value=line.text)
    return _tick_arithmetic(labels, question, lang, "横轴" if lang == "zh" else "x-axis")


def _vertical(seen: Perception, question: str, lang: str) -> Reply | None:
    ticks = y_ticks(seen)
    if not ticks:
        return None
    if _COUNT.search(question):
        return _count(ticks, lang, "纵轴上有 {} 个刻度标签。", "{} ticks on the y-axis.")
    if _FIRST.search(question) or _LAST.search(question) or re.search(r"highest|最高|lowest|最低", question, re.I):
        top = bool(_FIRST.search(question) or re.search(r"highest|最高", question, re.I))
        line = ticks[0] if top else ticks[-1]
        text = (
            f"纵轴的{'最高' if top else '最低'}刻度是 {line.text}。"
            if lang == "zh"
            else (f"{line.text} is the {'top' if top else 'bottom'} tick.")
        )
        return Reply(text=text, evidence=[ev(line)], value=line.text)
    return _tick_arithmetic(ticks, question, lang, "纵轴" if lang == "zh" else "y-axis")


def _count(lines: list[OcrLine], lang: str, zh: str, en: str) -> Reply:
    count = str(len(lines))
    return Reply(text=(zh if lang == "zh" else en).format(count), evidence=[ev(line) for line in lines], value=count)


def _tick_arithmetic(lines: list[OcrLine], question: str, lang: str, axis: str) -> Reply | None:
    """Step between consecutive ticks, or the spread from the smallest to the largest."""
    values = [_tick_value(line.text) for line in lines if _TICK.match(line.text.strip())]
    if len(values) < 2:
        return None
    suffix = _tick_suffix(lines)
    if _SPREAD.search(question):
        result = _number(max(values) - min(values)) + suffix
        what = ("最大与最小刻度之差", "tick spread")
    elif _STEP.search(question) or re.search(r"difference|差", question, re.IGNORECASE):
        steps = [abs(round(b - a, 6)) for a, b in itertools.pairwise(values)]
        result = _number(statistics.mode(steps)) + suffix
        what = ("相邻刻度之差", "tick step")
    else:
        return None
    text = f"{axis}{what[0]}是 {result}。" if lang == "zh" else f"The {axis} {what[1]} is {result}."
    return Reply(text=text, evidence=[ev(line) for line in lines], value=result)


def _colour(seen: Perception, image: ImageInput | None, question: str, lang: str) -> Reply | None:
    """The label whose ink, or whose legend swatch, has the colour asked ('dark green', '紫色')."""
    asked = {_COLOURS[m.group(0).lower()] for m in _COLOUR_WORD.finditer(question)}
    if not asked or _ASKS_VALUE.search(question):
        return None  # "the value of the green bar" needs the bar's number, not the colour's label
    dark = bool(re.search(r"\bdark|深", question, re.IGNORECASE))
    light = bool(re.search(r"\blight|浅", question, re.IGNORECASE))
    inks: dict[int, tuple[int, int, int]] = seen.extras.get("ink", {})
    title = seen.extras.get("title")
    legend = 0.1 if re.search(r"legend|图例", question, re.IGNORECASE) else -0.1
    pixels = ocr_pixels(image) if image is not None else None
    best: tuple[float, int] | None = None
    for index, line in enumerate(seen.lines):
        if index == title or _TICK.match(line.text.strip()) or len(line.text) > 40 or not _wordy(line.text):
            continue
        for rgb, bonus in ((inks.get(index), 0.0), (_swatch(line, pixels), legend)):
            if rgb is None:
                continue
            names = colour_names(rgb)
            if not asked <= names:
                continue
            score = (
                1.0
                + bonus
                + (0.5 if dark == ("dark" in names) else 0.0)
                + (0.2 if light == ("light" in names) else 0.0)
            )
            if best is None or score > best[0]:
                best = (score, index)
    if best is None:
        return None
    line = seen.lines[best[1]]
    label = line.text.lstrip("•·●■▪◆- ")  # a legend's bullet is not part of the name
    text = f"这个颜色代表 {label}。" if lang == "zh" else f"That colour stands for {label}."
    return Reply(text=text, evidence=[ev(line)], value=label)


def _wordy(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 2


def _swatch(line: OcrLine, ocr: tuple[np.ndarray, float, float] | None) -> tuple[int, int, int] | None:
    """The colour of a legend swatch at a label's left: just outside its box, or inside the box's
    left end (OCR often boxes the swatch with the text). `ocr` is `colour.ocr_pixels(image)`."""
    if ocr is None:
        return None
    pixels, sx, sy = ocr
    h = height(line.box)
    y0, y1 = int((line.box[1] + 0.25 * h) * sy), int((line.box[3] - 0.25 * h) * sy)
    for left, right in (
        (line.box[0] - 1.4 * h, line.box[0] - 0.15 * h),
        (line.box[0] + 0.1 * h, line.box[0] + 0.6 * h),
    ):
        x0, x1 = int(left * sx), int(right * sx)
        if x0 < 0 or x1 <= x0 or y1 <= y0:
            continue
        patch = pixels[y0:y1, x0:x1].reshape(-1, 3).astype(np.int16)
        if not len(patch):
            continue
        coloured = patch[patch.max(axis=1) - patch.min(axis=1) > 35]
        if len(coloured) >= 0.2 * len(patch):
            r, g, b = np.median(coloured, axis=0)
            return int(r), int(g), int(b)
    return None


def _applies(spec: QuerySpec, request: EngineRequest) -> bool:
    """An axis or legend question about an image with text; a yes/no naming a colour ("图中是否显示绿色食品
    标识？") asks whether something is shown, not what a colour means."""
    seen = request.grounding.seen
    return (
        seen is not None
        and bool(seen.lines)
        and spec.operation is not Operation.VERIFY
        and asks_about_structure(spec.question)
    )


def _explain(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    seen = request.grounding.seen
    if seen is None:
        return None
    return answer_axes(seen, request.query.image, spec.question, spec.language)


register("chart_structure", _applies, _explain, priority=30)
