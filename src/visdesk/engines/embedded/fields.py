"""Field lookup: the value the customer asked for, quoted exactly as printed, with its boxes.

Order of trust: a printed label that matches the question (key–value pairs from the layout),
then a line that names the label with its value beside or under it, then a typed fact of the
right kind (a date, an amount, a tracking number), then product specs from the knowledge base.
"""

from __future__ import annotations

import re
from typing import Any

from visdesk.domain import Box, OcrLine, Passage, Perception
from visdesk.engines.embedded.intents import Intent
from visdesk.engines.embedded.labels import (
    FIELD_FACTS,
    SYNONYMS,
    display_label,
    label_score,
    normalise,
    similarity,
)
from visdesk.engines.embedded.lexicon import key as lexicon_key
from visdesk.engines.embedded.lexicon import lexicon
from visdesk.engines.embedded.reply import Reply, ev, ev_box, say
from visdesk.perception.facts import PATTERNS, parse_amount
from visdesk.perception.geometry import split_box

SURE = 0.8
MAYBE = 0.62


def answer_field(intent: Intent, seen: Perception, passages: tuple[Passage, ...], lang: str) -> Reply | None:
    target = intent.quoted or intent.target
    fields = list(intent.fields)
    if "store" in fields[:1] and not intent.quoted:
        reply = _store_name(seen, lang)
        if reply:
            return reply
    if "status" in fields[:1] and not intent.quoted:
        reply = _status(seen, lang)
        if reply:
            return reply
    if "title" in fields[:1] and not intent.quoted:
        reply = _title(seen, lang)
        if reply:
            return reply
    if intent.quoted:  # a quoted label means that printed label first; its synonyms only as a fallback
        for quoted in (_best_key_value(seen, target, []), _label_line(seen, target, [], include_tables=True)):
            if quoted is not None and quoted[0] >= SURE:
                return _kv_reply(*quoted[1:], lang, confident=True)
    best = _best_key_value(seen, target, fields)
    if best is not None and best[0] >= SURE:
        return _kv_reply(*best[1:], lang, confident=True)
    located = _label_line(seen, target, fields, include_tables=bool(intent.quoted))
    if located is not None and located[0] >= SURE:
        return _kv_reply(*located[1:], lang, confident=True)
    typed_guess = intent.quoted or _names_newer_field(target)  # the page's one date is no "processing date"
    fact = None if typed_guess else _fact(seen, fields, lang) or _total_row_number(seen, fields, lang)
    if fact is not None:
        return fact
    product = _product_spec(passages, target, fields, lang)
    if product is not None:
        return product
    for candidate in (best, located):
        if candidate is not None and candidate[0] >= MAYBE:
            return _kv_reply(*candidate[1:], lang, confident=False)
    return None


def _names_newer_field(target: str) -> bool:
    """Whether the question names a field only the lexicon knows (departure, processed_at): the typed-fact
    fallback below would answer it with whatever date or amount the page has, so the resolver answers it."""
    book = lexicon()
    folded = f" {target.casefold()} "
    for entry in book.fields.values():
        if entry.legacy:
            continue
        for alias in entry.all_aliases():
            if lexicon_key(alias) in book.generic:
                continue
            if (f" {alias.casefold()} " if alias.isascii() else alias) in folded:
                return True
    return False


def _kv_reply(key: str, value: str, key_box: Box, value_box: Box, lang: str, *, confident: bool) -> Reply:
    text = say("field", lang, label=display_label(key, lang), value=value)
    if not confident:
        text = say("unsure", lang) + text[0].lower() + text[1:] if lang == "en" else say("unsure", lang) + text
    evidence = [ev_box(value, value_box)]
    if key_box != value_box:
        evidence.append(ev_box(key, key_box))
    return Reply(text=text, evidence=evidence, confident=confident, value=value)


