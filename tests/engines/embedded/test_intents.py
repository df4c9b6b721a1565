"""Question understanding and label matching (pure functions)."""

from __future__ import annotations

import pytest

from visdesk.engines.embedded.intents import classify, target_phrase
from visdesk.engines.embedded.labels import fields_in, similarity


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("发票代码是多少？", "field"),
        ("What is the total?", "field"),
        ("图中是否显示有机认证标识？请只回答是或否", "yesno"),
        ("Is there a warranty card?", "yesno"),
        ("发货日期最晚的是哪个商品？", "table"),
        ("Which item is the cheapest?", "table"),
        ("为什么还没发货？", "troubleshoot"),
        ("付不了钱怎么办", "troubleshoot"),
        ("This works?", "troubleshoot"),
        ("Why does the app crash?", "crash"),
        ("图里是什么？", "describe"),
        ('What is written next to "DATE OF REPORT" on this form?', "field"),
    ],
)
def test_classify(question: str, kind: str) -> None:
    assert classify(question).kind == kind


def test_synonyms_cover_zh_and_en_names() -> None:
    assert fields_in("运单号")[0] == fields_in("快递单号")[0] == fields_in("tracking number")[0] == "tracking_no"
    assert fields_in("order no.")[0] == fields_in("订单编号")[0] == "order_no"
    assert "phone" not in fields_in("hotel")  # short English aliases match whole words only


def test_fuzzy_label_similarity() -> None:
    assert similarity("订单编号：", "订单编号") == 1.0
    assert similarity("凈含量", "净含量") == 1.0  # a variant form the OCR reads
    assert similarity("发票代码", "代码") > 0.8
    assert similarity("GRAND TOTAL", "total") > 0.8
    assert similarity("电话", "日期") < 0.5


def test_target_phrase() -> None:
    assert target_phrase("发票代码是多少？") == "发票代码"
    assert target_phrase('What is written next to "DATE OF REPORT"?') == "DATE OF REPORT"


def test_a_generic_word_yields_to_the_specific_field() -> None:
    """'amount' / 'how much' name the total only when nothing more specific is asked about."""
    from visdesk.engines.embedded.intents import classify

    assert classify("What is the tax amount?").fields[0] == "tax"
    assert classify("How much tax is charged?").fields[0] == "tax"
    assert classify("What is the amount?").fields[0] == "total"
    assert classify("订单金额是多少？").fields[0] == "total"
