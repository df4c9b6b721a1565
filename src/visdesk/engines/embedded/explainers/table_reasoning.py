"""Explainers that need a rule of a domain, not a lookup: market tables and function tables.

Why explainers: "is there a shortage or a surplus at $315?" needs the economics rule (demand above
supply is a shortage) and "is the function linear?" the rule that equal steps of x change y equally;
neither is a property of any one document kind, so they register with a predicate (the question
offers those choices) rather than living in the core operations.
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

from visdesk.domain import EngineRequest
from visdesk.engines.embedded.document_view import document_of
from visdesk.engines.embedded.explainers import register
from visdesk.engines.embedded.operations import Outcome, numeric_columns, question_numbers
from visdesk.engines.embedded.query import QuerySpec
from visdesk.engines.embedded.reply import Reply
from visdesk.engines.embedded.resolve import norm
from visdesk.engines.embedded.wording import say_outcome
from visdesk.perception.document import TableGrid


def _offers(spec: QuerySpec, *words: str) -> bool:
    offered = {norm(c) for c in spec.choices}
    return all(norm(w) in offered for w in words)


def _tables(request: EngineRequest) -> tuple[TableGrid, ...]:
    seen = request.grounding.seen
    return document_of(seen).tables if seen is not None and seen.lines else ()


def _market_applies(spec: QuerySpec, request: EngineRequest) -> bool:
    return _offers(spec, "shortage", "surplus")


def _market(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    """At the asked price, quantity demanded above quantity supplied is a shortage, below a surplus."""
    asked = question_numbers(spec.question)
    for table in _tables(request):
        demand = next((c for c, h in enumerate(table.columns) if re.search(r"demand", h, re.I)), None)
        supply = next((c for c, h in enumerate(table.columns) if re.search(r"suppl", h, re.I)), None)
        if demand is None or supply is None or not asked:
            continue
        for row in table.cells:
            price = row[table.label_column].value.number if table.label_column < len(row) else None
            if price is None or abs(price - asked[0]) > 1e-6 or max(demand, supply) >= len(row):
                continue
            wanted, offered = row[demand].value.number, row[supply].value.number
            if wanted is None or offered is None or wanted == offered:
                return None
            choice = next(c for c in spec.choices if norm(c) == ("shortage" if wanted > offered else "surplus"))
            evidence = [(row[demand].text, row[demand].box), (row[supply].text, row[supply].box)]
            return say_outcome(Outcome(spec.operation, choice, evidence=evidence), spec.language, choice=True)
    return None


def _pairs(table: TableGrid) -> list[tuple[float, float]]:
    numeric = numeric_columns(table)
    if len(numeric) < 2:
        return []
    x, y = numeric[0], numeric[1]
    out: list[tuple[float, float]] = []
    for row in table.cells:
        if max(x, y) >= len(row):
            continue
        a, b = row[x].value.number, row[y].value.number
        if a is not None and b is not None:
            out.append((a, b))
    return out


def _linear_applies(spec: QuerySpec, request: EngineRequest) -> bool:
    return _offers(spec, "linear", "nonlinear")


def _linear(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    """Linear when every step of x changes y by the same rate (Δy/Δx constant)."""
    for table in _tables(request):
        pairs = _pairs(table)
        if len(pairs) < 3:
            continue
        rates = {
            Fraction(y2 - y1).limit_denominator(1000) / Fraction(x2 - x1).limit_denominator(1000)
            for (x1, y1), (x2, y2) in itertools.pairwise(pairs)
            if x2 != x1
        }
        word = "linear" if len(rates) == 1 else "nonlinear"
        choice = next((c for c in spec.choices if norm(c) == word), word)
        return say_outcome(Outcome(spec.operation, choice), spec.language, choice=True)
    return None


def _function_applies(spec: QuerySpec, request: EngineRequest) -> bool:
    return _offers(spec, "yes", "no") and re.search(r"\bfunction\b|函数", spec.question, re.I) is not None


def _function(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    """A relation is a function when no x is paired with two different y values."""
    for table in _tables(request):
        pairs = _pairs(table)
        if len(pairs) < 2:
            continue
        images: dict[float, set[float]] = {}
        for x, y in pairs:
            images.setdefault(x, set()).add(y)
        word = "yes" if all(len(v) == 1 for v in images.values()) else "no"
        choice = next((c for c in spec.choices if norm(c) == word), word)
        return say_outcome(Outcome(spec.operation, choice), spec.language, choice=True)
    return None


register("market_table", _market_applies, _market, priority=50)
register("linear_table", _linear_applies, _linear, priority=50)
register("function_table", _function_applies, _function, priority=50)
