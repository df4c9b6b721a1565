"""Operations over a page's labelled facts (a bill's charge lines, a statement's usage lines), not a table.

Why apart from the table operations: a bill prints `电费 ¥128.50` / `水费 ¥36.20` / `用电量 215 kWh` as
label–value lines. A question that adds two named lines ("电费加水费一共多少？") or asks a measured
amount by its unit ("How many kWh did I use?") is answered from those facts; read as a grid of rows,
the same page would be counted ("The count is 5") or answered with its printed total instead.
"""

from __future__ import annotations

import re
from dataclasses import replace

from visdesk.engines.embedded.operations import Outcome, fmt
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.resolve import THRESHOLD, mentioned, norm, rank, similarity, type_fit
from visdesk.perception.document import Document, Fact

_PLUS = re.compile(r"\bplus\b|\+|加上?|\b(?:together|combined|in total|total|sum)\b|一共|总共|合计|共计|加起来", re.I)
"""Words that ask for the named lines added up (checked only when two or more lines are named)."""

_JOINED = re.compile(r"\b(?:and|plus)\b|[&+]|和|加|与|跟|及")
_STANDALONE = ("table_cell", "standalone")


def on_facts(document: Document, spec: QuerySpec) -> Outcome | None:
    """A measured amount asked by its unit, or the sum of the lines the question names."""
    if spec.operation in (Operation.COUNT, Operation.LOOKUP):
        measured = _by_unit(document, spec)
        if measured is not None:
            return measured
    if spec.operation in (Operation.SUM, Operation.LOOKUP):
        return _named_sum(document, spec)
    return None


def _labelled(document: Document) -> list[Fact]:
    """Facts printed with their own label (a table's cells are the table operations' to read)."""
    return [f for f in document.facts if f.label and f.pairing not in _STANDALONE and f.value.number is not None]


def _by_unit(document: Document, spec: QuerySpec) -> Outcome | None:
    """'How many kWh did I use?' on a page printing `用电量 215 kWh`: the one labelled value in that unit
    (a unit word the question spells out, 'minutes' for 'min', counts). None when no value, or
    several, carry the unit, or when the question bounds a count ('more than 5')."""
    if spec.threshold is not None or spec.comparator is not None:
        return None
    asked = [w for w in re.findall(r"[a-z][a-z0-9]*", spec.question.casefold()) if len(w) >= 2]
    hits = {}
    for fact in _labelled(document):
        unit = fact.value.unit.casefold()
        if fact.value.kind != "number" or len(unit) < 2:
            continue
        if any(w == unit or (len(unit) >= 3 and w.startswith(unit)) for w in asked):
            hits[(fact.label, fact.value.raw)] = fact
    if len(hits) != 1:
        return None
    fact = next(iter(hits.values()))
    return Outcome(Operation.LOOKUP, fact.value.raw, fact.label, fact.value.number,
                   evidence=[(f"{fact.label} {fact.value.raw}", fact.value_box)])  # fmt: skip


def _named_sum(document: Document, spec: QuerySpec) -> Outcome | None:
    """'电费加水费一共多少？', 'What is the plan fee plus roaming?': the lines named (row selectors, labels
    the question prints, or the resolver's best match for each selector) added up, when two or more
    of the same kind and currency are named and the question asks for them together."""
    if not _PLUS.search(spec.question) or spec.weights:
        return None  # quantities per row ('4 pounds of pebbles and 5 of sand') are a price table's sum
    facts = _labelled(document)
    named: list[Fact] = []
    for selector in spec.rows:
        best = max(facts, key=lambda f, s=selector: similarity(s, f.label), default=None)  # type: ignore[misc]
        if best is not None and similarity(selector, best.label) >= 0.8:
            named.append(best)
        else:
            found = _resolved(document, spec, selector)
            if found is not None:
                named.append(found)
    named += [f for f in facts if mentioned(spec.question, f.label) >= 0.99 and len(norm(f.label)) >= 2]
    named += _by_field(facts, spec)
    unique: dict[str, Fact] = {}
    for fact in named:
        if not any(norm(fact.label) != norm(o.label) and norm(fact.label) in norm(o.label) for o in named):
            unique.setdefault(norm(fact.label), fact)
    chosen = list(unique.values())
    kinds = {(f.value.kind, f.value.unit) for f in chosen}
    if len(chosen) < 2 or len(kinds) != 1:
        return None
    total = sum(f.value.number or 0.0 for f in chosen)
    value = fmt(total)
    if chosen[0].value.kind == "money":
        printed = chosen[0].value.raw
        affix = re.match(r"^([^\d\s.,-]*)\s*[\d.,]+\s*([^\d\s.,]*)$", printed.strip())
        if affix is not None:
            value = f"{affix.group(1)}{total:,.2f}{affix.group(2)}"
    return Outcome(Operation.SUM, value, "total", total, computed=True,
                   evidence=[(f"{f.label} {f.value.raw}", f.value_box) for f in chosen])  # fmt: skip


