"""Paraphrased and cross-language questions, and layouts that used to defeat the engine.

Each case is a way customers ask that once fell through: the courier asked as "who", the status
as "到哪一步", the card limit asked in English about a Chinese page, a row value asked with "how
much", the tax of a VAT invoice from its 合计 row, a chart whose axis ticks line up with values.
"""

from __future__ import annotations

import pytest

from tests.engines.embedded.helpers import ask


@pytest.mark.parametrize(
    ("scene_name", "question", "value"),
    [
        ("order_wide_en", "Who is the courier?", "UPS"),
        ("order_wide_en", "How much were the items?", "€178.00"),
        ("order_wide_en", "What is the order number?", "7721106548551279"),
        ("order_status_zh", "这个订单到哪一步了？", "已发货"),
        ("order_status_zh", "是哪家快递？", "顺丰速运"),
        ("order_status_zh", "What is the payment amount?", "¥3,315.80"),
        ("nameplate_power", "How many watts is it?", "1500W"),
        ("product_table_en", "How much is Power bank?", "$29"),
        ("product_table_en", "When does Power bank ship?", "2024-06-10"),
        ("vat_invoice_zh", "税额是多少？", "855.01"),
        ("vat_invoice_zh", "不含税金额是多少？", "6577.00"),
        ("vat_invoice_zh", "税前金额是多少", "6577.00"),
    ],
)
async def test_paraphrased_field_questions(scene_name: str, question: str, value: str) -> None:
    result = await ask(scene_name, question)
    assert value in result.text, result.text
    assert any(value in e.text for e in result.last.evidence), result.last.evidence


async def test_a_misread_label_is_shown_corrected_and_the_value_as_printed() -> None:
    result = await ask("order_wide_en", "What is the order number?")
    assert "Order #" in result.text and "0rder" not in result.text


async def test_declined_card_answer_quotes_both_amounts() -> None:
    result = await ask("payment_declined_en", "Why was my card declined?")
    assert "£5,999.00" in result.text and "£3,000.00" in result.text
    assert "higher limit" in result.text


async def test_cause_named_in_english_on_a_chinese_page() -> None:
    result = await ask("order_page_zh", "Did it fail because of the card limit? Answer yes or no.")
    assert result.text.startswith("Yes"), result.text
    assert any("限额" in e.text for e in result.last.evidence)
    absent = await ask("order_page_zh", "Did it fail because of an expired card? Answer yes or no.")
    assert absent.text.startswith("No"), absent.text


@pytest.mark.parametrize(("question", "month"), [("哪个月的新增用户最高？", "10月"), ("哪个月最低？", "9月")])
async def test_axis_ticks_are_not_chart_categories(question: str, month: str) -> None:
    result = await ask("month_chart_zh", question)
    assert result.text.startswith(month), result.text


@pytest.mark.parametrize(
    ("question", "item"), [("Which item ships last?", "Power bank"), ("哪个商品最晚发货？", "充电宝")]
)
async def test_ships_last_is_the_latest_ship_date(question: str, item: str) -> None:
    scene_name = "product_table_en" if question.isascii() else "product_table_zh"
    result = await ask(scene_name, question)
    assert result.text.startswith(item), result.text
