"""Shop receipts: a narrow paper slip with store, date, item lines and a total."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask
from bench.accuracy.scenes.common import PAPER, Canvas, money, pick_font
from bench.accuracy.scenes.vocab import RECEIPT_ITEMS, STORES, random_date

Q = {
    "total": {
        "zh": ["一共多少钱？", "合计金额是多少", "小票上总价多少？", "这次消费了多少钱"],
        "en": ["What is the total?", "How much was the total on this receipt?", "How much did I spend?"],
    },
    "date": {
        "zh": ["这是哪天买的？", "购物日期是什么时候？"],
        "en": ["What date is on the receipt?", "When was this purchase made?"],
    },
    "store": {
        "zh": ["这是哪家店的小票？", "在哪个店买的？"],
        "en": ["Which store is this receipt from?", "What is the name of the shop?"],
    },
    "payment": {"zh": ["用什么方式付的款？"], "en": ["How was this paid?", "What payment method was used?"]},
}
PAY = {"zh": ["微信支付", "支付宝", "现金", "银联卡"], "en": ["VISA", "CASH", "MASTERCARD", "DEBIT"]}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    c = Canvas(rng.choice((480, 540, 600)), 1400, PAPER, pick_font(rng, doc_lang, mono=rng.random() < 0.6))
    w = c.width
    size = rng.randint(18, 22)
    store = rng.choice(STORES[doc_lang])
    day = random_date(rng)
    date_text = day.isoformat() if doc_lang == "zh" or rng.random() < 0.5 else day.strftime("%d/%m/%Y")
    pay = rng.choice(PAY[doc_lang])
    y = 30.0
    c.text((w / 2, y), store, size + 6, anchor="ma", bold=True)
    y += size + 24
    for line in (
        ["门店地址：示例路" + str(rng.randint(1, 999)) + "号", "电话：0571-" + str(rng.randint(10000000, 99999999))]
        if doc_lang == "zh"
        else [f"{rng.randint(1, 999)} MAIN STREET", f"TEL {rng.randint(200, 999)}-{rng.randint(1000, 9999)}"]
    ):
        c.text((w / 2, y), line, size - 4, anchor="ma", fill=c.theme.muted)
        y += size + 6
    y += 10
    labels = (
        ("日期", "收银员", "合计", "实收", "找零", "支付方式")
        if doc_lang == "zh"
        else ("DATE", "CASHIER", "TOTAL", "TENDERED", "CHANGE", "PAID BY")
    )
    c.text((24, y), f"{labels[0]}: {date_text} {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}", size - 2)
    y += size + 6
    c.text((24, y), f"{labels[1]}: {rng.randint(1, 40):03d}", size - 2)
    y += size + 10
    c.hline(y, 16, w - 16, fill=(60, 60, 60))
    y += 12
    total = 0.0
    for name in rng.sample(RECEIPT_ITEMS[doc_lang], rng.randint(3, 7)):
        qty, price = rng.randint(1, 3), rng.choice((2.5, 3.8, 5.0, 6.5, 9.9, 12.8, 15.0, 23.5, 39.9))
        total += qty * price
        c.text((24, y), name, size - 2)
        c.text((w * 0.55, y), f"{qty}x{price:.2f}", size - 2)
        c.text((w - 24, y), f"{qty * price:.2f}", size - 2, anchor="ra")
        y += size + 8
    total = round(total, 2)
    tendered = float(int(total // 50 + 1) * 50) if pay in ("现金", "CASH") else total
    c.hline(y + 4, 16, w - 16, fill=(60, 60, 60))
    y += 16
    for label, value, strong in (
        (labels[2], total, True),
        (labels[3], tendered, False),
        (labels[4], tendered - total, False),
    ):
        c.text((24, y), label, size + (2 if strong else -2), bold=strong)
        c.text((w - 24, y), money(value, False), size + (2 if strong else -2), anchor="ra", bold=strong)
        y += size + 10
    c.text((24, y), f"{labels[5]}: {pay}", size - 2)
    y += size + 20
    c.text((w / 2, y), "谢谢惠顾 欢迎再次光临" if doc_lang == "zh" else "THANK YOU, COME AGAIN", size - 4, anchor="ma")
    dates = [date_text] if date_text == day.isoformat() else [date_text, day.isoformat()]
    qas = [
        QA(ask(rng, q_lang, Q["total"]), [money(total, False)], "total"),
        QA(ask(rng, q_lang, Q["date"]), dates, "date"),
        QA(ask(rng, q_lang, Q["store"]), [store], "merchant"),
    ]
    if q_lang == doc_lang:
        qas.append(QA(ask(rng, q_lang, Q["payment"]), [pay], "payment"))
    return Scene(c.crop_to(y + size + 30), qas, "paper")
