"""Pie and donut charts: slices labelled "A 35%" beside the slice, or in a legend with swatches.

A kind the first engine had no handler for: every answer is a share, so a lookup reads one
slice, "largest / smallest" take the arg-max / arg-min over slices, a yes/no compares two
slices, and a sum adds two shares.
"""

from __future__ import annotations

import math
import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import Canvas, pick_font, pick_theme

TOPICS = {
    "zh": [
        ("2025年支付方式占比", ["微信支付", "支付宝", "银行卡", "现金", "花呗", "其他"]),
        ("客服工单来源分布", ["电话", "在线客服", "邮件", "App反馈", "社交媒体"]),
        ("退货原因构成", ["尺码不合适", "质量问题", "与描述不符", "不想要了", "物流太慢"]),
        ("各渠道销售额占比", ["天猫", "京东", "拼多多", "抖音", "线下门店"]),
    ],
    "en": [
        ("Support tickets by channel", ["Phone", "Live chat", "Email", "App", "Social media"]),
        ("Reasons for returns", ["Wrong size", "Damaged", "Not as described", "Changed mind", "Late delivery"]),
        ("Revenue share by region", ["North", "South", "East", "West", "Online"]),
        ("Household budget", ["Rent", "Food", "Transport", "Savings", "Leisure", "Other"]),
    ],
}
COLOURS = [(66, 133, 244), (234, 67, 53), (251, 188, 5), (52, 168, 83), (155, 89, 182), (255, 112, 67)]
Q = {
    "share": {"zh": ["{a}占多少？", "{a}的占比是多少？"], "en": ["What share is {a}?", "What percentage is {a}?"]},
    "max": {
        "zh": ["占比最大的是哪一项？", "哪一块最大？"],
        "en": ["Which slice is the largest?", "What has the biggest share?"],
    },
    "min": {"zh": ["占比最小的是哪个？"], "en": ["Which category has the smallest share?"]},
    "more": {
        "zh": ["{a}比{b}多吗？", "{a}的占比是否高于{b}？"],
        "en": ["Is {a} bigger than {b}?", "Does {a} have a larger share than {b}?"],
    },
    "sum": {
        "zh": ["{a}和{b}加起来占多少？"],
        "en": ["What do {a} and {b} add up to?", "What is {a} plus {b} together?"],
    },
    "count": {
        "zh": ["图里一共有几类？", "分成了几个部分？"],
        "en": ["How many categories are shown?", "How many slices are there?"],
    },
}


def _shares(rng: random.Random, n: int) -> list[int]:
    """n distinct whole percents that add up to 100 (distinct, so largest / smallest are unique)."""
    while True:
        cuts = sorted(rng.sample(range(3, 98), n - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        if min(shares) >= 3 and len(set(shares)) == n:
            return shares


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    title, names = rng.choice(TOPICS[doc_lang])
    n = rng.randint(3, min(5, len(names)))
    labels = rng.sample(names, n)
    shares = _shares(rng, n)
    width, height = rng.choice(((1000, 700), (900, 760), (1100, 650)))
    c = Canvas(width, height, theme, pick_font(rng, doc_lang))
    size = rng.randint(20, 26)
    c.text((40, 24), title, size + 8, bold=True)
    radius = min(width, height) * 0.27
    legend = rng.random() < 0.5
    cx, cy = (width * 0.35 if legend else width / 2), height * 0.55
    start = -90.0
    donut = rng.random() < 0.3
    for k, (label, share) in enumerate(zip(labels, shares, strict=True)):
        end = start + share * 3.6
        c.draw.pieslice(
            (cx - radius, cy - radius, cx + radius, cy + radius), start, end, fill=COLOURS[k], outline=theme.bg
        )
        text = f"{label} {share}%"
        if legend:
            y = height * 0.3 + k * (size + 22)
            c.rect((width * 0.68, y + 2, width * 0.68 + size - 4, y + size - 2), fill=COLOURS[k])
            c.text((width * 0.68 + size + 8, y), text, size - 2)
        else:
            mid = math.radians((start + end) / 2)
            x, y = cx + math.cos(mid) * (radius + 24), cy + math.sin(mid) * (radius + 24)
            anchor = "lm" if math.cos(mid) >= 0 else "rm"
            c.text((x, y), text, size - 2, anchor=anchor)
        start = end
    if donut:
        hole = radius * 0.5
        c.draw.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=theme.bg)
    a, b = rng.sample(range(n), 2)
    big, small = max(range(n), key=lambda k: shares[k]), min(range(n), key=lambda k: shares[k])
    others = [lab for lab in labels]
    qas = [
        QA(ask(rng, q_lang, Q["share"], a=labels[a]), [f"{shares[a]}%"], "share"),
        QA(ask(rng, q_lang, Q["max"]), [labels[big]], "argmax", wrong=[x for x in others if x != labels[big]]),
        QA(ask(rng, q_lang, Q["min"]), [labels[small]], "argmin", wrong=[x for x in others if x != labels[small]]),
        yes_no(rng, q_lang, ask(rng, q_lang, Q["more"], a=labels[a], b=labels[b]), shares[a] > shares[b], "compare"),
        QA(ask(rng, q_lang, Q["sum"], a=labels[a], b=labels[b]), [f"{shares[a] + shares[b]}%"], "sum"),
        QA(ask(rng, q_lang, Q["count"]), [str(n)], "count"),
    ]
    if q_lang != doc_lang:  # a cross-language question names slices in the document's words: keep share/count
        qas = [qa for qa in qas if qa.subcategory in ("share", "sum", "count", "argmax")]
    return Scene(c.image, qas, "screen")
