"""Yes/no presence questions and describe/summarise: answers about what the image shows as a whole."""

from __future__ import annotations

import re

from visdesk.domain import Perception
from visdesk.engines.embedded.intents import Intent
from visdesk.engines.embedded.labels import normalise
from visdesk.engines.embedded.reply import Reply, ev, say
from visdesk.engines.embedded.troubleshoot import salient_lines

_GENERIC = re.compile(
    r"图中|图片|图上|是否|有没有|有无|显示|出现|包含|标识|标志|标签|图标|字样|信息|请只回答是或否|只回答|回答|是或否|"
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
    "支付失败": "payment failed",
    "缺货": "out of stock",
}


def _core(question: str) -> str:
    return normalise(_GENERIC.sub(" ", question))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def answer_yesno(intent: Intent, seen: Perception, question: str, lang: str) -> Reply:
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
            if variant in text:
                score = 1.0
            else:
                grams = _bigrams(variant)
                score = len(grams & _bigrams(text)) / len(grams)
            if score > best_score:
                best_line, best_score = line, score
    present = best_score >= 0.6 and best_line is not None
    if present and best_line is not None:
        detail = f"图中有“{best_line.text}”。" if lang == "zh" else f"The image shows “{best_line.text}”."
        text = say("yes", lang) + ("。" if lang == "zh" else ". ") + detail
        return Reply(text=text, evidence=[ev(best_line)], value=say("yes", lang), confident=best_score >= 0.8)
    detail = "图中没有看到相关内容。" if lang == "zh" else "I don't see it in the image."
    text = say("no", lang) + ("。" if lang == "zh" else ". ") + detail
    return Reply(text=text, value=say("no", lang), confident=bool(seen.lines))


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
