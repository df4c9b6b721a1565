"""Invoices: Chinese VAT e-invoices (发票代码, 发票号码, 开票日期, 金额, 税额, 价税合计) and English invoices."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask
from bench.accuracy.scenes.common import PAPER, Canvas, digits, money, pick_font, table, upper_code
from bench.accuracy.scenes.vocab import PRODUCTS, random_date, zh_date

DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"


def chinese_amount(value: float) -> str:
    """¥1,234.50 -> 壹仟贰佰叁拾肆元伍角 (the 大写 line of a Chinese invoice)."""
    yuan, fen = int(value), round(value * 100) % 100
    units = ["", "拾", "佰", "仟"]
    out, zero = "", False
    for group, name in ((yuan // 10000, "万"), (yuan % 10000, "")):
        if not group:
            continue
        text = ""
        for i, ch in enumerate(f"{group:04d}"):
            d = int(ch)
            if d == 0:
                zero = bool(text) or bool(out)
                continue
            if zero:
                text += "零"
                zero = False
            text += DIGITS_UPPER[d] + units[3 - i]
        out += text + name
    out = (out or "零") + "元"
    if fen:
        jiao, f = divmod(fen, 10)
        out += (DIGITS_UPPER[jiao] + "角" if jiao else "零") + (DIGITS_UPPER[f] + "分" if f else "")
    else:
        out += "整"
    return out


Q = {
    "code": {"zh": ["查代码", "发票代码是多少？", "帮我查一下这张发票的代码"], "en": ["What is the invoice code?"]},
    "number": {
        "zh": ["发票号码是多少？", "发票号是什么", "这张票的号码多少"],
        "en": ["What is the invoice number?", "What's the invoice no.?"],
    },
    "date": {
        "zh": ["开票日期是哪天？", "什么时候开的票？"],
        "en": ["What is the invoice date?", "When was this invoice issued?"],
    },
    "tax": {"zh": ["税额是多少？", "交了多少税？"], "en": ["How much tax is charged?", "What is the tax amount?"]},
    "total": {
        "zh": ["价税合计多少？", "发票总金额是多少", "一共开了多少钱的票？"],
        "en": ["What is the invoice total?", "What's the total amount due?"],
    },
    "subtotal": {"zh": ["不含税金额是多少？", "税前金额是多少"], "en": ["What is the subtotal before tax?"]},
}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    c = Canvas(rng.choice((1100, 1200, 1280)), 900, PAPER, pick_font(rng, doc_lang))
    w = c.width
    size = rng.randint(18, 22)
    red = (150, 60, 40)
    day = random_date(rng)
    items = rng.sample(PRODUCTS[doc_lang], rng.randint(1, 3))
    rate = rng.choice((0.13, 0.06, 0.09)) if doc_lang == "zh" else rng.choice((0.05, 0.08, 0.1))
    lines = [(name, rng.randint(1, 5), rng.choice((45.0, 88.5, 120.0, 256.0, 399.0, 1280.0))) for name, _ in items]
    subtotal = round(sum(q * p for _, q, p in lines), 2)
    tax = round(subtotal * rate, 2)
    total = round(subtotal + tax, 2)
    qas: list[QA] = []
    if doc_lang == "zh":
        code, number = digits(rng, 12), digits(rng, 8)
        c.text(
            (w * 0.35, 30),
            rng.choice(("电子发票（普通发票）", "增值税电子普通发票", "增值税专用发票")),
            size + 12,
            fill=red,
            bold=True,
            anchor="ma",
        )
        c.hline(30 + size + 24, w * 0.35 - 200, w * 0.35 + 200, fill=red, width=2)
        x = w - 360
        y = 30.0
        for label, value in (
            ("发票代码", code),
            ("发票号码", number),
            ("开票日期", zh_date(day)),
            ("校验码", " ".join(digits(rng, 5) for _ in range(4))),
        ):
            c.text((x, y), f"{label}：{value}", size - 2)
            y += size + 10
        y = 170.0
        c.text((40, y), "购买方名称：" + rng.choice(("个人", "杭州某某科技有限公司", "上海示例贸易有限公司")), size)
        y += size + 24
        cols = [
            ("货物或应税劳务名称", 300),
            ("单位", 80),
            ("数量", 80),
            ("单价", 130),
            ("金额", 150),
            ("税率", 90),
            ("税额", 140),
        ]
        rows = [
            [
                n,
                "件",
                str(q),
                money(p, False),
                money(q * p, False),
                f"{int(rate * 100)}%",
                money(round(q * p * rate, 2), False),
            ]
            for n, q, p in lines
        ]
        y = table(c, y, 40, cols, rows, size, header_fill=(246, 238, 222))
        c.text((40 + 8, y + 10), "合计", size, bold=True)
        c.text((40 + 590 + 8, y + 10), f"¥{money(subtotal, False)}", size)
        c.text((40 + 830 + 8, y + 10), f"¥{money(tax, False)}", size)
        y += size + 30
        c.text((48, y), f"价税合计（大写）  ⊗{chinese_amount(total)}", size)
        c.text((w - 330, y), f"（小写）¥{money(total, False)}", size, bold=True)
        y += size + 40
        c.text((48, y), "销售方名称：" + rng.choice(("杭州优选电子商务有限公司", "深圳市示例数码有限公司")), size)
        c.text((w - 330, y), "开票人：" + rng.choice(("王敏", "李强", "陈静")), size)
        qas += [
            QA(ask(rng, q_lang, Q["code"]), [code], "invoice_code"),
            QA(ask(rng, q_lang, Q["number"]), [number], "invoice_number"),
            QA(ask(rng, q_lang, Q["date"]), [zh_date(day), day.isoformat()], "date"),
        ]
    else:
        number = f"INV-{day.year}-{digits(rng, 5)}" if rng.random() < 0.6 else upper_code(rng, 2) + digits(rng, 7)
        c.text((40, 30), "INVOICE", size + 18, fill=(40, 60, 110), bold=True, font_name="sans-bold")
        y = 40.0
        for label, value in (
            ("Invoice No.", number),
            ("Invoice Date", day.strftime("%d %b %Y")),
            ("Due Date", random_date(rng, after=day, days=(14, 30)).strftime("%d %b %Y")),
        ):
            c.text((w - 420, y), f"{label}: {value}", size)
            y += size + 12
        y = 180.0
        c.text((40, y), "Bill to: " + rng.choice(("Jordan Lee", "Acme Outdoor Ltd.", "Sam Taylor")), size)
        y += size + 30
        cols = [("Description", 420), ("Qty", 100), ("Unit price", 180), ("Amount", 180)]
        rows = [[n, str(q), money(p), money(q * p)] for n, q, p in lines]
        y = table(c, y, 40, cols, rows, size, header_fill=(230, 235, 245))
        y += 16
        for label, value, strong in (
            ("Subtotal", subtotal, False),
            (f"Tax ({int(rate * 100)}%)", tax, False),
            ("Total due", total, True),
        ):
            c.text((560, y), label, size, bold=strong)
            c.text((880, y), f"${money(value)}", size, bold=strong, anchor="ra")
            y += size + 14
        qas += [
            QA(ask(rng, q_lang, Q["number"]), [number], "invoice_number"),
            QA(ask(rng, q_lang, Q["date"]), [day.strftime("%d %b %Y"), day.isoformat()], "date"),
        ]
    qas += [
        QA(ask(rng, q_lang, Q["tax"]), [money(tax, False)], "tax"),
        QA(ask(rng, q_lang, Q["total"]), [money(total, False)], "total"),
        QA(ask(rng, q_lang, Q["subtotal"]), [money(subtotal, False)], "subtotal"),
    ]
    return Scene(c.crop_to(y + 60), qas, "paper")
