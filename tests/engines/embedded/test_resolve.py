"""The resolver on hand-built Documents: label similarity × type fit × layout prior, with a confidence."""

from __future__ import annotations

from tests.engines.embedded.docs import document, fact, table
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.resolve import THRESHOLD, rank, similarity


def spec(target: str, expected: str | None = None, **kw: object) -> QuerySpec:
    return QuerySpec(question=target, language="en", operation=Operation.LOOKUP, target=target, expected=expected, **kw)  # type: ignore[arg-type]


def test_label_similarity_prefers_the_named_field_over_a_shared_word() -> None:
    assert similarity("tax amount", "Tax amount") == 1.0
    assert similarity("tax", "Tax amount") > similarity("tax", "Total amount")
    assert similarity("boarding gate", "Gate") > 0.7


def test_abbreviations_match_their_words() -> None:
    assert similarity("WBC", "White Blood Cell") >= 0.85
    assert similarity("qty", "Quantity") >= 0.85
    assert similarity("WBC", "Platelets") < 0.5


def test_lexicon_aliases_bridge_languages() -> None:
    assert similarity("登机口", "Gate") < THRESHOLD
    assert similarity("登机口", "Gate", aliases=("gate", "boarding gate")) == 1.0


def test_type_fit_picks_the_amount_not_the_rate() -> None:
    doc = document(
        facts=(fact("Tax rate", "6%", line=0), fact("Tax", "$4.20", line=1), fact("Total", "$74.20", line=2))
    )
    best = rank(doc, spec("tax", expected="money"))[0]
    assert best.value.raw == "$4.20"


def test_a_row_named_by_any_of_its_cells() -> None:
    lab = table(("Test", "Code", "Result", "Reference"),
                [("White blood cells", "WBC", "6.1", "4-10"), ("Platelets", "PLT", "210", "100-300")])  # fmt: skip
    best = rank(document(tables=(lab,)), spec("PLT", expected="number", columns=("Result",)))[0]
    assert best.value.raw == "210" and best.source == "cell"


def test_parenthesised_value_is_a_candidate_but_ranks_below_a_same_line_one() -> None:
    doc = document(
        facts=(fact("Card", "6222", pairing="parenthesised"), fact("Card", "4111", pairing="same_line", line=1))
    )
    ranked = rank(doc, spec("card"))
    assert [c.value.raw for c in ranked[:2]] == ["4111", "6222"]


def test_nothing_similar_scores_below_threshold() -> None:
    doc = document(facts=(fact("Departure", "14:05"), fact("Seat", "12A", line=1)))
    assert rank(doc, spec("refund amount", expected="money"))[0].score < THRESHOLD
