"""Issue #12 part B through the real OCR: codes after a space stay whole, label-less tickets and
passes, zh↔en labels, polite questions; each mechanism also on a second kind of page."""

from __future__ import annotations

import pytest

from tests.engines.embedded.helpers import ask_lines

PAGES: dict[str, tuple[str, ...]] = {
    "payment_error": ("支付失败", "错误码 E1024", "订单号 A20260301", "Order ID SO12345"),
    "coupon_en": ("Your reward", "Coupon code XK7731", "Member no. M20931", "Valid until 2026-06-30"),
    "train_ticket": ("G1234", "北京南站 → 上海虹桥站", "2026年03月15日 08:00开", "05车12F号", "¥553.0元", "张三"),
    "boarding_pass": ("SKYWAYS", "CA1833", "PEK → HGH", "Seat 14C", "Gate B22", "21:35"),
    "refund_en": ("Refund details", "Applied on 2026-03-01", "处理时间 2026-03-03", "Amount $45.00"),
}


def ask(page: str, question: str) -> str:
    return ask_lines(PAGES[page], question)


@pytest.mark.parametrize(
    ("page", "question", "value"),
    [
        ("payment_error", "错误码是多少？", "错误码是 E1024"),
        ("payment_error", "What is the order ID?", "SO12345"),
        ("payment_error", "订单号是多少？", "A20260301"),
        ("coupon_en", "What is the coupon code?", "XK7731"),
        ("coupon_en", "会员号是多少？", "M20931"),
    ],
)
def test_a_code_after_a_space_is_one_value(page: str, question: str, value: str) -> None:
    text = ask(page, question)
    assert value in text
    assert "E是" not in text and " SO is" not in text


@pytest.mark.parametrize(
    ("page", "question", "value"),
    [
        ("train_ticket", "几点发车？", "08:00"),
        ("train_ticket", "座位号是多少？", "12F"),
        ("train_ticket", "车次是多少？", "G1234"),
        ("train_ticket", "出发站是哪里？", "北京南站"),
        ("train_ticket", "到达站是哪里？", "上海虹桥站"),
        ("train_ticket", "乘客姓名？", "张三"),
        ("train_ticket", "What is the departure time?", "08:00"),
        ("train_ticket", "Is the ticket more than 500 yuan?", "Yes"),
        ("boarding_pass", "What is the flight number?", "CA1833"),
        ("boarding_pass", "登机口是几号？", "B22"),
        ("boarding_pass", "Which seat am I in?", "14C"),
        ("boarding_pass", "What is the destination?", "HGH"),
    ],
)
def test_label_less_tickets_and_passes(page: str, question: str, value: str) -> None:
    assert value in ask(page, question)


def test_the_date_the_question_names_not_the_first_date() -> None:
    assert "2026-03-03" in ask("refund_en", "When was the refund processed?")
    assert "2026-03-01" in ask("refund_en", "退款是什么时候申请的？")


@pytest.mark.parametrize("question", ["能不能告诉我订单号？", "可以帮我看看订单号吗？", "能不能帮我查一下错误码"])
def test_polite_questions_read_the_page_not_the_help_centre(question: str) -> None:
    text = ask("payment_error", question)
    assert "A20260301" in text or "E1024" in text
