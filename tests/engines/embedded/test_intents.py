"""Question understanding and label matching (pure functions): the operation each wording asks for, the
fields an arbitrary text names, and how alike two labels are."""

from __future__ import annotations

import pytest

from visdesk.engines.embedded.query import Operation, parse_question
from visdesk.engines.embedded.question_parser import named_fields
from visdesk.engines.embedded.resolve import similarity


@pytest.mark.parametrize(
    ("question", "operation"),
    [
        ("发票代码是多少？", Operation.LOOKUP),
        ("What is the total?", Operation.LOOKUP),
        ("图中是否显示有机认证标识？请只回答是或否", Operation.VERIFY),
        ("Is there a warranty card?", Operation.VERIFY),
        ("发货日期最晚的是哪个商品？", Operation.ARGMAX),
        ("Which item is the cheapest?", Operation.ARGMIN),
        ("为什么还没发货？", Operation.EXPLAIN),
        ("付不了钱怎么办", Operation.EXPLAIN),
        ("This works?", Operation.COMPATIBLE),
        ("Why does the app crash?", Operation.EXPLAIN),
        ("图里是什么？", Operation.DESCRIBE),
        ("这是哪家店的小票？", Operation.LOOKUP),  # a describe cue, but it asks which shop
        ('What is written next to "DATE OF REPORT" on this form?', Operation.LOOKUP),
    ],
)
def test_the_operation_each_wording_asks_for(question: str, operation: Operation) -> None:
    assert parse_question(question, "en" if question.isascii() else "zh").operation is operation


def test_fields_named_in_either_language() -> None:
    assert named_fields("运单号")[0] == named_fields("快递单号")[0] == "tracking_no"
    assert named_fields("tracking number")[0] == "tracking_no"
    assert named_fields("order no.")[0] == named_fields("订单编号")[0] == "order_no"
    assert "phone" not in named_fields("hotel")  # short English aliases match whole words only


def test_fuzzy_label_similarity() -> None:
    assert similarity("订单编号：", "订单编号") == 1.0
    assert similarity("凈含量", "净含量") == 1.0  # a traditional form the OCR reads
    assert similarity("发票代码", "代码") > 0.8  # the printed label is the head of the asked phrase
    assert similarity("GRAND TOTAL", "total") > 0.8
    assert similarity("电话", "日期") < 0.5


def test_a_quoted_label_is_the_target() -> None:
    assert parse_question("发票代码是多少？", "zh").target == "发票代码"
    assert parse_question('What is written next to "DATE OF REPORT"?', "en").target == "DATE OF REPORT"


def test_a_generic_word_yields_to_the_specific_field() -> None:
    """'amount' / 'how much' name no field; a specific field named beside them is the one asked about."""
    assert parse_question("What is the tax amount?", "en").fields[0] == "tax"
    assert parse_question("How much tax is charged?", "en").fields[0] == "tax"
    assert parse_question("What is the amount?", "en").expected == "money"
