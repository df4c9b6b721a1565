"""The composed reply (before streaming) and the bilingual phrases every handler shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from visdesk.domain import Box, Evidence, OcrLine, Passage, Recommendation, Source


@dataclass
class Reply:
    text: str
    evidence: list[Evidence] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    structured: dict[str, Any] | None = None
    confident: bool = True
    value: str = ""  # the bare answer value (for constrained outputs), when there is one
    recommendations: list[Recommendation] = field(default_factory=list)  # catalog products (explainers)

    def sources(self) -> tuple[Source, ...]:
        seen: set[tuple[str, str]] = set()
        out = []
        for p in self.passages:
            if (p.doc_id, p.section) in seen:
                continue
            seen.add((p.doc_id, p.section))
            out.append(Source(p.title, p.section, p.source, p.text[:160]))
        return tuple(out)


def ev(line: OcrLine) -> Evidence:
    return Evidence(line.text, line.box)


def ev_box(text: str, box: Box) -> Evidence:
    return Evidence(text, box)


PHRASES: dict[str, dict[str, str]] = {
    "field": {"zh": "{label}是 {value}。", "en": "The {label} is {value}."},
    "not_found": {
        "zh": "抱歉，我在图片中没有找到“{target}”。",
        "en": "Sorry, I can't find “{target}” in the image.",
    },
    "nothing_read": {
        "zh": "抱歉，我没能从图片中识别出文字。",
        "en": "Sorry, I couldn't read any text in the image.",
    },
    "no_image": {
        "zh": "请上传相关的截图或照片（例如订单详情页），我会根据图片为您解答。",
        "en": "Please upload a screenshot or photo (for example the order page) and I'll answer from it.",
    },
    "suggest": {
        "zh": "请上传更清晰、完整的截图（例如订单详情页），或联系人工客服。",
        "en": "Please send a clearer, complete screenshot (for example the order page), or ask a human agent.",
    },
    "unsure": {"zh": "我不太确定，", "en": "I'm not fully sure, but "},
    "shows": {"zh": "图中显示：", "en": "The image shows: "},
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "kb": {"zh": "根据帮助中心：", "en": "From our help centre: "},
}


def say(key: str, lang: str, **values: str) -> str:
    return PHRASES[key][lang].format(**values)


def cannot_find(target: str, lang: str) -> Reply:
    """The honest 'not found' reply with what would help."""
    sep = "" if lang == "zh" else " "
    text = (
        say("not_found", lang, target=target or ("相关内容" if lang == "zh" else "that")) + sep + say("suggest", lang)
    )
    return Reply(text=text, confident=False)
