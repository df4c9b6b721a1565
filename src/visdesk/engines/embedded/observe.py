"""Yes/no presence questions and describe/summarise: answers about what the image shows as a whole."""

from __future__ import annotations

import re

from visdesk.domain import OcrLine, Perception
from visdesk.engines.embedded.explainers.troubleshoot import salient_lines
from visdesk.engines.embedded.intents import Intent
from visdesk.engines.embedded.labels import SYNONYMS, fields_in, normalise
from visdesk.engines.embedded.reply import Reply, ev, ev_box, say
from visdesk.engines.embedded.tables import row_flag
from visdesk.perception.facts import parse_amount

_GENERIC = re.compile(
    r"[（(][^）)]*[）)]|是/否|图中|图片|图上|是否|有没有|有无|显示|出现|包含|标识|标志|标签|图标|字样|信息|请只回答是或否|只回答|回答|是或否|"
    r"\b(?:is|are|there|does|do|did|the|a|an|any|image|picture|photo|show|shows|contain|contains|have|has|"
    r"mention|mentions|logo|mark|label|sign|badge|text|word|on|in|it|this|visible|see|you|can|answer|yes|no|or|only|"
    r"with|please)\b|[?？。，,.!！:：]",
    re.IGNORECASE,
)
_CROSS = {  # a few zh↔en concept pairs for presence questions
    "有机": "organic",
    "认证": "certified",
    "绿色食品": "green food",
    "进口": "imported",
    "无糖": "sugar free",
    "保修": "warranty",
    "发票": "invoice",
    "已签收": "delivered",
    "已发货": "shipped",
    "退款": "refund",
    "支付成功": "payment successful",
    "3c": "ccc",
    "支付失败": "payment failed",
    "缺货": "out of stock",
}


def _core(question: str) -> str:
    return normalise(_GENERIC.sub(" ", question))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


_IN_STOCK = re.compile(r"库存|有货|有没有货|in stock|available|stock", re.IGNORECASE)
_NORMAL = re.compile(r"正常|normal|within range|ok\b", re.IGNORECASE)
_ABNORMAL_WORDS = re.compile(r"偏高|偏低|高|低|异常|↑|↓|\bH\b|\bL\b|high|low|abnormal", re.IGNORECASE)


def _yes_no(yes: bool, lang: str, detail: str) -> str:
    return say("yes" if yes else "no", lang) + ("。" if lang == "zh" else ". ") + detail


def _table_yesno(seen: Perception, question: str, lang: str) -> Reply | None:
    """'Is Desk Lamp in stock?', '肌酐正常吗？' — judged from the row the question names."""
    q = normalise(question)
    for table in seen.tables:
        for r, row in enumerate(table.rows):
            name = normalise(row[0]) if row else ""
            if not name or name not in q:
                continue
            cells = dict(zip(table.header, row, strict=False))
            boxes = table.cell_boxes[r] if table.cell_boxes else ()
            evidence = [ev_box(text, box) for text, box in zip(row, boxes, strict=False)]
            if _IN_STOCK.search(question):
                stock = next((v for h, v in cells.items() if _IN_STOCK.search(h) or "库存" in h), None)
                if stock is not None:
                    amount = parse_amount(stock)
                    yes = amount > 0 if amount is not None else not re.search(r"无|缺|out|sold", stock, re.I)
                    return Reply(
                        _yes_no(yes, lang, f"{row[0]}: {stock}"), evidence, value=say("yes" if yes else "no", lang)
                    )
            if _NORMAL.search(question) or _ABNORMAL_WORDS.search(question):
                abnormal = row_flag(row) is not None
                asked_normal = bool(_NORMAL.search(question))
                yes = (not abnormal) if asked_normal else abnormal
                return Reply(_yes_no(yes, lang, " | ".join(row)), evidence, value=say("yes" if yes else "no", lang))
    return None