def _best_key_value(seen: Perception, target: str, fields: list[str]) -> tuple[float, str, str, Box, Box] | None:
    best: tuple[float, str, str, Box, Box] | None = None
    best_rank = (-1.0, -1.0, -1.0)
    prefer_last = "total" in fields[:1]
    for kv in seen.key_values:
        fit = round(label_score(kv.key, target, fields) * _fit(fields, kv.key, kv.value), 6)
        score = fit * (0.85 + 0.15 * kv.score)
        # equal fits: the label printed as asked first (订单号 asked: 订单号 before Order ID), then OCR confidence
        rank = (fit, similarity(kv.key, target) if target else 0.0, score)
        if best is None or rank > best_rank or (prefer_last and fit == best_rank[0]):
            best, best_rank = (score, kv.key, kv.value, kv.key_box, kv.value_box), rank
    return best


_TOTAL_NOT = re.compile(
    r"qty|quantity|item|saving|discount|tax|gst(?!.*incl)|sst|excl|cash|change|tender|sub|rounding adj|point|"
    r"数量|件数|优惠|找零|现金|税额|小计",
    re.IGNORECASE,
)
_TOTAL_BEST = re.compile(r"round|grand|nett|net|incl|due|payable|实付|应付|价税合计", re.IGNORECASE)
_DATE_VALUE = PATTERNS["date"]


def _fit(fields: list[str], key: str, value: str) -> float:
    """How plausible `value` under `key` is for the field asked (a total is an amount, a date is a date)."""
    if not fields:
        return 1.0
    field = fields[0]
    if field == "total":
        amount = parse_amount(value)
        if amount is None or amount == 0 or not re.search(r"\d[.,]\d", value):
            return 0.3
        if _TOTAL_NOT.search(key):
            return 0.6
        return 1.05 if _TOTAL_BEST.search(key) else 1.0
    if field in ("date", "ship_date", "production_date", "expiry") and not _DATE_VALUE.search(value):
        return 0.6
    return 1.0


def _label_line(
    seen: Perception, target: str, fields: list[str], include_tables: bool = False
) -> tuple[float, str, str, Box, Box] | None:
    """A line that is the label itself; its value is the next line right in its row, or the line below."""
    rows: list[list[int]] = seen.extras.get("rows", [])
    in_table = set() if include_tables else set(seen.extras.get("table_lines", ()))
    best: tuple[float, str, str, Box, Box] | None = None
    for row_no, row in enumerate(rows):
        for pos, index in enumerate(row):
            if index in in_table:
                continue
            line = seen.lines[index]
            rest = _after_label(line.text, target)
            if rest:
                score = 0.9 * _fit(fields, target, rest[1])
                if best is None or score > best[0]:
                    label_box = split_box(line.box, line.text, 0, rest[0])
                    value_box = split_box(line.box, line.text, rest[0], len(line.text))
                    best = (score, target, rest[1], label_box, value_box)
                continue
            score = label_score(line.text.rstrip(":：. "), target, fields)
            if best is not None and score <= best[0]:
                continue
            value_line = _neighbour(seen, rows, row_no, pos)
            if value_line is not None:
                score *= _fit(fields, line.text, value_line.text)
                if best is None or score > best[0]:
                    best = (score, line.text.rstrip(":： "), value_line.text, line.box, value_line.box)
    return best


def _after_label(text: str, label: str) -> tuple[int, str] | None:
    """(index where the value starts, value) when `text` begins with `label` followed by a value."""
    wanted = normalise(label)
    if len(wanted) < 2:
        return None
    for end in range(1, len(text) + 1):
        got = normalise(text[:end])
        if got == wanted:
            value = text[end:].strip(" :：.#-")
            if not value or (text[end : end + 1].isalnum() and text[end - 1 : end].isalnum()):
                return None
            return len(text) - len(text[end:].lstrip(" :：.#-")), value
        if not wanted.startswith(got):
            return None
    return None


_LABEL_END = re.compile(r"[:：]$|\b(?:by|date|no\.?|name|number|title)$", re.IGNORECASE)


