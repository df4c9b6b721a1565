"""Candidate facts: every label→value pairing the layout can see, each typed, boxed and scored.

Why many candidates and not one answer per field: the resolver ranks them against the question
(label similarity × type fit × layout prior), so this module proposes every plausible pairing —
"label: value" on one line, a value right of or under its label, a table cell under its headers,
a value inside parentheses ("招商银行（尾号2010）"), and every typed entity on its own — and says
how each was paired. Nothing here names a field or a document kind.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from visdesk.domain import Box, KeyValue, OcrLine
from visdesk.perception.document import DateOrder, Fact, Pairing, TableGrid, Value
from visdesk.perception.geometry import split_box, typical_height, v_overlap
from visdesk.perception.values import PER_THING, find_values, parse_value

PAIRING_WEIGHT: dict[Pairing, float] = {
    "same_line": 0.95,
    "label_left": 0.9,
    "table_cell": 0.9,
    "parenthesised": 0.85,
    "label_above": 0.75,
    "standalone": 0.5,
}
"""How much a pairing kind is trusted; the score is OCR confidence × this."""

SEPARATOR = re.compile(r"^(?P<key>[^:：]{1,30}?)\s*(?:(?<!\d)[:：]|[:：](?!\d))\s*(?P<value>\S.*)$")
"""'label: value' in one line; a colon between digits is a time ("Foggy Port 8:20 A.M."), not a separator."""
_SEPARATOR = SEPARATOR
_PARENS = re.compile(r"[（(](?P<inner>[^（()）]{1,40})[）)]")
_WORDY = re.compile(r"[A-Za-z\u3400-\u9fff]")
_DIGIT = re.compile(r"\d")
_MEANINGFUL = re.compile(r"[A-Za-z0-9\u3400-\u9fff]")
_NAME_LABEL = re.compile(
    r"(?:姓名|名字|收货人|收件人|寄件人|联系人|乘客|旅客|持卡人|户名|客户|顾客|商家|店铺|卖家|买家|医生|患者|开票人|收款人|付款人"
    r"|\bname\b|passenger|recipient|consignee|customer|cardholder|holder|payee|payer|sender|seller|merchant|doctor"
    r"|patient|agent|staff|cashier)",
    re.IGNORECASE,
)


def looks_like_label(text: str) -> bool:
    """Short wordy text that could name a field ('订单编号', 'Total', 'DATE OF REPORT:')."""
    stripped = text.rstrip(":： ")
    if not stripped or len(stripped) > 28 or not _WORDY.search(stripped):
        return False
    digits = len(_DIGIT.findall(stripped))
    return digits <= max(1, len(stripped) // 4)


def _clean_label(text: str) -> str:
    return text.strip().rstrip(":：").strip()


def _typed(text: str, label: str, order: DateOrder) -> Value:
    return parse_value(text, order, name_like=bool(_NAME_LABEL.search(label)))


@lru_cache(maxsize=64)
def _boxes(lines: tuple[OcrLine, ...]) -> dict[Box, int]:
    """Each line's own box → its index (most value boxes are a whole line's box)."""
    return {line.box: index for index, line in reversed(list(enumerate(lines)))}


def _line_of(lines: tuple[OcrLine, ...], box: Box) -> int:
    """The index of the line that holds a box (the smallest line box around its centre)."""
    exact = _boxes(lines).get(box)
    if exact is not None:
        return exact
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    best, best_area = 0, -1.0
    for index, line in enumerate(lines):
        x0, y0, x1, y1 = line.box
        if x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1:
            area = (x1 - x0) * (y1 - y0)
            if best_area < 0 or area < best_area:
                best, best_area = index, area
    return best


def _pairing_of(kv: KeyValue, lines: tuple[OcrLine, ...]) -> Pairing:
    if _line_of(lines, kv.key_box) == _line_of(lines, kv.value_box) and kv.key_box != kv.value_box:
        return "same_line"
    return "label_left" if v_overlap(kv.key_box, kv.value_box) > 0.5 else "label_above"


def from_key_values(key_values: Iterable[KeyValue], lines: tuple[OcrLine, ...], order: DateOrder) -> list[Fact]:
    """The layout's key–value pairs (same line, label left, label above) as typed facts."""
    facts = []
    for kv in key_values:
        pairing = _pairing_of(kv, lines)
        whole = lines[_line_of(lines, kv.value_box)].text if lines else ""
        if pairing == "same_line" and (
            parse_value(f"{kv.key} {kv.value}", order).kind != "text" or parse_value(whole, order).kind != "text"
        ):
            continue  # "RM 45.90" / "CA5629" split as label "RM" / "CA" and a number: one value, not a pairing
        label = _clean_label(kv.key)
        facts.append(
            Fact(
                label=label,
                value=_typed(kv.value, label, order),
                value_box=kv.value_box,
                pairing=pairing,
                line=_line_of(lines, kv.value_box),
                label_box=kv.key_box,
                score=kv.score * PAIRING_WEIGHT[pairing],
            )
        )
    return facts


