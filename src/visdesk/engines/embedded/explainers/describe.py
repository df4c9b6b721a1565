"""Describe: "What is this?", "这是什么？", "总结一下" — the lines that say what the image is.

Why an explainer: a description is not one value the resolver can rank but a short list of what a
customer would read first — the title, red or highlighted lines and error codes, then the top of the
page — whatever the document is.
"""

from __future__ import annotations

from visdesk.domain import EngineRequest
from visdesk.engines.embedded.explainers import register
from visdesk.engines.embedded.explainers.troubleshoot import salient_lines
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply, ev, say

MAX_LINES = 5


def _applies(spec: QuerySpec, request: EngineRequest) -> bool:
    seen = request.grounding.seen
    return spec.operation is Operation.DESCRIBE and seen is not None and bool(seen.lines)


def _describe(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    seen = request.grounding.seen
    if seen is None or not seen.lines:
        return None
    order: list[int] = []
    title = seen.extras.get("title")
    if isinstance(title, int):
        order.append(title)
    order.extend(salient_lines(seen))
    order.extend(range(min(4, len(seen.lines))))
    lines = [seen.lines[i] for i in list(dict.fromkeys(order))[:MAX_LINES]]
    lang = spec.language
    sep = "；" if lang == "zh" else "; "
    text = say("shows", lang) + sep.join(f"“{line.text}”" for line in lines) + ("。" if lang == "zh" else ".")
    return Reply(text=text, evidence=[ev(line) for line in lines])


register("describe", _applies, _describe, priority=90)