def _neighbour(seen: Perception, rows: list[list[int]], row_no: int, pos: int) -> OcrLine | None:
    row = rows[row_no]
    if pos + 1 < len(row) and not _LABEL_END.search(seen.lines[row[pos + 1]].text):
        return seen.lines[row[pos + 1]]
    label = seen.lines[row[pos]].box
    for index in rows[row_no + 1] if row_no + 1 < len(rows) else []:
        box = seen.lines[index].box
        if box[0] < label[2] and box[2] > label[0] and box[1] - label[3] < 2 * (label[3] - label[1]):
            return seen.lines[index]
    return None


def _fact(seen: Perception, fields: list[str], lang: str) -> Reply | None:
    facts: dict[str, list[dict[str, Any]]] = seen.extras.get("facts", {})
    for field in fields[:2]:
        for kind in FIELD_FACTS.get(field, ()):
            found = facts.get(kind)
            if not found:
                continue
            chosen = _pick_total(seen, found) if field == "total" else found[0]
            line = seen.lines[int(chosen["line"])]
            label = SYNONYMS[field][0] if lang == "zh" else SYNONYMS[field][_first_en(field)]
            reply = Reply(text=say("field", lang, label=label, value=str(chosen["text"])), evidence=[ev(line)])
            reply.value = str(chosen["text"])
            return reply
    return None


_DECIMAL = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})*\.\d{2}(?![\d.])")


def _total_row_number(seen: Perception, fields: list[str], lang: str) -> Reply | None:
    """Receipts that print amounts without a currency: the last decimal number on a 'total' row."""
    if "total" not in fields[:1]:
        return None
    best: tuple[OcrLine, str] | None = None
    for row in seen.extras.get("rows", []):
        texts = " ".join(seen.lines[i].text for i in row)
        norm = normalise(texts)
        if not any(normalise(a) in norm for a in ("total", "合计", "总计", "实付")) or _TOTAL_NOT.search(texts):
            continue
        for index in reversed(row):
            numbers = _DECIMAL.findall(seen.lines[index].text)
            if numbers and (parse_amount(numbers[-1]) or 0) > 0:
                best = (seen.lines[index], numbers[-1])
                break
    if best is None:
        return None
    line, value = best
    label = "合计" if lang == "zh" else "total"
    return Reply(text=say("field", lang, label=label, value=value), evidence=[ev(line)], value=value)


def _first_en(field: str) -> int:
    aliases = SYNONYMS[field]
    return next((i for i, a in enumerate(aliases) if a.isascii()), 0)


def _pick_total(seen: Perception, amounts: list[dict[str, Any]]) -> dict[str, Any]:
    """The amount on a 'total' line when there is one, else the largest amount."""
    for fact in amounts[::-1]:  # reversed() of a list of Any-valued dicts types its items as Any
        text = normalise(seen.lines[int(fact["line"])].text)
        if any(normalise(alias) in text for alias in SYNONYMS["total"][:16]) and "sub" not in text:
            return fact
    return max(amounts, key=lambda f: parse_amount(str(f["text"])) or 0.0)