def answer_yesno(intent: Intent, seen: Perception, question: str, lang: str) -> Reply:
    from_table = _table_yesno(seen, question, lang)
    if from_table is not None:
        return from_table
    core = _core(question)
    variants = {core}
    for zh, en in _CROSS.items():
        if zh in core:
            variants.add(normalise(en))
        if normalise(en) in core:
            variants.add(zh)
    best_line, best_score = None, 0.0
    for line in seen.lines:
        text = normalise(line.text)
        for variant in variants:
            if not variant:
                continue
            if len(variant) <= 3 and variant.isascii():
                # a short mark ("3c", "ccc", "ce") counts only as a whole token: "ccc" is not in "FCC"
                score = 1.0 if _names(" " + line.text.casefold() + " ", variant) else 0.0
            elif variant in text:
                score = 1.0
            else:
                grams = _bigrams(variant)
                score = len(grams & _bigrams(text)) / len(grams)
            if score > best_score:
                best_line, best_score = line, score
    spaced = " ".join(re.sub(r"[^\w]+", " ", _GENERIC.sub(" ", question).casefold()).split())
    spaced += " " + " ".join(variants)
    for line in seen.lines:  # a short mark ("CE", "3C", "ORGANIC") that the question names
        mark = normalise(line.text)
        if 2 <= len(mark) <= 12 and _names(spaced, mark) and best_score < 1.0:
            best_line, best_score = line, 1.0
    if best_score < 0.6 and _CAUSE.search(question):
        cause = _cause_line(seen, question)
        if cause is not None:
            best_line, best_score = cause, 0.7
    present = best_score >= 0.6 and best_line is not None
    if present and best_line is not None:
        detail = f"图中有“{best_line.text}”。" if lang == "zh" else f"The image shows “{best_line.text}”."
        text = say("yes", lang) + ("。" if lang == "zh" else ". ") + detail
        return Reply(text=text, evidence=[ev(best_line)], value=say("yes", lang), confident=best_score >= 0.8)
    detail = "图中没有看到相关内容。" if lang == "zh" else "I don't see it in the image."
    text = say("no", lang) + ("。" if lang == "zh" else ". ") + detail
    return Reply(text=text, value=say("no", lang), confident=bool(seen.lines))


_CAUSE = re.compile(r"because|due to|因为|由于", re.IGNORECASE)
_STOP = {"because", "due", "the", "my", "fail", "failed", "did", "was", "this", "that", "of", "to", "it", "why"}
_ZH_NEAR = str.maketrans({"过": "出"})  # 超过 ≈ 超出


def _cause_line(seen: Perception, question: str) -> OcrLine | None:
    """'Did it fail because of the card limit?': the line naming most of the cause's key words."""
    cause = re.split(r"because of|because|due to|因为|由于", question, maxsplit=1, flags=re.IGNORECASE)[-1]
    cause = _GENERIC.sub(" ", cause)
    words = [w for w in re.findall(r"[a-z0-9]{3,}", cause.casefold()) if w not in _STOP]
    zh = normalise("".join(re.findall(r"[\u4e00-\u9fff]+", cause))).translate(_ZH_NEAR)
    words += [zh[i : i + 2] for i in range(0, len(zh) - 1, 2)]
    if not words:
        return None
    best, best_share = None, 0.0
    for line in seen.lines:
        text = line.text.casefold().translate(_ZH_NEAR)
        share = sum(1 for w in words if w in text) / len(words)
        if share > best_share:
            best, best_share = line, share
    head = words[-1]  # the cause's head noun ("limit", "限额") must be there
    if best is not None and best_share >= 0.5 and head in best.text.casefold().translate(_ZH_NEAR):
        return best
    return _cause_by_field(seen, cause)


def _cause_by_field(seen: Perception, cause: str) -> OcrLine | None:
    """The cause named in the other language: 'card limit' on a page that prints '单笔支付限额'."""
    for field in fields_in(cause)[:1]:
        aliases = [a for a in map(normalise, SYNONYMS[field]) if len(a) >= 2 and a not in _GENERIC_WORDS]
        for line in seen.lines:
            text = normalise(line.text)
            if any(alias in text for alias in aliases):
                return line
    return None


_GENERIC_WORDS = {"amount", "金额", "value", "数值", "card", "payment"}


def _names(core: str, mark: str) -> bool:
    if mark.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(mark)}(?![a-z])", core) is not None
    return mark in normalise(core)


def answer_describe(seen: Perception, lang: str) -> Reply:
    """The salient lines: title, warnings and error codes, then the first lines."""
    order: list[int] = []
    title = seen.extras.get("title")
    if isinstance(title, int):
        order.append(title)
    order.extend(salient_lines(seen))
    order.extend(range(min(4, len(seen.lines))))
    chosen = list(dict.fromkeys(order))[:5]
    lines = [seen.lines[i] for i in chosen]
    sep = "；" if lang == "zh" else "; "
    text = say("shows", lang) + sep.join(f"“{line.text}”" for line in lines)
    text += "。" if lang == "zh" else "."
    return Reply(text=text, evidence=[ev(line) for line in lines])