def from_lines(lines: tuple[OcrLine, ...], order: DateOrder) -> list[Fact]:
    """Pairings inside one line: 'label: value', 'label value', parenthesised values, lone entities."""
    facts: list[Fact] = []
    for index, line in enumerate(lines):
        text = line.text
        spans = find_values(text, order)
        paired: set[tuple[int, int]] = set()
        match = _SEPARATOR.match(text)
        if match and looks_like_label(match.group("key")):
            label = _clean_label(match.group("key"))
            start = match.start("value")
            facts.append(
                _fact(line, index, label, text[start:], start, len(text), "same_line", order, match.end("key"))
            )
            paired |= {(s, e) for s, e, _ in spans if s >= start}
        elif spans and spans[0][0] == 0 and spans[0][2].kind == "date" and _caption_after(text, spans):
            # "10 Jul 2023 17:14 Out for delivery — Chicago, IL": a dated event, the caption after the date
            value_end = spans[1][1] if len(spans) > 1 and spans[1][2].kind == "time" else spans[0][1]
            caption = text[value_end:].strip()
            value = parse_value(text[:value_end], order)
            facts.append(
                Fact(_clean_label(caption), value, split_box(line.box, text, 0, value_end), "same_line", index,
                     split_box(line.box, text, value_end, len(text)), line.score * PAIRING_WEIGHT["same_line"] * 0.9)
            )  # fmt: skip
            paired |= {(s, e) for s, e, _ in spans if e <= value_end}
        elif spans:
            start, end, value = spans[-1]
            prefix = text[:start]
            tail = text[end:].strip()
            unclosed = prefix.count("(") + prefix.count("（") > prefix.count(")") + prefix.count("）")
            per_thing = PER_THING.fullmatch(tail) is not None  # "Weight 4.7 g per earbud"
            if looks_like_label(prefix) and (per_thing or not _WORDY.search(tail)) and len(spans) == 1 and not unclosed:
                facts.append(
                    _fact(
                        line,
                        index,
                        _clean_label(prefix),
                        text[start:],
                        start,
                        len(text),
                        "same_line",
                        order,
                        len(prefix.rstrip()),
                    )
                )
                paired.add((start, end))
        if not match and not paired:
            glued = _glued_label(text)
            if glued is not None:
                label, start = glued
                fact = _fact(line, index, label, text[start:], start, len(text), "same_line", order, start)
                facts.append(replace(fact, score=fact.score * 0.8))
        for paren in _PARENS.finditer(text):
            inner = paren.group("inner")
            for start, end, value in spans:
                if not (paren.start("inner") <= start and end <= paren.end("inner")):
                    continue
                inner_label = _clean_label(inner[: start - paren.start("inner")])
                outer = _clean_label(text[: paren.start()])
                outer = _SEPARATOR.sub(lambda m: m.group("value"), outer) if ":" in outer or "：" in outer else outer
                label = " ".join(part for part in (outer, inner_label) if part)
                if not label:
                    continue
                facts.append(
                    Fact(
                        label,
                        value,
                        split_box(line.box, text, start, end),
                        "parenthesised",
                        index,
                        split_box(line.box, text, 0, paren.start()),
                        line.score * PAIRING_WEIGHT["parenthesised"],
                    )
                )
                paired.add((start, end))
        for start, end, value in spans:
            if (start, end) in paired and len(spans) == 1:
                continue
            label = _clean_label(_label_before(text, start))
            facts.append(
                Fact(
                    label,
                    value,
                    split_box(line.box, text, start, end),
                    "standalone",
                    index,
                    split_box(line.box, text, 0, start) if label else None,
                    line.score * PAIRING_WEIGHT["standalone"],
                )
            )
    return facts