_COMPANY = re.compile(
    r"\b(?:SDN\.? ?BHD|BHD|PLT|ENTERPRISE|TRADING|RESTAURANT|BAKERY|MART|STORE|SHOP|CAFE|KOPITIAM|HARDWARE|"
    r"SUPERMARKET|PHARMACY|STATIONERY|LTD|LIMITED|INC|LLC|CO\.?|CORP)\b|有限公司|商店|超市|便利店|餐厅|药房|店",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(
    r"\b(?:NO\.?|JALAN|JLN|LOT|ROAD|RD|STREET|ST|TAMAN|LORONG|TEL|FAX|GST|REG|INVOICE|RECEIPT|TAX|DATE|CASHIER)\b|"
    r"路|街|号|电话|发票|收据",
    re.IGNORECASE,
)


def _store_name(seen: Perception, lang: str) -> Reply | None:
    """The shop's name: a company-like line near the top (legal suffix, title size), not an address."""
    title = seen.extras.get("title")
    best, best_score = None, 0.0
    for index, line in enumerate(seen.lines[:8]):
        if not _wordy_name(line.text):
            continue
        score = 1.0 - 0.08 * index
        if _COMPANY.search(line.text):
            score += 1.0
        if _NOT_NAME.search(line.text) or ":" in line.text or "：" in line.text:
            score -= 1.6
        if index == title:
            score += 0.5
        if score > best_score:
            best, best_score = index, score
    if best is None or best_score <= 0:
        return None
    line = seen.lines[best]
    row = next((r for r in seen.extras.get("rows", []) if best in r), [best])
    same_size = [
        i for i in row if abs(_h(seen.lines[i]) - _h(line)) < 0.25 * _h(line) and _wordy_name(seen.lines[i].text)
    ]
    name = " ".join(seen.lines[i].text for i in same_size) if len(same_size) > 1 else line.text
    label = "店名" if lang == "zh" else "store name"
    return Reply(
        text=say("field", lang, label=label, value=name), evidence=[ev(seen.lines[i]) for i in same_size], value=name
    )


def _h(line: OcrLine) -> float:
    return line.box[3] - line.box[1]


_STATUS_WORDS = re.compile(
    r"^(?:已发货|待发货|未发货|已签收|运输中|配送中|派送中|已完成|已取消|待付款|待收货|退款中|已退款|处理中|"
    r"shipped|delivered|awaiting shipment|awaiting payment|in transit|out for delivery|processing|pending|"
    r"cancell?ed|refunded|completed|on hold|ready for pickup|returned)\b",
    re.IGNORECASE,
)


def _status(seen: Perception, lang: str) -> Reply | None:
    """An order's status: a labelled status, else the first line that is a status phrase."""
    for kv in seen.key_values:
        if max(similarity(kv.key, alias) for alias in SYNONYMS["status"]) >= 0.9:
            return _kv_reply(kv.key, kv.value, kv.key_box, kv.value_box, lang, confident=True)
    for line in seen.lines:
        if _STATUS_WORDS.match(line.text.strip()):
            label = "订单状态" if lang == "zh" else "order status"
            return Reply(text=say("field", lang, label=label, value=line.text), evidence=[ev(line)], value=line.text)
    return None


def _title(seen: Perception, lang: str) -> Reply | None:
    """The title: the large line the layout marked (else the first line), with a wrapped second line."""
    title = seen.extras.get("title")
    if not isinstance(title, int):
        title = 0 if seen.lines else None
    if title is None:
        return None
    used = [seen.lines[title]]
    below = seen.lines[title + 1] if title + 1 < len(seen.lines) else None
    # a line of the same size just under it continues the title; a smaller one, or one that lists
    # units and a year ("Total, Percentage, 2005"), is a subtitle
    subtitle = below is not None and re.search(r"(?:19|20)\d\d\b|,.*,", below.text) is not None
    wrapped = below is not None and _h(below) >= 0.85 * _h(used[0]) and _wordy_name(below.text) and not subtitle
    if below is not None and wrapped and 0 <= below.box[1] - used[0].box[3] < 0.8 * _h(used[0]):
        used.append(below)  # a title wrapped onto a second line
    value = " ".join(line.text for line in used)
    label = "标题" if lang == "zh" else "title"
    return Reply(text=say("field", lang, label=label, value=value), evidence=[ev(line) for line in used], value=value)


def _wordy_name(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return (letters >= 3 or cjk >= 2) and letters >= 0.6 * len(text.replace(" ", ""))


def _product_spec(passages: tuple[Passage, ...], target: str, fields: list[str], lang: str) -> Reply | None:
    best: tuple[float, str, str, Passage] | None = None
    for passage in passages:
        if passage.kind != "product":
            continue
        specs = passage.meta.get("specs", passage.meta)
        if not isinstance(specs, dict):
            continue
        for key, value in specs.items():
            if not isinstance(value, str | int | float):
                continue
            score = max(label_score(str(key), target, fields), similarity(str(key), target))
            if best is None or score > best[0]:
                best = (score, str(key), str(value), passage)
    if best is None or best[0] < SURE:
        return None
    _, key, value, passage = best
    name = passage.title
    text = f"{name}的{key}是 {value}。" if lang == "zh" else f"The {key} of {name} is {value}."
    return Reply(text=text, passages=[passage], value=value)
