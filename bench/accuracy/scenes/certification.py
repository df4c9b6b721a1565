"""Product packaging with certification badges (有机认证 / CE / 3C / FCC / RoHS), present or absent."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import Canvas, Theme, pick_font
from bench.accuracy.scenes.vocab import PRODUCTS

BOXES = (
    Theme((245, 240, 228), (40, 40, 40), (90, 90, 90), (30, 120, 60), (230, 222, 205), (120, 110, 90)),
    Theme((255, 255, 255), (20, 20, 20), (100, 100, 100), (0, 90, 170), (235, 240, 248), (160, 170, 180)),
    Theme((40, 60, 50), (245, 245, 240), (200, 210, 200), (250, 220, 120), (55, 80, 65), (200, 200, 190), True),
)
MARKS = {  # key -> (badge text zh doc, badge text en doc, question zh, question en)
    "organic": ("有机认证", "ORGANIC", "这个产品是有机认证的吗？", "Is this product certified organic?"),
    "ce": ("CE", "CE", "包装上有CE认证标志吗？", "Does the package show a CE mark?"),
    "ccc": ("3C", "CCC", "这个产品有3C认证吗？", "Does it have a 3C (CCC) certification mark?"),
    "fcc": ("FCC", "FCC", "有FCC认证吗？", "Is there an FCC mark?"),
    "rohs": ("RoHS", "RoHS", "包装上有RoHS标志吗？", "Is it marked RoHS compliant?"),
}
Q = {
    "net": {"zh": ["净含量是多少？", "这一包有多重？"], "en": ["What is the net weight?", "How heavy is the contents?"]}
}


def _badge(c: Canvas, key: str, text: str, x: float, y: float, size: int) -> float:
    """Draw one badge; returns its width."""
    colour = c.theme.accent if key == "organic" else c.theme.fg
    if key == "organic":
        r = size * 2.6
        c.draw.ellipse((x, y, x + 2 * r, y + 2 * r), outline=colour, width=4)
        c.text((x + r, y + r), text, size if len(text) <= 4 else size - 4, fill=colour, anchor="mm", bold=True)
        return 2 * r
    w = c.width_of(text, size * 2, "sans-bold") + 30
    if key == "ccc":
        c.draw.ellipse((x, y, x + w + 10, y + size * 3), outline=colour, width=4)
    else:
        c.rect((x, y, x + w, y + size * 3), outline=colour, width=3, radius=8)
    c.text(
        (x + (w + (10 if key == "ccc" else 0)) / 2, y + size * 1.5),
        text,
        size * 2,
        fill=colour,
        anchor="mm",
        font_name="sans-bold",
    )
    return w + 10


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = rng.choice(BOXES)
    c = Canvas(rng.choice((800, 900, 1000)), rng.choice((700, 800)), theme, pick_font(rng, doc_lang))
    size = rng.randint(18, 24)
    name = rng.choice(PRODUCTS[doc_lang])[0]
    food = rng.random() < 0.4
    present = set(rng.sample(sorted(MARKS), rng.randint(1, 3)))
    if food:
        present = {"organic"} if rng.random() < 0.6 else set()
    net = f"{rng.choice((250, 500, 750, 1000))}g" if food else ""
    c.text((40, 40), name, size + 16, bold=True)
    desc = {
        "zh": ["产品说明：请放置于阴凉干燥处", "生产日期：见包装底部", "执行标准：GB/T 12345"],
        "en": ["Store in a cool, dry place.", "Manufactured for: Example Trading Co.", "See base for batch number."],
    }
    y = 40 + size + 50
    for line in desc[doc_lang]:
        c.text((40, y), line, size)
        y += size + 18
    if food:
        c.text((40, y), ("净含量：" if doc_lang == "zh" else "Net weight: ") + net, size + 2, bold=True)
        y += size + 30
    x = 40.0
    y += 30
    for key in sorted(present, key=lambda _: rng.random()):
        text = MARKS[key][0] if doc_lang == "zh" else MARKS[key][1]
        x += _badge(c, key, text, x, y, size) + 30
    idx = 2 if q_lang == "zh" else 3
    candidates = ["organic"] if food else sorted(MARKS)
    yes_keys = [k for k in candidates if k in present]
    no_keys = [k for k in candidates if k not in present]
    qas = []
    if yes_keys:
        qas.append(yes_no(rng, q_lang, MARKS[rng.choice(yes_keys)][idx], True, "mark_present"))
    if no_keys:
        qas.append(yes_no(rng, q_lang, MARKS[rng.choice(no_keys)][idx], False, "mark_absent"))
    if food:
        qas.append(QA(ask(rng, q_lang, Q["net"]), [net], "net_weight"))
    return Scene(c.crop_to(y + size * 6), qas, "device")
