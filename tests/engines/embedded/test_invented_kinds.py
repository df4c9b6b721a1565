"""Rendered pages of kinds no rule, dev item or lexicon entry was written for (a cart, a coupon, a
warranty card, a support chat, a water bill), asked as a customer would: real OCR, the whole engine."""

from __future__ import annotations

import pytest

from tests.engines.embedded.helpers import ask_lines

PAGES: dict[str, tuple[str, ...]] = {
    "cart": ("Shopping cart", "Wireless mouse  x2  $25.98", "USB-C cable  x1  $9.99", "Laptop stand  x1  $34.50",
             "Subtotal $70.47", "Shipping $4.99", "Estimated tax $5.64", "Order total $81.10"),
    "coupon_zh": ("优惠券", "满200减30", "有效期至 2026-12-31", "适用范围：全场通用", "券码 QX8830"),
    "warranty": ("Warranty card", "Product: Air fryer AF-300", "Serial no. AF3-77120", "Purchase date 12/03/2025",
                 "Warranty period 24 months", "Status: Active"),
    "chat_zh": ("客服 小美", "您好，您的订单已经退款成功", "退款金额 ¥128.00 将在3个工作日内到账", "我 好的谢谢"),
    "bill": ("Water bill", "Account no. 5500-1182", "Billing period Oct 1 - Oct 31", "Usage 14 m³", "Amount due $42.17",
             "Due date Nov 20, 2025"),
    "hotel": ("Booking confirmed", "Hotel Riverside Inn", "Check-in Fri, 14 Mar 2025", "Check-out Sun, 16 Mar 2025",
              "Guests 2 adults", "Confirmation no. HR58822", "Total paid €312.40"),
    "transfer_zh": ("转账成功", "收款人 王小明", "收款账户 招商银行（尾号8823）", "转账金额 ¥5,000.00", "手续费 ¥0.00",
                    "转账时间 2025-03-02 10:21"),
    "spec": ("Galaxy Buds X", "Battery life Up to 8 hours", "Bluetooth 5.3", "Weight 4.7 g per earbud",
             "Price $129.99"),
    "delivery_fail": ("Delivery attempt failed", "We couldn't deliver your parcel on 3 Mar",
                      "Reason: Recipient not available", "Next attempt 4 Mar 2025", "Tracking 1Z999AA10123456784"),
    "plan_zh": ("套餐详情", "月租 ¥58", "国内流量 30GB", "通话 300分钟", "已用流量 12.6GB", "剩余通话 188分钟"),
}  # fmt: skip


def ask(page: str, question: str) -> str:
    return ask_lines(PAGES[page], question)


@pytest.mark.parametrize(
    ("page", "question", "expected"),
    [
        ("cart", "How much is the shipping?", "$4.99"),
        ("cart", "What's the total?", "$81.10"),
        ("cart", "How much tax?", "$5.64"),
        ("cart", "Is the total over $100?", "No"),
        ("coupon_zh", "券码是多少？", "QX8830"),
        ("coupon_zh", "优惠券什么时候过期？", "2026-12-31"),
        ("warranty", "What is the serial number?", "AF3-77120"),
        ("warranty", "When did I buy it?", "12/03/2025"),
        ("warranty", "How long is the warranty?", "24 months"),
        ("warranty", "Is the warranty still active?", "Yes"),
        ("chat_zh", "退款成功了吗？", "是"),
        ("chat_zh", "退了多少钱？", "¥128.00"),
        ("bill", "How much do I owe?", "$42.17"),
        ("bill", "When is the bill due?", "Nov 20, 2025"),
        ("bill", "How much water did I use?", "14"),
        ("bill", "What's my account number?", "5500-1182"),
        ("hotel", "When do I check in?", "14 Mar 2025"),
        ("hotel", "What's the confirmation number?", "HR58822"),
        ("hotel", "How much did I pay?", "€312.40"),
        ("transfer_zh", "转账成功了吗？", "是"),
        ("transfer_zh", "转了多少钱？", "¥5,000.00"),
        ("transfer_zh", "收款卡尾号是多少？", "8823"),
        ("spec", "How long does the battery last?", "8 hours"),
        ("spec", "多少钱？", "$129.99"),
        ("spec", "How much does it weigh?", "4.7 g"),
        ("delivery_fail", "When is the next attempt?", "4 Mar 2025"),
        ("delivery_fail", "Was it delivered?", "No"),
        ("delivery_fail", "What's the tracking number?", "1Z999AA10123456784"),
        ("plan_zh", "月租多少钱？", "¥58"),
        ("plan_zh", "我用了多少流量？", "12.6GB"),
    ],
)
def test_a_kind_nobody_wrote_a_rule_for(page: str, question: str, expected: str) -> None:
    text = ask(page, question)
    assert (text.startswith(expected) if expected in ("Yes", "No", "是", "否") else expected in text), text
