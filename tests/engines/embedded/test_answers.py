"""The embedded engine on real OCR of rendered scenes: each intent in zh and en, evidence boxes checked."""

from __future__ import annotations

import pytest

from tests.engines.embedded.helpers import ask
from tests.support.scenes import scene
from visdesk.domain import Box, Passage


def close_to(box: Box | None, truth: Box, tolerance: float = 12.0) -> bool:
    return box is not None and all(abs(a - b) <= tolerance for a, b in zip(box, truth, strict=True))


def evidence_for(result, text: str) -> Box | None:  # type: ignore[no-untyped-def]
    return next((e.box for e in result.last.evidence if e.text == text), None)


@pytest.mark.parametrize(
    ("scene_name", "question", "value"),
    [
        ("invoice_zh", "发票代码是多少？", "044031900111"),
        ("invoice_zh", "查代码", "044031900111"),
        ("order_page_zh", "运单号是多少", "SF1357924680"),
        ("order_page_zh", "What is the tracking number?", "SF1357924680"),
        ("order_page_zh", "订单号", "2024051812345"),
        ("order_page_zh", "What is the order no.?", "2024051812345"),
        ("receipt_en", "What is the total?", "$6.93"),
        ("receipt_en", "这次一共付了多少钱？", "$6.93"),
        ("nameplate_en", "What is the serial number?", "SN7741209"),
        ("cert_label", "净含量是多少", "250g"),
    ],
)
async def test_field_lookup_quotes_the_printed_value_with_its_box(scene_name: str, question: str, value: str) -> None:
    result = await ask(scene_name, question)
    assert value in result.text
    assert close_to(evidence_for(result, value), scene(scene_name).boxes.get(value) or evidence_for(result, value))
    if scene(scene_name).boxes.get(value):
        assert close_to(evidence_for(result, value), scene(scene_name).boxes[value])


async def test_answer_language_follows_the_question() -> None:
    zh = await ask("receipt_en", "这次一共付了多少钱？")
    en = await ask("order_page_zh", "What is the tracking number?")
    assert "是" in zh.text and "The" not in zh.text
    assert en.text.startswith("The tracking number")


async def test_stream_has_several_pieces_then_one_final_delta() -> None:
    result = await ask("order_page_zh", "图里是什么？")
    assert len(result.pieces) >= 3
    assert result.last.finish_reason == "stop" and result.last.text == ""
    assert result.last.evidence and result.last.sources is not None


@pytest.mark.parametrize(
    ("question", "first", "present"),
    [
        ("图中是否显示有机认证标识？请只回答是或否", "是", True),
        ("图中是否显示绿色食品标识？请只回答是或否", "否", False),
        ("Is there an organic label?", "Yes", True),
        ("Is there a warranty card?", "No", False),
    ],
)
async def test_yes_no_presence(question: str, first: str, present: bool) -> None:
    result = await ask("cert_label", question)
    assert result.text.startswith(first)
    assert bool(result.last.evidence) is present


@pytest.mark.parametrize(
    ("scene_name", "question", "item", "value"),
    [
        ("product_table_zh", "发货日期最晚的是哪个商品？", "充电宝", "2024-06-10"),
        ("product_table_zh", "哪个商品最便宜？", "数据线", "¥25"),
        ("product_table_en", "Which item is the cheapest?", "USB cable", "$9"),
        ("product_table_en", "How many Headphones are in stock?", "Headphones", "35"),
    ],
)
async def test_table_superlatives_and_lookups(scene_name: str, question: str, item: str, value: str) -> None:
    result = await ask(scene_name, question)
    assert item in result.text and value in result.text
    assert close_to(evidence_for(result, value), scene(scene_name).boxes[value])


async def test_chart_value_and_extreme() -> None:
    value = await ask("bar_chart", "What was the value in 2021?")
    assert "150" in value.text
    assert close_to(evidence_for(value, "150"), scene("bar_chart").boxes["150"])
    highest = await ask("bar_chart", "Which year had the highest sales?")
    assert highest.text.startswith("2022")


PAYMENT = Passage(
    doc_id="faq-pay",
    title="支付失败怎么办",
    section="单笔限额",
    text="银行卡有单笔支付限额。超出限额时请更换限额更高的卡，或分多次支付。",
    score=3.0,
    source="faq/payment.md",
    kind="faq",
)


async def test_troubleshooting_combines_image_and_knowledge_base() -> None:
    result = await ask("order_page_zh", "付不了钱怎么办", passages=(PAYMENT,))
    assert "限额" in result.text and "¥1,299.00" in result.text
    assert "分" in result.text  # suggests splitting the payment or another card
    assert any("支付失败" in e.text for e in result.last.evidence)


