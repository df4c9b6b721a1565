"""Composition: question → Reply, with clear fallbacks and constrained outputs applied last.

Order: registered explainers (errors, crashes, statuses, products), chart-structure questions (axes,
legend colours), then the generic parse → resolve → operate path for everything else. What that
path does not answer yet falls to the older per-question handlers (presence yes/no, describe and a
few lookups, listed in docs/embedded-engine.md), and a handler that finds nothing must never
invent: the chain ends in an honest "not found" with what would help.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from visdesk.domain import EngineRequest, Perception
from visdesk.engines.embedded import constrained
from visdesk.engines.embedded.chart_axes import answer_axes, asks_about_structure
from visdesk.engines.embedded.charts import answer_chart
from visdesk.engines.embedded.document_view import document_of
from visdesk.engines.embedded.explainers import explain_first
from visdesk.engines.embedded.explainers.troubleshoot import answer_crash, answer_troubleshoot
from visdesk.engines.embedded.fact_operations import named_line
from visdesk.engines.embedded.fields import answer_field
from visdesk.engines.embedded.intents import Intent, classify
from visdesk.engines.embedded.observe import answer_describe, answer_yesno
from visdesk.engines.embedded.query import Operation, QuerySpec, parse_question
from visdesk.engines.embedded.reply import Reply, cannot_find, say
from visdesk.engines.embedded.solve import solve
from visdesk.engines.embedded.tables import answer_table
from visdesk.engines.embedded.wording import say_outcome, tighten

Handler = Callable[[], Reply | None]
_CRASHY = re.compile(r"类|包名|文件|错误|异常|版本|崩溃|闪退|class|package|file|error|exception|version|crash", re.I)


def compose(request: EngineRequest) -> Reply:
    """The full reply for one request (constrained options applied)."""
    query = request.query
    lang = query.language
    seen = request.grounding.seen
    intent = classify(query.question)
    spec = parse_question(query.question, lang)
    reply = explain_first(spec, request) or _structure(request, spec) or _generic(spec, seen)
    if reply is None:  # what the generic path does not answer yet: the older per-question handlers
        reply = _answer(intent, seen, request, lang)
        if reply.confident and seen is not None and seen.lines:
            reply = _named(spec, seen, reply)
    reply = tighten(reply, spec.expected, spec.quoted)
    options = query.options
    if options.response_format:
        reply = constrained.fill_schema(options.response_format, seen, query.question, lang)
    elif options.regex:
        reply = constrained.match_regex(reply, options.regex, seen, lang)
    elif options.choices:
        reply = constrained.choose(reply, options.choices, seen, query.question, lang)
    return reply


def _structure(request: EngineRequest, spec: QuerySpec) -> Reply | None:
    """Axis and legend questions ("What does dark blue stand for?"): read from the chart's pixels. A yes/no
    naming a colour ("图中是否显示绿色食品标识？") asks whether something is shown, not what a colour means."""
    seen, query = request.grounding.seen, request.query
    if seen is None or not seen.lines or spec.operation is Operation.VERIFY or not asks_about_structure(query.question):
        return None
    return answer_axes(seen, query.image, query.question, query.language)


def _generic(spec: QuerySpec, seen: Perception | None) -> Reply | None:
    """The parse → resolve → operate answer, or None when it is not confident."""
    if seen is None or not seen.lines:
        return None
    return solve(document_of(seen), spec)


def _named(spec: QuerySpec, seen: Perception, reply: Reply) -> Reply:
    """A handler's lookup answered from another line than the one the question names verbatim
    ('How much was roaming?' answered with the balance due) gives way to that line's value."""
    found = named_line(document_of(seen), spec)
    if found is None or found.value == reply.value or any(found.value in e.text for e in reply.evidence):
        return reply
    return say_outcome(found, spec.language)


def _answer(intent: Intent, seen: Perception | None, request: EngineRequest, lang: str) -> Reply:
    question = request.query.question
    passages = request.grounding.passages
    if seen is None:
        if intent.kind in ("troubleshoot", "crash") and passages:
            return answer_troubleshoot(None, passages, lang)
        return Reply(text=say("no_image", lang), confident=False)
    if not seen.lines:
        if intent.kind == "troubleshoot" and passages:
            return answer_troubleshoot(seen, passages, lang)
        return Reply(text=say("nothing_read", lang) + say("suggest", lang), confident=False)

    handlers: dict[str, Handler] = {
        "yesno": lambda: answer_yesno(intent, seen, question, lang),
        "crash": lambda: answer_crash(seen, passages, lang),
        "troubleshoot": lambda: answer_troubleshoot(seen, passages, lang),
        "table": lambda: answer_table(intent, seen, question, lang),
        "chart": lambda: answer_chart(intent, seen, question, lang),
        "field": lambda: answer_field(intent, seen, passages, lang),
        "describe": lambda: answer_describe(seen, lang),
        "axes": lambda: answer_axes(seen, request.query.image, question, lang),
    }
    order = {
        "yesno": ["yesno"],
        "crash": ["crash", "troubleshoot"],
        "troubleshoot": ["crash", "troubleshoot"] if intent.cues.get("crash") else ["troubleshoot"],
        "table": ["table", "chart", "field"],
        "describe": ["crash", "describe"],
        "field": ["chart", "table", "field"],
    }[intent.kind]
    if intent.kind == "field" and intent.cues.get("describe"):
        order = [*order, "describe"]
    if seen.extras.get("facts", {}).get("exception") and _CRASHY.search(question) and intent.kind != "yesno":
        order = ["crash", *order]
    if intent.kind not in ("yesno", "crash", "troubleshoot") and asks_about_structure(question):
        order = ["axes", *order]
    for name in order:
        reply = handlers[name]()
        if reply is not None:
            return reply
    return cannot_find(intent.quoted or intent.target, lang)
