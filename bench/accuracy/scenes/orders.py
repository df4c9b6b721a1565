"""Shop order detail pages (app / web screenshots): order number, status, items, amounts, tracking."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask
from bench.accuracy.scenes.common import Canvas, digits, money, pick_font, pick_theme, upper_code
from bench.accuracy.scenes.vocab import PRODUCTS, random_date

CARRIERS = {
    "zh": [
        ("顺丰速运", lambda r: "SF" + digits(r, 13)),
        ("中通快递", lambda r: "78" + digits(r, 12)),
        ("圆通速递", lambda r: "YT" + digits(r, 13)),
        ("京东物流", lambda r: "JD" + digits(r, 13)),
        ("韵达快递", lambda r: "43" + digits(r, 13)),
    ],
    "en": [
        ("UPS", lambda r: "1Z" + upper_code(r, 3) + digits(r, 13)),
        ("FedEx", lambda r: digits(r, 12)),
        ("DHL Express", lambda r: digits(r, 10)),
        ("USPS", lambda r: "9400" + digits(r, 18)),
    ],
}
STATUS = {
    "zh": {"pending": "待发货", "shipped": "已发货", "delivered": "已签收"},
    "en": {"pending": "Awaiting shipment", "shipped": "Shipped", "delivered": "Delivered"},
}
LABELS = {
    "zh": {
        "title": ["订单详情", "我的订单"],
        "order": ["订单编号", "订单号"],
        "time": ["下单时间", "创建时间"],
        "carrier": ["物流公司", "快递公司"],
        "tracking": ["运单号", "快递单号", "物流单号"],
        "goods": ["商品总额", "商品金额"],
        "ship": ["运费"],
        "paid": ["实付款", "实付金额", "合计"],
    },
    "en": {
        "title": ["Order details", "Your order"],
        "order": ["Order number", "Order #", "Order ID"],
        "time": ["Order placed", "Placed on"],
        "carrier": ["Carrier", "Shipping carrier"],
        "tracking": ["Tracking number", "Tracking #", "Tracking No."],
        "goods": ["Subtotal", "Items"],
        "ship": ["Shipping"],
        "paid": ["Order total", "Total paid", "Grand total"],
    },
}
Q = {
    "tracking": {
        "zh": ["运单号是多少？", "快递单号是什么？", "帮我查一下物流单号", "我的快递单号多少", "包裹的单号是多少？"],
        "en": [
            "What is the tracking number?",
            "What's my tracking no.?",
            "Can you give me the parcel's tracking number?",
        ],
    },
    "order": {
        "zh": ["订单号是多少？", "我的订单编号是什么", "这个订单的订单号是多少？"],
        "en": ["What is the order number?", "What's my order ID?", "Which order number is this?"],
    },
    "status": {
        "zh": ["订单现在是什么状态？", "这个订单到哪一步了？", "订单状态是什么"],
        "en": ["What is the order status?", "What's the status of this order?"],
    },
    "why": {
        "zh": ["为什么还没发货？", "怎么还不发货", "我的订单为什么一直没发货？"],
        "en": ["Why hasn't my order shipped yet?", "Why is my order not shipped?"],
    },
    "paid": {
        "zh": ["实付款多少？", "我一共付了多少钱", "这单花了多少钱？"],
        "en": ["How much did I pay in total?", "What is the total I paid?", "What was the order total?"],
    },
    "time": {
        "zh": ["什么时候下的单？", "下单时间是哪天"],
        "en": ["When was the order placed?", "What date did I order?"],
    },
    "carrier": {
        "zh": ["是哪家快递？", "用的什么快递公司"],
        "en": ["Which carrier is shipping it?", "Who is the courier?"],
    },
}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    width = rng.choice((720, 800, 900, 1000))
    c = Canvas(width, 1500, theme, pick_font(rng, doc_lang))
    L = {k: rng.choice(v) for k, v in LABELS[doc_lang].items()}
    sep = "：" if doc_lang == "zh" else ": "
    state = rng.choice(("pending", "pending", "shipped", "delivered"))
    status = STATUS[doc_lang][state]
    carrier, make_tracking = rng.choice(CARRIERS[doc_lang])
    tracking = make_tracking(rng)
    order_no = digits(rng, rng.choice((16, 18, 19)))
    day = random_date(rng)
    placed = f"{day.isoformat()} {rng.randint(8, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    ship_by = random_date(rng, after=day, days=(2, 6)).isoformat()
    chosen = rng.sample(PRODUCTS[doc_lang], rng.randint(1, 3))
    lines = [
        (name, rng.randint(1, 3), rng.choice((19.9, 39.0, 59.9, 89.0, 129.0, 199.0, 299.0, 459.0, 1299.0)))
        for name, _ in chosen
    ]
    goods = sum(q * p for _, q, p in lines)
    shipping = rng.choice((0.0, 6.0, 8.0, 10.0, 12.0))
    paid = goods + shipping
    cur = "¥" if doc_lang == "zh" else rng.choice(("$", "US$", "€"))
    size = rng.randint(20, 26)
    right_aligned = rng.random() < 0.6

    y = 30.0
    c.text((width / 2, y), L["title"], size + 6, bold=True, anchor="ma")
    y += size + 40
    c.rect((24, y, width - 24, y + size * 3 + 20), fill=theme.accent, radius=12)
    c.text((48, y + 14), status, size + 8, fill=(255, 255, 255), bold=True)
    note = {
        "pending": {"zh": f"商家正在备货，预计{ship_by}前发货", "en": f"Expected to ship by {ship_by}"},
        "shipped": {"zh": f"包裹已由{carrier}揽收", "en": f"Your package is on its way with {carrier}"},
        "delivered": {"zh": "包裹已签收，感谢您的购买", "en": "Your package was delivered"},
    }[state][doc_lang]
    c.text((48, y + size + 30), note, size - 4, fill=(255, 255, 255))
    y += size * 3 + 50

    def row(label: str, value: str, strong: bool = False) -> None:
        nonlocal y
        if right_aligned:
            c.text((40, y), label, size, fill=theme.muted)
            c.text((width - 40, y), value, size, bold=strong, anchor="ra")
        else:
            c.text((40, y), label + sep + value, size, bold=strong)
        y += size + 22

    for name, qty, price in lines:
        c.rect((40, y, 40 + size * 3, y + size * 3), fill=theme.panel, outline=theme.line)
        c.text((60 + size * 3, y + 4), name, size)
        c.text((60 + size * 3, y + size + 16), f"{cur}{money(price)}  ×{qty}", size - 2, fill=theme.muted)
        y += size * 3 + 24
    c.hline(y)
    y += 20
    row(L["goods"], f"{cur}{money(goods)}")
    row(L["ship"], f"{cur}{money(shipping)}")
    row(L["paid"], f"{cur}{money(paid)}", strong=True)
    c.hline(y)
    y += 20
    row(L["order"], order_no)
    row(L["time"], placed)
    if state != "pending":
        row(L["carrier"], carrier)
        row(L["tracking"], tracking)
    image = c.crop_to(y + 30)

    cross = q_lang != doc_lang  # statuses are words: ask about them only in the document's language
    qas = [
        QA(ask(rng, q_lang, Q["order"]), [order_no], "order_number"),
        QA(ask(rng, q_lang, Q["paid"]), [money(paid, False)], "total"),
        QA(ask(rng, q_lang, Q["time"]), [day.isoformat()], "date"),
    ]
    if state != "pending":
        qas.append(QA(ask(rng, q_lang, Q["tracking"]), [tracking], "tracking"))
        qas.append(QA(ask(rng, q_lang, Q["carrier"]), [carrier], "carrier"))
    if not cross:
        qas.append(QA(ask(rng, q_lang, Q["status"]), [status], "status"))
        if state == "pending":
            qas.append(QA(ask(rng, q_lang, Q["why"]), [status, ship_by], "troubleshoot"))
    return Scene(image, qas, "screen")
