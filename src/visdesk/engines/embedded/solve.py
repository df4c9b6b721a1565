"""The generic path: (Document, QuerySpec) → operation → Reply, or None when not confident.

Why None rather than a guess: the composer asks this path first for every question (after the
registered explainers and chart-structure questions), and a path that is unsure must leave the
question to the next stage (or to the honest "not found"), never state a value it did not find.
"""

from __future__ import annotations

from visdesk.engines.embedded.fact_operations import on_facts, prints_total
from visdesk.engines.embedded.lexicon import cues
from visdesk.engines.embedded.operations import (
    Outcome,
    holds,
    is_stem_leaf,
    lookup,
    on_chart,
    on_table,
    pick_choice,
    verify_state,
)
from visdesk.engines.embedded.presence import row_yesno, verify_presence, verify_value
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply
from visdesk.engines.embedded.resolve import THRESHOLD
from visdesk.engines.embedded.row_states import rows_in_state
from visdesk.engines.embedded.wording import say_outcome
from visdesk.perception.document import Document

TABLE_OPERATIONS = frozenset(
    {
        Operation.SUM, Operation.DIFFERENCE, Operation.MEAN, Operation.MEDIAN, Operation.MODE, Operation.RANGE,
        Operation.RATE, Operation.COUNT, Operation.ARGMAX, Operation.ARGMIN, Operation.COMPARE, Operation.FRACTION,
    }
)  # fmt: skip
"""Operations answered over tables and charts (a plain lookup is the resolver's, over every fact)."""


def solve(document: Document, spec: QuerySpec) -> Reply | None:
    """The reply the generic operations give, when one is confident enough to state."""
    if spec.operation is Operation.VERIFY:
        verified = _verify(document, spec)
        if verified is not None:
            return say_outcome(verified, spec.language)
    if spec.choices:
        picked = pick_choice(document, spec)
        if picked is not None:
            return say_outcome(picked, spec.language, choice=True)
    flagged = rows_in_state(document, spec)  # "Which test is above the reference range?"
    if flagged is not None:
        return say_outcome(flagged, spec.language)
    outcome = on_facts(document, spec)  # a bill's named lines added up, an amount asked by its unit
    if outcome is None and spec.operation in (*TABLE_OPERATIONS, Operation.LOOKUP):
        outcome = _tables(document, spec)
    if outcome is not None and outcome.detail == "column" and prints_total(document):
        return None  # 'total cost' on a page that prints its total: the printed one answers
    plain = outcome is None or (outcome.operation is spec.operation and not outcome.computed)
    if spec.operation is Operation.LOOKUP and outcome is not None and plain:
        resolved = lookup(document, spec)  # one printed value: the resolver ranks every fact, cell and mark
        if resolved is not None and resolved.confidence >= THRESHOLD:
            outcome = resolved
    if outcome is None and spec.operation in (Operation.LOOKUP, Operation.COMPARE):
        outcome = _compare(lookup(document, spec), spec)
    if outcome is None or outcome.confidence < THRESHOLD:
        return None
    return say_outcome(outcome, spec.language)


def _verify(document: Document, spec: QuerySpec) -> Outcome | None:
    """A yes/no, most specific reading first: a named table row (in stock? normal?), the printed status
    (approved? shipped?), a field's value as claimed ("Is my seat 14A?"), then whether it is shown at all.
    A state the page does not print is no "No": nothing is said (the composer says what is missing)."""
    return (
        row_yesno(document, spec)
        or (verify_state(document, spec) if spec.state else None)
        or verify_value(document, spec)
        or (verify_presence(document, spec) if not spec.choices and (not spec.state or _asks_cause(spec)) else None)
    )


def _asks_cause(spec: QuerySpec) -> bool:
    """"Did it fail because of an expired card?": whether the page states that cause (a state word inside
    a cause is no status to look up)."""
    return any(marker in spec.question.casefold() for marker in cues(spec.language).causes)


def _tables(document: Document, spec: QuerySpec) -> Outcome | None:
    """Charts first (a chart's marks are the more specific reading of a page that also lines up as a
    grid), then tables."""
    plots = any(is_stem_leaf(t) for t in document.tables)  # a stem-and-leaf plot is no bar chart
    for chart in () if plots else document.charts:
        outcome = on_chart(chart, spec, document.lines)
        if outcome is not None:
            return outcome
    for table in document.tables:
        outcome = on_table(table, spec)
        if outcome is not None:
            return outcome
    return None


def _compare(found: Outcome | None, spec: QuerySpec) -> Outcome | None:
    """A looked-up value checked against the question's threshold ('Is the total over 100?')."""
    if found is None or spec.operation is not Operation.COMPARE:
        return found
    if found.number is None or spec.threshold is None:
        return None
    found.verdict = holds(found.number, spec.comparator or ">", spec.threshold)
    return found