def _by_field(facts: list[Fact], spec: QuerySpec, asked: str = "") -> list[Fact]:
    """Lines printed under an alias of a field the question names in either language ('water charge'
    → a printed 水费); the total a question asks for is no line of its own. With `asked`, only a field
    that phrase itself names ('status of this order' asks the status, not the order number)."""
    from visdesk.engines.embedded.lexicon import lexicon

    lex = lexicon()
    out = []
    for name in spec.fields:
        if name == "total":
            continue
        try:
            aliases = {norm(a) for a in lex.aliases(name)}
        except KeyError:
            continue
        if asked and not any(a and a in norm(asked) for a in aliases):
            continue
        out += [f for f in facts if norm(f.label) in aliases]
    return out


def prints_total(document: Document) -> bool:
    """The page prints a total of this kind on a labelled line of its own (an invoice's 价税合计): a
    total worked out of a table's column must not replace it."""
    from visdesk.engines.embedded.lexicon import lexicon

    names = lexicon().aliases("total")
    return any(
        f.value.kind in ("money", "number") and max((similarity(n, f.label) for n in names), default=0.0) >= 0.8
        for f in _labelled(document)
    )


def _resolved(document: Document, spec: QuerySpec, selector: str) -> Fact | None:
    """The labelled fact the resolver ranks first for one selector (its lexicon aliases included)."""
    ranked = rank(document, replace(spec, target=selector, quoted="", operation=Operation.LOOKUP, rows=()))
    for candidate in ranked[:1]:
        if candidate.score >= THRESHOLD and candidate.source == "fact":
            return next((f for f in _labelled(document) if f.label == candidate.label), None)
    return None


def named_line(document: Document, spec: QuerySpec) -> Outcome | None:
    """The value of the one labelled line the question names in the page's own words ('How much was
    roaming?' → `Roaming $12.40`). Not called by the engine since the per-kind handlers it overrode were
    retired (the resolver's label-printed-as-asked rule does this now); kept with its tests for now."""
    if spec.operation is not Operation.LOOKUP or spec.quoted or _JOINED.search(spec.question):
        return None  # 'the electricity and water charges' names more than one line
    in_tables = {  # a row of a wider table, and any column header, is the table path's to read
        norm(c.text) for t in document.tables if len(t.columns) > 2 for row in t.cells for c in row
    } | {norm(h) for t in document.tables for h in t.columns}
    facts = [
        f for f in document.facts
        if f.label and f.pairing not in _STANDALONE and len(norm(f.label)) >= 2 and norm(f.label) not in in_tables
    ]  # fmt: skip
    asked = spec.target or spec.question  # 'order' in "What's the status of this order?" is no label asked
    hits = [f for f in facts if mentioned(asked, f.label) >= 0.99] + _by_field(facts, spec, asked)
    hits = [f for f in hits if f.value.kind not in ("text", "name")]  # a heading beside a heading is no answer
    hits = [f for f in hits if not any(norm(f.label) != norm(o.label) and norm(f.label) in norm(o.label) for o in hits)]
    if len({norm(f.label) for f in hits}) != 1 or len({f.value.raw for f in hits}) != 1:
        return None
    fact = hits[0]
    if type_fit(fact.value.kind, spec.expected) < 1.0:
        return None
    return Outcome(Operation.LOOKUP, fact.value.raw, fact.label, fact.value.number,
                   evidence=[(f"{fact.label} {fact.value.raw}", fact.value_box)])  # fmt: skip
