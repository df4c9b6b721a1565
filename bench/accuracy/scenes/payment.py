"""Payment-error dialogs: a modal over a dimmed checkout page with title, code, message, amounts."""

from __future__ import annotations

import random
import textwrap

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import Canvas, digits, money, pick_font, pick_theme, upper_code

TEXT = {
    "zh": {
        "title": ["支付失败", "付款未成功", "交易失败"],
        "code": ["错误码", "错误代码"],
        "amount": ["支付金额", "订单金额"],
        "limit": ["单笔限额", "单笔支付限额"],
        "balance": ["可用余额"],
        "expiry": ["卡片有效期", "有效期至"],
        "buttons": [("更换支付方式", "重试"), ("取消", "重新支付")],
        "limit_msg": "您的银行卡单笔支付限额为{cur}{limit}，本次支付已超出限额。",
        "balance_msg": "账户余额不足，请充值或更换支付方式。",
        "expired_msg": "银行卡已过期，请更换银行卡后重试。",
    },
    "en": {
        "title": ["Payment failed", "Payment declined", "Transaction declined"],
        "code": ["Error code", "Code"],
        "amount": ["Amount", "Payment amount"],
        "limit": ["Card limit", "Per-transaction limit"],
        "balance": ["Available balance"],
        "expiry": ["Card expiry", "Expires"],
        "buttons": [("Use another method", "Try again"), ("Cancel", "Retry")],
        "limit_msg": "This payment exceeds your card's per-transaction limit of {cur}{limit}.",
        "balance_msg": "Insufficient balance. Top up or choose another payment method.",
        "expired_msg": "Your card has expired. Please update your card and try again.",
    },
}
KEY_WORD = {"balance": {"zh": "余额不足", "en": "insufficient"}, "expired": {"zh": "过期", "en": "expired"}}
Q = {
    "code": {
        "zh": ["错误码是多少？", "报错代码是什么", "这个错误代码是多少？"],
        "en": ["What is the error code?", "Which error code did I get?"],
    },
    "why": {
        "zh": ["付不了钱怎么办", "为什么支付失败？", "怎么付款失败了？"],
        "en": ["Why did my payment fail?", "I can't pay, what should I do?", "Why was my card declined?"],
    },
    "amount": {
        "zh": ["这笔要付多少钱？", "支付金额是多少？"],
        "en": ["How much was I trying to pay?", "What is the payment amount?"],
    },
    "limit": {
        "zh": ["我的卡限额是多少？", "单笔限额多少？", "银行卡最多能付多少？"],
        "en": ["What is my card limit?", "What's the per-transaction limit?"],
    },
    "is_limit": {"zh": ["是不是因为超过限额？"], "en": ["Did it fail because of the card limit?"]},
}


def _code(rng: random.Random) -> str:
    return rng.choice(
        (
            lambda: "E" + digits(rng, 4),
            lambda: "ERR-" + digits(rng, 5),
            lambda: upper_code(rng, 2) + digits(rng, 3),
        )
    )()


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    t = {k: rng.choice(v) if isinstance(v, list) else v for k, v in TEXT[doc_lang].items()}
    width, height = rng.choice(((750, 1000), (900, 900), (1024, 768), (1000, 1100)))
    c = Canvas(width, height, theme, pick_font(rng, doc_lang))
    cur = "¥" if doc_lang == "zh" else rng.choice(("$", "€", "£"))
    kind = rng.choice(("limit", "limit", "balance", "expired"))
    amount = rng.choice((1299.0, 2599.0, 3499.0, 5999.0, 6299.0, 8888.0, 12999.0))
    limit = rng.choice((500.0, 1000.0, 2000.0, 3000.0, 5000.0))
    while limit >= amount:
        limit /= 2
    balance = round(amount * rng.uniform(0.05, 0.8), 2)
    expiry = f"{rng.randint(1, 12):02d}/{rng.randint(21, 24)}"
    code = _code(rng)
    size = rng.randint(20, 26)
    # the checkout page behind the dimmed overlay
    for i in range(8):
        c.text((40, 40 + i * 70), f"{'商品' if doc_lang == 'zh' else 'Item'} {i + 1}", size, fill=theme.muted)
    shade = (0, 0, 0) if theme.dark else (120, 120, 120)
    c.dim(shade, 0.55)
    left, top = width * 0.1, height * 0.2
    right = width * 0.9
    c.rect((left, top, right, top + size * 16), fill=theme.panel if theme.dark else (255, 255, 255), radius=16)
    x, y = left + 32, top + 28
    c.draw.ellipse((x, y, x + size + 8, y + size + 8), fill=(220, 50, 50))
    c.text((x + (size + 8) / 2, y + (size + 8) / 2), "!", size, fill=(255, 255, 255), anchor="mm", bold=True)
    c.text((x + size + 24, y), t["title"], size + 6, bold=True)
    y += size * 2 + 20
    message = {"limit": t["limit_msg"], "balance": t["balance_msg"], "expired": t["expired_msg"]}[kind]
    message = message.format(cur=cur, limit=money(limit))
    max_chars = int((right - left - 64) / (size * (1.0 if doc_lang == "zh" else 0.55)))
    if doc_lang == "zh":
        wrapped = [message[i : i + max_chars] for i in range(0, len(message), max_chars)]
    else:
        wrapped = textwrap.wrap(message, max_chars)
    for part in wrapped:
        c.text((x, y), part, size - 2)
        y += size + 12
    y += 10
    sep = "：" if doc_lang == "zh" else ": "
    rows = [(t["code"], code), (t["amount"], f"{cur}{money(amount)}")]
    rows.append(
        {
            "limit": (t["limit"], f"{cur}{money(limit)}"),
            "balance": (t["balance"], f"{cur}{money(balance)}"),
            "expired": (t["expiry"], expiry),
        }[kind]
    )
    for label, value in rng.sample(rows, len(rows)):
        c.text((x, y), label + sep + value, size - 2, fill=theme.fg)
        y += size + 14
    y += 16
    b1, b2 = t["buttons"]
    mid = (left + right) / 2
    c.rect((left + 24, y, mid - 8, y + size + 24), outline=theme.line, radius=8, width=2)
    c.rect((mid + 8, y, right - 24, y + size + 24), fill=theme.accent, radius=8)
    c.text(((left + 24 + mid - 8) / 2, y + 12), b1, size - 2, anchor="ma")
    c.text(((mid + 8 + right - 24) / 2, y + 12), b2, size - 2, fill=(255, 255, 255), anchor="ma")

    key_fact = {
        "limit": [money(limit, False)],
        "balance": [KEY_WORD["balance"][doc_lang], money(balance, False)],
        "expired": [KEY_WORD["expired"][doc_lang], expiry],
    }[kind]
    qas = [
        QA(ask(rng, q_lang, Q["code"]), [code], "error_code"),
        QA(ask(rng, q_lang, Q["amount"]), [money(amount, False)], "amount"),
    ]
    if kind == "limit":
        qas.append(QA(ask(rng, q_lang, Q["limit"]), [money(limit, False)], "limit"))
    if q_lang == doc_lang or kind == "limit":
        qas.append(QA(ask(rng, q_lang, Q["why"]), key_fact, "troubleshoot"))
    qas.append(yes_no(rng, q_lang, ask(rng, q_lang, Q["is_limit"]), kind == "limit", "yes_no"))
    return Scene(c.image, qas, "screen")
