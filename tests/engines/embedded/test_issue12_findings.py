"""Issue #12 acceptance findings (part A): yes/no by the printed status, tables that sum and count,
bills whose named lines are added up or asked by unit. Each fix is checked on the document the
tester used and on a second kind and wording (rendered through the real OCR, and hand-built)."""

from __future__ import annotations

import pytest

from tests.engines.embedded.docs import document, fact, table
from tests.engines.embedded.helpers import ask
from visdesk.engines.embedded.fact_operations import named_line, on_facts
from visdesk.engines.embedded.operations import on_table
from visdesk.engines.embedded.query import Operation, QuerySpec

# ---------------------------------------------------------------- yes/no follows the printed status


@pytest.mark.parametrize(
    ("scene_name", "question", "first", "quote"),
    [
        ("refund_zh", "Was my refund approved?", "No", "退款状态：已拒绝"),
        ("refund_zh", "Has my refund been approved?", "No", "退款状态：已拒绝"),
        ("refund_zh", "Wasn't my refund approved?", "No", "已拒绝"),
        ("refund_zh", "我的退款批了吗？", "没有", "已拒绝"),
        ("refund_zh", "Was my refund rejected?", "Yes", "已拒绝"),
        ("claim_en", "Was my claim approved?", "No", "Claim status: Denied"),  # status row after 'Claim no.'
        ("claim_en", "Has the claim been denied?", "Yes", "Denied"),
        ("claim_en", "我的保修申请通过了吗？", "没有", "Denied"),
    ],
)
async def test_yes_no_follows_the_printed_status(scene_name: str, question: str, first: str, quote: str) -> None:
    result = await ask(scene_name, question)
    assert result.text.startswith(first), result.text
    assert quote in result.text


# ---------------------------------------------------------------- tables sum and count


@pytest.mark.parametrize(
    ("scene_name", "question", "answer"),
    [
        ("item_table_en", "What is the total quantity?", "6"),
        ("item_table_en", "How many items in total?", "6"),
        ("item_table_en", "一共多少件？", "6"),
        ("item_table_en", "What is the total cost of all items?", "$16.30"),  # Σ qty × unit price
        ("item_table_en", "What does 3 notebooks cost?", "$7.50"),
        ("item_table_en", "How much more does a stapler cost than a folder?", "$5.20"),
        ("item_table_en", "How many kinds of items are there?", "3"),
        ("parts_list_zh", "一共多少件？", "24"),
        ("parts_list_zh", "总共要花多少钱？", "¥44.60"),
        ("parts_list_zh", "扳手比胶带贵多少？", "¥21.00"),
        ("parts_list_zh", "有几种零件？", "4"),
    ],
)
async def test_receipt_like_tables_reach_the_operations(scene_name: str, question: str, answer: str) -> None:
    result = await ask(scene_name, question)
    assert answer in result.text, result.text
    assert "6.40" not in result.text and "25.00。" not in result.text.replace(answer, "")


# ---------------------------------------------------------------- bills: named lines, units


@pytest.mark.parametrize(
    ("scene_name", "question", "answer", "never"),
    [
        ("utility_bill_zh", "How many kWh did I use?", "215 kWh", "count"),
        ("utility_bill_zh", "电费加水费一共多少？", "164.70", "应缴"),
        ("utility_bill_zh", "水费多少？", "36.20", "164.70"),
        ("phone_bill_en", "What is the plan fee plus roaming?", "$47.40", "49.90"),  # not the printed balance
        ("phone_bill_en", "How much was roaming?", "$12.40", "49.90"),
        ("phone_bill_en", "How many minutes did I use?", "342 min", "count"),
    ],
)
async def test_bill_lines_are_added_and_asked_by_unit(scene_name: str, question: str, answer: str, never: str) -> None:
    result = await ask(scene_name, question)
    assert answer in result.text and never not in result.text, result.text


async def test_a_sum_of_named_lines_quotes_both_lines() -> None:
    result = await ask("utility_bill_zh", "电费加水费一共多少？")
    quoted = " ".join(e.text for e in result.last.evidence)
    assert "128.50" in quoted and "36.20" in quoted


# ---------------------------------------------------------------- hand-built documents (no OCR)


def spec(question: str, op: Operation, **kw: object) -> QuerySpec:
    return QuerySpec(question=question, language="en", operation=op, **kw)  # type: ignore[arg-type]


SUPPLIES = table(("Article", "Quantity", "Unit price"), [("tape", "4", "$1.10"), ("glue", "2", "$3.00")])
AMOUNTS = table(("Article", "Qty", "Amount"), [("tape", "4", "$4.40"), ("glue", "2", "$6.00")])


