"""Labelled bar and line charts: title, axis labels, values printed on the bars / points."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask
from bench.accuracy.scenes.common import Canvas, pick_font, pick_theme

SERIES = {
    "zh": [
        ("月", ["1月", "2月", "3月", "4月", "5月", "6月"]),
        ("月", ["7月", "8月", "9月", "10月", "11月", "12月"]),
        ("季度", ["第一季度", "第二季度", "第三季度", "第四季度"]),
        ("地区", ["华东", "华南", "华北", "西南", "东北"]),
    ],
    "en": [
        ("month", ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]),
        ("month", ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]),
        ("quarter", ["Q1", "Q2", "Q3", "Q4"]),
        ("region", ["North", "South", "East", "West", "Central"]),
    ],
}
METRICS = {
    "zh": [("销售额", "万元"), ("订单量", "单"), ("退货率", "%"), ("新增用户", "人")],
    "en": [("Sales", "k$"), ("Orders", "orders"), ("Return rate", "%"), ("New users", "users")],
}
Q = {
    "value": {
        "zh": ["{label}的{metric}是多少？", "{label}是多少？", "图里{label}的数值是多少"],
        "en": ["What was the {metric} in {label}?", "What value does {label} have?", "How much for {label}?"],
    },
    "max": {
        "zh": ["哪个{unit}的{metric}最高？", "{metric}最高的是哪个{unit}？"],
        "en": ["Which {unit} had the highest {metric}?", "Which {unit} is the highest?"],
    },
    "min": {"zh": ["哪个{unit}的{metric}最低？"], "en": ["Which {unit} had the lowest {metric}?"]},
    "max_any": {"zh": ["图中哪一项最高？", "最高的柱子是哪个？"], "en": ["Which one is the highest in this chart?"]},
    "min_any": {"zh": ["图中哪一项最低？"], "en": ["Which label has the lowest value in this chart?"]},
    "title": {"zh": ["这张图的标题是什么？"], "en": ["What is the title of this chart?"]},
}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    c = Canvas(rng.choice((900, 1000, 1100)), rng.choice((600, 650, 700)), theme, pick_font(rng, doc_lang))
    unit_word, labels = rng.choice(SERIES[doc_lang])
    metric, unit = rng.choice(METRICS[doc_lang])
    decimals = 1 if unit == "%" or rng.random() < 0.3 else 0
    top_value = rng.choice((20, 30, 50)) if unit == "%" else rng.choice((50, 80, 100, 200, 500, 1000))
    raw = rng.sample(range(int(top_value * 0.15 * 10), int(top_value * 10)), len(labels))
    values = [round(v / 10, decimals) if decimals else v // 10 for v in raw]
    while len(set(values)) < len(values):  # values must differ for "highest"/"lowest" to have one answer
        values = [v + i for i, v in enumerate(values)]
    fmt = (lambda v: f"{v:.1f}") if decimals else (lambda v: str(int(v)))
    year = rng.randint(2021, 2025)
    title = (
        f"{year}年各{unit_word}{metric}（{unit}）" if doc_lang == "zh" else f"{metric} by {unit_word}, {year} ({unit})"
    )
    size = rng.randint(18, 22)
    c.text((c.width / 2, 24), title, size + 6, bold=True, anchor="ma")
    left, right, top, bottom = 110, c.width - 50, 100, c.height - 90
    tick = next(t for t in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500) if t * 4 >= max(values) * 1.1)
    vmax = tick * 4
    colour = rng.choice(((66, 133, 244), (234, 67, 53), (52, 168, 83), (251, 140, 0), (120, 90, 200)))
    for k in range(5):  # y grid + ticks
        v = vmax * k / 4
        y = bottom - (bottom - top) * k / 4
        c.hline(y, left, right)
        c.text((left - 12, y), str(int(v)), size - 6, fill=theme.muted, anchor="rm")
    c.draw.line((left, top, left, bottom), fill=theme.muted, width=2)
    step = (right - left) / len(labels)
    kind = rng.choice(("bar", "bar", "line"))
    points = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        cx = left + step * (i + 0.5)
        y = bottom - (bottom - top) * v / vmax
        if kind == "bar":
            c.rect((cx - step * 0.3, y, cx + step * 0.3, bottom), fill=colour)
        else:
            points.append((cx, y))
        c.text((cx, y - 10), fmt(v), size - 2, anchor="md")
        c.text((cx, bottom + 12), label, size - 2, anchor="ma")
    if points:
        c.draw.line(points, fill=colour, width=3)
        for x, y in points:
            c.draw.ellipse((x - 5, y - 5, x + 5, y + 5), fill=colour)
    axis = {"zh": f"{metric}（{unit}）", "en": f"{metric} ({unit})"}[doc_lang]
    c.text((left, top - 30), axis, size - 4, fill=theme.muted)
    c.text(
        (c.width / 2, c.height - 40),
        unit_word,
        size - 4,
        fill=theme.muted,
        anchor="ma",
    )
    i = rng.randrange(len(labels))
    hi, lo = labels[values.index(max(values))], labels[values.index(min(values))]

    def others(best: str) -> list[str]:
        return [x for x in labels if x != best and x not in best and best not in x]

    if q_lang != doc_lang:  # the question can't use the chart's words; ask "which one" and quote the label
        return Scene(
            c.image,
            [
                QA(ask(rng, q_lang, Q["max_any"]), [hi], "max", wrong=others(hi)),
                QA(ask(rng, q_lang, Q["min_any"]), [lo], "min", wrong=others(lo)),
            ],
            "screen",
        )
    said = metric.lower() if doc_lang == "en" else metric  # "the highest sales", as people ask
    qas = [
        QA(ask(rng, q_lang, Q["value"], label=labels[i], metric=said), [fmt(values[i])], "value"),
        QA(ask(rng, q_lang, Q["max"], unit=unit_word, metric=said), [hi], "max", wrong=others(hi)),
        QA(ask(rng, q_lang, Q["min"], unit=unit_word, metric=said), [lo], "min", wrong=others(lo)),
        QA(ask(rng, q_lang, Q["title"]), [title], "title"),
    ]
    return Scene(c.image, qas, "screen")
