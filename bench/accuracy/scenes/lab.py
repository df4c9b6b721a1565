"""Lab reports: a 指标 / 数值 / 单位 / 参考范围 / 状态 table (or Test / Result / Unit / Range / Flag)."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import PAPER, Canvas, pick_font, table

TESTS = [  # zh name, en name, unit, low, high, decimals
    ("白细胞计数", "WBC", "10^9/L", 3.5, 9.5, 2),
    ("红细胞计数", "RBC", "10^12/L", 4.3, 5.8, 2),
    ("血红蛋白", "Hemoglobin", "g/L", 130, 175, 0),
    ("血小板计数", "Platelets", "10^9/L", 125, 350, 0),
    ("葡萄糖", "Glucose", "mmol/L", 3.9, 6.1, 2),
    ("总胆固醇", "Cholesterol", "mmol/L", 2.8, 5.2, 2),
    ("甘油三酯", "Triglycerides", "mmol/L", 0.45, 1.7, 2),
    ("尿酸", "Uric acid", "μmol/L", 208, 428, 0),
    ("肌酐", "Creatinine", "μmol/L", 57, 111, 0),
    ("谷丙转氨酶", "ALT", "U/L", 9, 50, 0),
]
HEAD = {
    "zh": ("检验项目", "结果", "单位", "参考范围", "状态"),
    "en": ("Test", "Result", "Unit", "Reference range", "Flag"),
}
FLAG = {"zh": {"high": "↑ 偏高", "low": "↓ 偏低", "ok": "正常"}, "en": {"high": "H", "low": "L", "ok": ""}}
Q = {
    "value": {
        "zh": ["{name}是多少？", "{name}的结果是多少", "我的{name}数值多少？"],
        "en": ["What is my {name} result?"],
    },
    "range": {
        "zh": ["{name}的参考范围是多少？", "{name}正常范围是多少"],
        "en": ["What is the reference range for {name}?"],
    },
    "abnormal": {
        "zh": ["哪项指标偏高？", "哪个指标超出了参考范围？"],
        "en": ["Which result is flagged high?", "Which test is above the reference range?"],
    },
    "normal": {"zh": ["{name}正常吗？"], "en": ["Is my {name} normal?"]},
}


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    c = Canvas(rng.choice((1000, 1100, 1200)), 1000, PAPER, pick_font(rng, doc_lang))
    size = rng.randint(18, 22)
    tests = rng.sample(TESTS, rng.randint(5, 8))
    high_index = rng.randrange(len(tests))
    rows, states = [], []
    for k, (zh, en, unit, low, high, dec) in enumerate(tests):
        state = "high" if k == high_index else "ok"
        span = high - low
        value = (
            rng.uniform(high + span * 0.1, high + span * 0.6)
            if state == "high"
            else rng.uniform(low + span * 0.1, high - span * 0.1)
        )
        states.append(state)
        name = zh if doc_lang == "zh" else en
        rows.append([name, _fmt(value, dec), unit, f"{_fmt(low, dec)}-{_fmt(high, dec)}", FLAG[doc_lang][state]])
    title = {
        "zh": rng.choice(("检验报告单", "血液生化检验报告")),
        "en": rng.choice(("Laboratory Report", "Blood Test Results")),
    }
    c.text((c.width / 2, 30), title[doc_lang], size + 10, bold=True, anchor="ma")
    meta = {
        "zh": ["姓名：张**", "性别：男", f"样本号：{rng.randint(100000, 999999)}"],
        "en": ["Patient: J. D***", "Sex: F", f"Sample ID: {rng.randint(100000, 999999)}"],
    }[doc_lang]
    for k, text in enumerate(meta):
        c.text((40 + k * 300, 30 + size + 40), text, size - 2)
    widths = [260, 150, 150, 220, 140]
    red = (200, 30, 30)
    colours = [[None, red if s == "high" else None, None, None, red if s == "high" else None] for s in states]
    y = table(
        c,
        150,
        40,
        list(zip(HEAD[doc_lang], widths, strict=True)),
        rows,
        size,
        row_gap=16,
        colours=colours,
        grid=rng.random() < 0.5,
    )
    c.text(
        (40, y + 20),
        "本报告仅对所检样本负责" if doc_lang == "zh" else "Results relate only to the sample tested.",
        size - 4,
        fill=c.theme.muted,
    )
    names = [r[0] for r in rows]
    i = rng.randrange(len(rows))
    high_name = names[high_index]
    abnormal = QA(
        ask(rng, q_lang, Q["abnormal"]),
        [high_name],
        "abnormal",
        wrong=[n for n in names if n != high_name and n not in high_name and high_name not in n],
    )
    if q_lang != doc_lang:  # test names are words of the document's language: ask only "which one"
        return Scene(c.crop_to(y + 70), [abnormal], "paper")
    qas = [
        QA(ask(rng, q_lang, Q["value"], name=names[i]), [rows[i][1]], "value"),
        QA(ask(rng, q_lang, Q["range"], name=names[i]), [rows[i][3]], "range"),
        abnormal,
        yes_no(rng, q_lang, ask(rng, q_lang, Q["normal"], name=names[i]), states[i] == "ok", "yes_no"),
    ]
    return Scene(c.crop_to(y + 70), qas, "paper")