def test_a_plain_count_adds_the_quantity_column_and_kinds_count_rows() -> None:
    units = on_table(SUPPLIES, spec("How many pieces altogether?", Operation.COUNT))
    kinds = on_table(SUPPLIES, spec("How many different articles?", Operation.COUNT))
    bounded = on_table(SUPPLIES, spec("How many articles cost more than $2?", Operation.COUNT, comparator=">",
                                      threshold=2.0, columns=("Unit price",)))  # fmt: skip
    assert units is not None and units.value == "6" and units.confidence >= 0.55
    assert kinds is not None and kinds.value == "2"
    assert bounded is not None and bounded.value == "1"


def test_a_total_cost_weights_unit_prices_but_not_line_amounts() -> None:
    weighted = on_table(SUPPLIES, spec("total cost", Operation.LOOKUP, fields=("total",), expected="money"))
    summed = on_table(AMOUNTS, spec("total cost", Operation.LOOKUP, fields=("total",), expected="money"))
    assert weighted is not None and weighted.value == "$10.40"  # 4 × 1.10 + 2 × 3.00
    assert summed is not None and summed.value == "$10.40"  # the amounts already are line totals


def test_the_one_money_column_is_not_a_guess_when_money_is_asked() -> None:
    outcome = on_table(SUPPLIES, spec("How much more is glue than tape?", Operation.DIFFERENCE, expected="money"))
    assert outcome is not None and outcome.value == "$1.90" and outcome.confidence >= 0.55


BILL = document(
    facts=(
        fact("Gas", "$41.00", "label_left", 0),
        fact("Sewer", "$18.25", "label_left", 1),
        fact("Water used", "12 m3", "label_left", 2),
        fact("Amount due", "$61.75", "label_left", 3),
    ),
    lines=("Gas $41.00", "Sewer $18.25", "Water used 12 m3", "Amount due $61.75"),
)


def test_named_lines_are_summed_and_a_unit_picks_its_line() -> None:
    both = on_facts(BILL, spec("What are gas and sewer together?", Operation.LOOKUP, fields=("total",)))
    usage = on_facts(BILL, spec("How many m3 of water did we use?", Operation.COUNT))
    single = on_facts(BILL, spec("What is the gas charge?", Operation.LOOKUP))
    assert both is not None and both.value == "$59.25"
    assert usage is not None and usage.value == "12 m3"
    assert single is None  # one named line is a lookup, not a sum


def test_a_line_named_verbatim_is_found_and_an_unnamed_one_is_not() -> None:
    found = named_line(BILL, spec("How much is the sewer?", Operation.LOOKUP, expected="money"))
    missing = named_line(BILL, spec("How much is the electricity?", Operation.LOOKUP, expected="money"))
    assert found is not None and found.value == "$18.25"
    assert missing is None


def test_a_line_named_by_a_field_alias_in_the_other_language() -> None:
    page = document(facts=(fact("运费", "¥12.00", "label_left", 0), fact("实付款", "¥131.00", "label_left", 1)))
    found = named_line(page, spec("How much was the delivery fee?", Operation.LOOKUP, fields=("shipping_fee",)))
    joined = named_line(page, spec("delivery fee and tax?", Operation.LOOKUP, fields=("shipping_fee", "tax")))
    assert found is not None and found.value == "¥12.00"
    assert joined is None  # two things named: no single line answers


@pytest.mark.parametrize(
    ("printed", "polarity", "reply"),
    [
        ("已通过", False, "不，"),  # 没有通过吗？ on an approved page: no, it did pass
        ("已驳回", False, "对，没有"),  # … on a rejected page: right, it did not
        ("已驳回", True, "没有，"),
        ("已通过", True, "是的，"),
    ],
)
def test_a_negated_chinese_question_is_agreed_or_disagreed_with(printed: str, polarity: bool, reply: str) -> None:
    from visdesk.engines.embedded.operations import verify_state
    from visdesk.engines.embedded.wording import say_outcome

    page = document(lines=("售后申请", f"审核结果：{printed}"))
    asked = QuerySpec(question="我的申请没有通过吗？", language="zh", operation=Operation.VERIFY, state="approved",
                      polarity=polarity)  # fmt: skip
    outcome = verify_state(page, asked)
    assert outcome is not None
    said = say_outcome(outcome, "zh")
    assert said.text.startswith(reply) and printed in said.text, said.text


def test_lines_bought_by_quantity_are_left_to_the_price_table() -> None:
    """'4 pounds of pebbles and 5 pounds of sand: total cost?' is Σ quantity × price, not the sum of two lines."""
    page = document(facts=(fact("pebbles", "$5", "label_left", 0), fact("sand", "$3", "label_left", 1)))
    asked = spec("I buy 4 pounds of pebbles and 5 pounds of sand. Total cost?", Operation.SUM,
                 rows=("pebbles", "sand"), weights=(4.0, 5.0))  # fmt: skip
    plain = spec("pebbles plus sand?", Operation.SUM, rows=("pebbles", "sand"))
    assert on_facts(page, asked) is None
    found = on_facts(page, plain)
    assert found is not None and found.value == "$8.00"
