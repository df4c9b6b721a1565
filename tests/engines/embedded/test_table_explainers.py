"""Registered table explainers (market, linear, function) and the composer path on hand-built documents (no OCR)."""

from __future__ import annotations

from tests.engines.embedded.docs import document, table
from visdesk.domain import EngineRequest, Grounding, Perception, Query
from visdesk.engines.embedded.composer import compose
from visdesk.engines.embedded.explainers import explain_first
from visdesk.engines.embedded.query import parse_question
from visdesk.perception.document import Document, TableGrid


def request(question: str, *tables: TableGrid, lang: str = "en") -> EngineRequest:
    doc: Document = document(tables=tables, lines=("table",))
    seen = Perception("test", (400, 300), doc.lines, document=doc)
    return EngineRequest(Query(question, None, lang), Grounding(seen))  # type: ignore[arg-type]


TICKETS = table(("Price", "Quantity demanded", "Quantity supplied"), [("$20", "900", "300"), ("$40", "500", "800")])


def test_market_table_compares_demand_and_supply_at_the_asked_price() -> None:
    for price, expected in (("$20", "shortage"), ("$40", "surplus")):
        q = f"At a price of {price}, is there a shortage or a surplus? Choices: shortage or surplus."
        reply = explain_first(parse_question(q, "en"), request(q, TICKETS))
        assert reply is not None and reply.value == expected and reply.evidence


def test_linear_and_function_tables() -> None:
    line = table(("x", "y"), [("1", "4"), ("2", "7"), ("3", "10")])
    curve = table(("x", "y"), [("1", "1"), ("2", "4"), ("3", "9")])
    q = "Is the function linear or nonlinear? Choices: linear or nonlinear."
    assert explain_first(parse_question(q, "en"), request(q, line)).value == "linear"  # type: ignore[union-attr]
    assert explain_first(parse_question(q, "en"), request(q, curve)).value == "nonlinear"  # type: ignore[union-attr]
    relation = table(("x", "y"), [("1", "4"), ("1", "5"), ("2", "6")])
    f = "Is this relation a function? Choices: yes or no."
    assert explain_first(parse_question(f, "en"), request(f, relation)).value == "no"  # type: ignore[union-attr]


def test_composer_answers_an_aggregate_through_the_generic_path() -> None:
    laps = table(("Runner", "Laps"), [("Mia", "12"), ("Noor", "9"), ("Eli", "15")])
    reply = compose(request("Altogether, how many laps did Mia and Eli run?", laps))
    assert reply.text == "The total is 27." and reply.confident
    median = compose(request("What is the median of the numbers?", laps))
    assert median.text == "The median is 12."
