"""Product tables from a shop back office: name, SKU, stock, price, ship date."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import Canvas, digits, money, pick_font, pick_theme, table, upper_code
from bench.accuracy.scenes.vocab import PRODUCTS, random_date

HEAD = {
    "zh": [("商品名称", "SKU", "库存", "价格", "发货日期"), ("商品", "货号", "库存数量", "售价", "预计发货")],
    "en": [("Product", "SKU", "Stock", "Price", "Ships on"), ("Item", "SKU", "In stock", "Unit price", "Ship date")],
}
Q = {
    "stock": {
        "zh": ["{name}还有多少库存？", "{name}库存多少", "{name}还剩几件？"],
        "en": ["How many {name} are in stock?", "What is the stock of {name}?"],
    },
    "price": {
        "zh": ["{name}多少钱？", "{name}的价格是多少"],
        "en": ["What's the price of {name}?", "How much is {name}?"],
    },
    "sku": {"zh": ["{name}的SKU是什么？", "{name}的货号是多少"], "en": ["What is the SKU of {name}?"]},
    "ship": {"zh": ["{name}什么时候发货？"], "en": ["When does {name} ship?"]},
    "latest": {
        "zh": ["发货日期最晚的是哪个商品？", "哪个商品最晚发货？"],
        "en": ["Which product ships last?", "Which item has the latest ship date?"],
    },
    "most": {"zh": ["哪个商品库存最多？", "库存最多的是哪个"], "en": ["Which product has the most stock?"]},
    "cheapest": {"zh": ["最便宜的是哪个商品？", "价格最低的是哪个"], "en": ["Which item is the cheapest?"]},
    "in_stock": {"zh": ["{name}有货吗？"], "en": ["Is {name} in stock?"]},
}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    c = Canvas(rng.choice((1000, 1100, 1200)), 900, theme, pick_font(rng, doc_lang))
    size = rng.randint(18, 22)
    chosen = rng.sample(PRODUCTS[doc_lang], rng.randint(4, 7))
    names = [n for n, _ in chosen]
    stocks = rng.sample([0, 3, 8, 12, 25, 40, 57, 86, 120, 240, 315], len(names))
    prices = rng.sample([9.9, 19.9, 29.0, 49.0, 59.9, 89.0, 129.0, 199.0, 349.0, 599.0], len(names))
    base = random_date(rng)
    offsets = rng.sample(range(0, 20), len(names))
    ships = [random_date(rng, after=base, days=(o, o)) for o in offsets]
    skus = [f"{upper_code(rng, 2)}-{digits(rng, 5)}" for _ in names]
    head = rng.choice(HEAD[doc_lang])
    cur = "¥" if doc_lang == "zh" else "$"
    title = {"zh": rng.choice(("商品列表", "库存管理", "在售商品")), "en": rng.choice(("Products", "Inventory"))}
    c.rect((0, 0, c.width, 70), fill=theme.panel)
    c.text((30, 20), title[doc_lang], size + 8, bold=True)
    rows = [
        [n, s, str(st), f"{cur}{money(p)}", d.isoformat()]
        for n, s, st, p, d in zip(names, skus, stocks, prices, ships, strict=True)
    ]
    widths = [300, 190, 130, 160, 180]
    y = table(
        c,
        100,
        30,
        list(zip(head, widths, strict=True)),
        rows,
        size,
        row_gap=rng.choice((16, 22)),
        header_fill=theme.panel,
        grid=rng.random() < 0.7,
    )
    i = rng.randrange(len(names))
    name = names[i]

    intent, values, pick = rng.choice((("latest", ships, max), ("most", stocks, max), ("cheapest", prices, min)))
    best = names[values.index(pick(values))]
    others = [n for n in names if n != best and n not in best and best not in n]
    superlative = QA(ask(rng, q_lang, Q[intent]), [best], "superlative", wrong=others)
    if q_lang != doc_lang:  # a question can't name a product in the other language; "which one" still works
        return Scene(c.crop_to(y + 40), [superlative], "screen")
    qas = [
        QA(ask(rng, q_lang, Q["stock"], name=name), [str(stocks[i])], "stock"),
        QA(ask(rng, q_lang, Q["price"], name=name), [money(prices[i], False)], "price"),
        QA(ask(rng, q_lang, Q["sku"], name=name), [skus[i]], "sku"),
        QA(ask(rng, q_lang, Q["ship"], name=name), [ships[i].isoformat()], "ship_date"),
        yes_no(rng, q_lang, ask(rng, q_lang, Q["in_stock"], name=name), stocks[i] > 0, "yes_no"),
        superlative,
    ]
    return Scene(c.crop_to(y + 40), qas, "screen")