_UNDERSCORES = re.compile(r"^(?P<label>[^_]{2,30}?)_{1,}(?P<value>[^_].*)$")
_CAPS_WORD = re.compile(r"^[A-Z0-9#&./()'-]*[A-Z][A-Z0-9#&./()'-]*$")
_CAMEL = re.compile(r"^(?P<label>[A-Z][a-z]{3,})(?P<value>[A-Z][a-z]{3,}.*)$")
_ZH_LABEL_SPACE = re.compile(r"^(?P<label>[\u4e00-\u9fff]{2,6})\s+(?P<value>\S.{0,15})$")


def _glued_label(text: str) -> tuple[str, int] | None:
    """(label, where the value starts) for a form line whose label and value OCR ran together.

    Forms print a label and the entry typed after it with no colon: "PROJECT LEADER Williams/Giordano"
    (capitals, then a mixed-case entry), "DIVISION_Analytical-Radiochemistry" (the blank's
    underline), "DivisionSales" (two words glued), "文化程度 本科" (a short label, a space, the entry).
    """
    if (m := _UNDERSCORES.match(text)) and looks_like_label(m.group("label")) and _WORDY.search(m.group("value")):
        return _clean_label(m.group("label")), m.start("value")
    words = text.split(" ")
    caps = 0
    while caps < len(words) and _CAPS_WORD.match(words[caps]) and len(words[caps]) >= 1:
        caps += 1
    if 0 < caps < len(words) and re.search(r"[a-z]", words[caps]) and _WORDY.search(" ".join(words[:caps])):
        label = " ".join(words[:caps])
        if looks_like_label(label) and len(re.findall(r"[A-Z]", label)) >= 4:  # not "USB cable"
            return _clean_label(label), len(label) + 1
    if (m := _CAMEL.match(text)) and " " not in m.group("label") and len(text) <= 30:
        return m.group("label"), m.start("value")
    if m := _ZH_LABEL_SPACE.match(text):
        return m.group("label"), m.start("value")
    return None


def _caption_after(text: str, spans: list[tuple[int, int, Value]]) -> bool:
    """Whether the words after a leading date (and time) are a caption: wordy, with no other value."""
    end = spans[1][1] if len(spans) > 1 and spans[1][2].kind == "time" else spans[0][1]
    rest = [s for s in spans if s[0] >= end]
    return bool(_WORDY.search(text[end:])) and not rest and len(text[end:].strip()) >= 2


def _label_before(text: str, start: int) -> str:
    """The words just before a value inside its line ("合计 ¥120 共3件" → '共' for 3件), if label-like."""
    before = (
        re.split(r"[\s,，;；|]{2,}|[,，;；|（()）【】\[\]]", text[:start].rstrip())[-1] if text[:start].strip() else ""
    )
    before = (
        _SEPARATOR.sub(lambda m: m.group("value"), before) if before.count(":") + before.count("：") > 1 else before
    )
    return before if looks_like_label(before) else ""


def _fact(
    line: OcrLine, index: int, label: str, value_text: str, start: int, end: int, pairing: Pairing,
    order: DateOrder, label_end: int,
) -> Fact:  # fmt: skip
    return Fact(
        label=label,
        value=_typed(value_text, label, order),
        value_box=split_box(line.box, line.text, start, end),
        pairing=pairing,
        line=index,
        label_box=split_box(line.box, line.text, 0, label_end),
        score=line.score * PAIRING_WEIGHT[pairing],
    )


def from_tables(tables: Iterable[TableGrid], lines: tuple[OcrLine, ...]) -> list[Fact]:
    """Every body cell as a fact labelled by its row's label cell and its column header."""
    facts = []
    for table in tables:
        for row in table.cells:
            for cell in row:
                if cell.column == table.label_column or not cell.text:
                    continue
                label = " ".join(part for part in (cell.row_header, cell.column_header) if part)
                facts.append(
                    Fact(
                        label,
                        cell.value,
                        cell.box,
                        "table_cell",
                        _line_of(lines, cell.box),
                        None,
                        PAIRING_WEIGHT["table_cell"],
                    )
                )
    return facts