async def test_troubleshooting_without_image_cites_the_article() -> None:
    result = await ask(None, "付不了钱怎么办", passages=(PAYMENT,))
    assert "限额" in result.text
    assert [s.title for s in result.last.sources] == ["支付失败怎么办"]


E1024_ROW = Passage(
    doc_id="kb-e1024", title="E1024 单笔支付金额超出银行卡限额", section="The amount exceeds the card's limit",
    text="错误码 E1024：单笔支付金额超出银行卡限额。 Error E1024: The amount exceeds the card's limit.",
    score=2.0, kind="error_code",
    meta={"code": "E1024", "message_zh": "单笔支付金额超出银行卡限额",
          "message_en": "The amount exceeds the card's limit", "cause_zh": "订单金额高于单笔支付上限",
          "cause_en": "The order total is above the per-payment limit"},
)  # fmt: skip
BILINGUAL_FAQ = Passage(
    doc_id="kb-pay-2", title="支付问题 / Payment", section="支付失败怎么办？", score=1.0, kind="faq",
    text="支付失败时，请先查看错误码。常见原因：\n\n1. 超出限额。\n\nIf a payment fails, look for the error code.",
    meta={"text_zh": "支付失败时，请先查看错误码。常见原因：\n\n1. 超出限额。",
          "text_en": "If a payment fails, look for the error code. Common causes:\n\n1. Over the limit."},
)  # fmt: skip


@pytest.mark.parametrize(("question", "lang"), [("付不了钱怎么办", "zh"), ("What does the error mean?", "en")])
async def test_knowledge_is_quoted_in_the_customers_language(question: str, lang: str) -> None:
    """Bilingual passages are quoted in one language, whole sentences, the seen code's own row first."""
    result = await ask("order_page_zh", question, passages=(BILINGUAL_FAQ, E1024_ROW))
    assert "E1024" in result.text
    assert result.last.sources[0].title.startswith("E1024")
    if lang == "zh":
        assert "exceeds" not in result.text and "If a payment" not in result.text
    else:
        assert "超出银行卡限额" not in result.text and "单笔支付上限" not in result.text
        assert "per-payment limit" in result.text
    assert not result.text.rstrip().endswith(("：", ":"))


async def test_crash_log_names_exception_location_version_and_known_issue() -> None:
    known = Passage(
        doc_id="kb-npe", title="Cart crash on open", section="Known issues", score=2.0, kind="article",
        text="NullPointerException in CartActivity on 3.2.1 is fixed in 3.2.2. Update the app.",
    )  # fmt: skip
    result = await ask("crash_log", "Why does the app crash?", passages=(known,))
    assert "java.lang.NullPointerException" in result.text
    assert "CartActivity.onCreate" in result.text and "3.2.1" in result.text
    assert "3.2.2" in result.text
    assert result.last.sources and result.last.sources[0].title == "Cart crash on open"
    zh = await ask("crash_log", "为什么闪退？")
    assert "崩溃原因" in zh.text and "人工客服" in zh.text


async def test_describe_lists_title_warning_and_code() -> None:
    result = await ask("order_page_zh", "图里是什么？")
    for text in ("订单详情", "支付失败：超出单笔支付限额", "E1024"):
        assert text in result.text


@pytest.mark.parametrize(
    ("question", "phrase"),
    [("What is the phone number?", "can't find"), ("收货地址是什么？", "没有找到")],
)
async def test_cannot_find_says_so_and_suggests_help(question: str, phrase: str) -> None:
    result = await ask("invoice_zh", question)
    assert phrase in result.text
    assert "human agent" in result.text or "人工客服" in result.text
    assert not result.last.evidence


async def test_no_image_asks_for_one() -> None:
    result = await ask(None, "订单号是多少？")
    assert "上传" in result.text


async def test_a_named_row_without_a_column_answers_its_result() -> None:
    """'血红蛋白是多少？' names the row only: the answer is the row's first numeric column."""
    result = await ask("lab_report", "血红蛋白是多少？")
    assert "135" in result.text and "6.8" not in result.text


async def test_a_short_mark_is_matched_as_a_whole_token() -> None:
    """'3C' (alias CCC) is not present just because some other mark contains 'cc' or 'c'."""
    absent = await ask("cert_label", "这个产品有3C认证吗？只回答是或否")
    assert absent.text.startswith("否")
    present = await ask("cert_label", "有机认证标识有吗？只回答是或否")
    assert present.text.startswith("是")
