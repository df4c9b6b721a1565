"""Composition: question → Reply, with clear fallbacks and constrained outputs applied last.

Order: registered explainers (crashes, errors and statuses to troubleshoot, chart structure — axes and
legend colours read from pixels —, product compatibility, descriptions), then the generic
parse → resolve → operate path for every other question. Nothing here branches on a document kind,
and nothing may invent: when no stage is confident the reply says honestly what was looked for and
what would help.
"""

from __future__ import annotations

from visdesk.domain import EngineRequest, Perception
from visdesk.engines.embedded import constrained
from visdesk.engines.embedded.document_view import document_of
from visdesk.engines.embedded.explainers import explain_first
from visdesk.engines.embedded.query import QuerySpec, parse_question
from visdesk.engines.embedded.reply import Reply, cannot_find, say
from visdesk.engines.embedded.solve import solve
from visdesk.engines.embedded.wording import tighten


def compose(request: EngineRequest) -> Reply:
    """The full reply for one request (constrained options applied)."""
    query = request.query
    lang = query.language
    seen = request.grounding.seen
    spec = parse_question(query.question, lang)
    reply = explain_first(spec, request) or _generic(spec, seen) or _missing(spec, seen)
    reply = tighten(reply, spec.expected, spec.quoted)
    options = query.options
    if options.response_format:
        reply = constrained.fill_schema(options.response_format, seen, query.question, lang)
    elif options.regex:
        reply = constrained.match_regex(reply, options.regex, seen, lang)
    elif options.choices:
        reply = constrained.choose(reply, options.choices, seen, query.question, lang)
    return reply


def _generic(spec: QuerySpec, seen: Perception | None) -> Reply | None:
    """The parse → resolve → operate answer, or None when it is not confident."""
    if seen is None or not seen.lines:
        return None
    return solve(document_of(seen), spec)


def _missing(spec: QuerySpec, seen: Perception | None) -> Reply:
    """What to say when nothing answered: no image, nothing legible, or what was looked for and not found."""
    if seen is None:
        return Reply(text=say("no_image", spec.language), confident=False)
    if not seen.lines:
        return Reply(text=say("nothing_read", spec.language) + say("suggest", spec.language), confident=False)
    return cannot_find(spec.quoted or spec.target, spec.language)