def from_neighbours(
    lines: tuple[OcrLine, ...], rows: Sequence[Sequence[int]], facts: Iterable[Fact], order: DateOrder
) -> list[Fact]:
    """A line that is one whole value, with no label yet, labelled by the line left of it or just above.

    Timelines and feeds caption a date with a sentence ("Picked up by carrier — Leeds" over
    "26 Jul 2023 16:43"); such a label is too long to look like a field name, so these pairings
    are proposed only for values nothing else labelled, and scored lower.
    """
    labelled = {f.line for f in facts if f.pairing != "standalone" and f.label}
    row_of = {i: (r, pos) for r, row in enumerate(rows) for pos, i in enumerate(row)}
    found = []
    for index, line in enumerate(lines):
        if index in labelled or index not in row_of:
            continue
        value = parse_value(line.text, order)
        if value.kind in ("text", "name"):
            continue
        r, _ = row_of[index]
        row = [i for i in rows[r] if _MEANINGFUL.search(lines[i].text)]  # bullets "●" are no neighbours
        pos = row.index(index) if index in row else 0
        candidates = [row[pos - 1]] if pos > 0 else []
        candidates += [i for i in rows[r - 1] if _just_above(lines[i].box, line.box)] if r > 0 else []
        if pos == 0 and len(row) == 2:  # "2024-04-09 21:50   【北京】快件运输中": the caption follows
            candidates.append(row[1])
        for other in candidates:
            text = lines[other].text
            if _WORDY.search(text) and parse_value(text, order).kind in ("text", "name") and len(text) <= 80:
                pairing: Pairing = "label_above" if other not in rows[r] else "label_left" if pos else "same_line"
                weight = 0.8 * PAIRING_WEIGHT[pairing]
                found.append(Fact(_clean_label(text), value, line.box, pairing, index, lines[other].box,
                                  min(line.score, lines[other].score) * weight))  # fmt: skip
                break
    return found


def from_row_pairs(
    lines: tuple[OcrLine, ...], rows: Sequence[Sequence[int]], facts: Iterable[Fact], order: DateOrder
) -> list[Fact]:
    """Every label-like line with the line right of it, when nothing paired that label yet.

    A form row such as "学生签名  史狄飞  家长签名  史育" has entries that look like labels too, so
    the layout's key–value pass leaves them; the question names the label, so proposing each
    left-right pair (scored low) lets the resolver pick the one it asks for.
    """
    named = {f.label for f in facts}
    line_h = typical_height(lines)
    found = []
    for row in rows:
        for left, right in itertools.pairwise(row):
            label = _clean_label(lines[left].text)
            if label in named or not looks_like_label(lines[left].text) or not _MEANINGFUL.search(lines[right].text):
                continue
            if lines[right].box[0] - lines[left].box[2] > 10 * line_h:
                continue
            weight = 0.6 * PAIRING_WEIGHT["label_left"]
            value = _typed(lines[right].text, label, order)
            score = min(lines[left].score, lines[right].score) * weight
            found.append(Fact(label, value, lines[right].box, "label_left", right, lines[left].box, score))
    return found


def _just_above(upper: Box, lower: Box) -> bool:
    h = max(1.0, lower[3] - lower[1])
    return 0 <= lower[1] - upper[3] < 1.2 * h and abs(upper[0] - lower[0]) < 1.5 * h


def dedupe(facts: Iterable[Fact]) -> tuple[Fact, ...]:
    """One fact per (label, value, place): the best-scored pairing survives, reading order kept."""
    best: dict[tuple[str, str, int], Fact] = {}
    order: list[tuple[str, str, int]] = []
    for fact in facts:
        key = (fact.label, fact.value.raw, fact.line)
        if key not in best:
            order.append(key)
            best[key] = fact
        elif fact.score > best[key].score:
            best[key] = fact
    return tuple(best[key] for key in order)
