"""Refund / after-sales pages: a status banner, the amount, where the money goes, when it was asked.

A kind the first engine had no handler for: "我的退款批了吗？" must follow the status the page
states (退款成功 / 商家已拒绝 / 审核中), the card is named inside parentheses ("招商银行（尾号2010）"),
a threshold question compares the amount, and English pages print day-first or month-first dates
by their currency's locale.
"""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import Canvas, digits, money, pick_font, pick_theme, upper_code
from bench.accuracy.scenes.vocab import PRODUCTS, random_date

BANKS = {"zh": ["招商银行", "工商银行", "建设银行", "中国银行", "农业银行"], "en": ["Visa", "Mastercard", "Amex"]}
STATUS = {
    "zh": {
        "approved": ["退款成功", "退款已到账"],
        "rejected": ["商家已拒绝退款", "退款申请已驳回"],
        "pending": ["退款审核中", "等待商家处理"],
    },
    "en": {
        "approved": ["Refund approved", "Refund completed"],
        "rejected": ["Refund rejected", "Refund request declined"],
        "pending": ["Refund under review", "Refund pending"],
    },
}
NOTE = {
    "zh": {
        "approved": "退款已原路退回，请注意查收",
        "rejected": "拒绝原因：商品已拆封影响二次销售",
        "pending": "商家将在48小时内处理",
    },
    "en": {
        "approved": "The money is on its way back to your card.",
        "rejected": "Reason: item returned without tags.",
        "pending": "The seller will respond within 2 days.",
    },
}
REASONS = {
    "zh": ["商品破损", "尺码不合适", "不想要了", "与描述不符"],
    "en": ["Damaged item", "Wrong size", "Changed my mind"],
}
TEXT = {
    "zh": {
        "title": ["退款详情", "售后详情"],
        "amount": ["退款金额", "退款总额"],
        "to": ["退回账户", "退款去向"],
        "when": ["申请时间", "提交时间"],
        "case": ["服务单号", "退款编号"],
        "reason": ["退款原因"],
        "item": ["退款商品"],
    },
    "en": {
        "title": ["Refund details", "Return & refund"],
        "amount": ["Refund amount", "Amount to refund"],
        "to": ["Refund to", "Paid back to"],
        "when": ["Requested on", "Request date"],
        "case": ["Case ID", "Return ID"],
        "reason": ["Reason"],
        "item": ["Item"],
    },
}
Q = {
    "approved": {
        "zh": ["我的退款批了吗？", "退款通过了没有？", "商家同意退款了吗？"],
        "en": ["Was my refund approved?", "Did they accept my refund?", "Has the refund gone through?"],
    },
    "amount": {
        "zh": ["退款金额是多少？", "能退多少钱？"],
        "en": ["How much will be refunded?", "What is the refund amount?"],
    },
    "tail": {
        "zh": ["退到哪张卡，尾号多少？", "退款退到尾号多少的卡？"],
        "en": ["What are the last digits of the card the refund goes to?", "Which card ending gets the money?"],
    },
    "over": {
        "zh": ["退款金额超过{t}了吗？", "退的钱有没有超过{t}？"],
        "en": ["Is the refund more than {t}?", "Is it over {t}?"],
    },
    "when": {
        "zh": ["什么时候申请的退款？", "退款申请是哪天提交的？"],
        "en": ["When did I request the refund?", "What date was it requested?"],
    },
}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    t = {k: rng.choice(v) for k, v in TEXT[doc_lang].items()}
    state = rng.choice(("approved", "rejected", "pending"))
    cur = "¥" if doc_lang == "zh" else rng.choice(("$", "£", "€", "RM"))
    amount = rng.choice((39.9, 59.0, 128.0, 199.0, 256.5, 329.0, 88.8, 1299.0))
    tail = digits(rng, 4)
    bank = rng.choice(BANKS[doc_lang])
    account = f"{bank}（尾号{tail}）" if doc_lang == "zh" else f"{bank} (ending {tail})"
    day = random_date(rng)
    if doc_lang == "zh":
        printed = day.isoformat() if rng.random() < 0.6 else f"{day.year}年{day.month}月{day.day}日"
    else:  # the currency's locale decides day-first or month-first
        printed = day.strftime("%m/%d/%Y") if cur == "$" else day.strftime("%d/%m/%Y")
    case = upper_code(rng, 2) + digits(rng, 10)
    item = rng.choice(PRODUCTS[doc_lang])[0]
    width, height = rng.choice(((750, 1100), (900, 1000), (1000, 950)))
    c = Canvas(width, height, theme, pick_font(rng, doc_lang))
    size = rng.randint(20, 26)
    y = 30.0
    c.text((40, y), t["title"], size + 8, bold=True)
    y += size * 2 + 24
    colour = {"approved": (20, 150, 80), "rejected": (210, 40, 40), "pending": (230, 140, 20)}[state]
    c.rect((30, y - 12, width - 30, y + size * 4), fill=theme.panel, radius=12)
    c.text((50, y), rng.choice(STATUS[doc_lang][state]), size + 6, fill=colour, bold=True)
    c.text((50, y + size * 2), NOTE[doc_lang][state], size - 4, fill=theme.muted)
    y += size * 5 + 10
    rows = [
        (t["amount"], f"{cur}{money(amount)}"),
        (t["to"], account),
        (t["when"], printed),
        (t["reason"], rng.choice(REASONS[doc_lang])),
        (t["case"], case),
        (t["item"], item),
    ]
    right_aligned = rng.random() < 0.5
    for label, value in rows:
        c.text((50, y), label, size - 2, fill=theme.muted)
        if right_aligned:
            c.text((width - 50, y), value, size - 2, anchor="ra")
        else:
            c.text((50 + size * (6 if doc_lang == "zh" else 8), y), value, size - 2)
        y += size + 26
        c.hline(y - 13, 40, width - 40)
    image = c.crop_to(y + 30)
    threshold = rng.choice((50, 100, 200, 500))
    shown = (f"{threshold}元" if q_lang == "zh" else f"{threshold} yuan") if cur == "¥" else f"{cur}{threshold}"
    iso = day.isoformat()
    qas = [
        yes_no(rng, q_lang, ask(rng, q_lang, Q["approved"]), state == "approved", "approved"),
        QA(ask(rng, q_lang, Q["amount"]), [money(amount, False), money(amount)], "amount"),
        QA(ask(rng, q_lang, Q["tail"]), [tail], "card_tail"),
        yes_no(rng, q_lang, ask(rng, q_lang, Q["over"], t=shown), amount > threshold, "compare"),
        QA(ask(rng, q_lang, Q["when"]), [printed, iso], "request_date"),
    ]
    return Scene(image, qas, "screen")
