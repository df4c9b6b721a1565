"""Appliance nameplates (rating labels): model, serial, voltage, frequency, power, capacity."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask
from bench.accuracy.scenes.common import Canvas, Theme, digits, pick_font, upper_code

PLATES = (
    Theme((205, 208, 212), (20, 20, 25), (70, 70, 80), (20, 20, 25), (190, 194, 198), (60, 60, 70)),
    Theme((235, 235, 230), (15, 15, 15), (60, 60, 60), (180, 20, 20), (220, 220, 215), (40, 40, 40)),
    Theme((30, 32, 36), (235, 235, 235), (180, 180, 180), (235, 235, 235), (45, 48, 52), (200, 200, 200), True),
)
DEVICES = {
    "zh": [
        ("洗衣机", "XQB", "kg", (6, 8, 10)),
        ("电热水器", "DSZF", "L", (40, 60, 80)),
        ("空气净化器", "KJ", "m³/h", (300, 400, 500)),
        ("电饭煲", "MB-FB", "L", (3, 4, 5)),
    ],
    "en": [
        ("Washing machine", "WM", "kg", (6, 8, 10)),
        ("Water heater", "EWH", "L", (40, 60, 80)),
        ("Air purifier", "AP", "m³/h", (300, 400, 500)),
        ("Rice cooker", "RC", "L", (3, 4, 5)),
    ],
}
Q = {
    "model": {
        "zh": ["这台机器的型号是什么？", "型号多少？", "产品型号是啥"],
        "en": ["What is the model number?", "Which model is this?"],
    },
    "voltage": {
        "zh": ["额定电压是多少？", "要用多少伏的电？"],
        "en": ["What voltage does it need?", "What is the rated voltage?"],
    },
    "power": {"zh": ["功率多大？", "额定功率是多少"], "en": ["What is the rated power?", "How many watts is it?"]},
    "serial": {
        "zh": ["序列号是多少？", "出厂编号是什么", "SN码多少？"],
        "en": ["What's the serial number?", "What is the S/N?"],
    },
    "capacity": {"zh": ["容量多大？", "额定容量是多少"], "en": ["What is the capacity?"]},
    "frequency": {"zh": ["额定频率是多少？"], "en": ["What is the rated frequency?"]},
}


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = rng.choice(PLATES)
    c = Canvas(rng.choice((760, 860, 960)), 700, theme, pick_font(rng, doc_lang))
    device, prefix, unit, capacities = rng.choice(DEVICES[doc_lang])
    model = f"{prefix}{rng.choice(capacities)}-{upper_code(rng, 1)}{digits(rng, 2)}"
    serial = rng.choice((upper_code(rng, 2), "")) + digits(rng, rng.choice((12, 13, 15)))
    volts = rng.choice(("220V~", "230V~", "120V~", "220-240V~"))
    hz = "60Hz" if volts.startswith("120") else "50Hz"
    watts = f"{rng.choice((450, 800, 1200, 1500, 2000, 2200, 3000))}W"
    capacity = f"{rng.choice(capacities)}{unit}"
    brand = rng.choice(("HOMEWELL", "ACME", "NORDLUX", "美的家", "海风"))
    size = rng.randint(20, 26)
    c.rect((12, 12, c.width - 12, 688), outline=theme.line, width=3, radius=18)
    c.text(
        (c.width / 2, 36),
        brand,
        size + 10,
        bold=True,
        anchor="ma",
        font_name="wqy",
    )
    c.text((c.width / 2, 36 + size + 24), device, size + 2, anchor="ma")
    labels = {
        "zh": [
            ("型号 MODEL", model),
            ("额定电压", volts),
            ("额定频率", hz),
            ("额定功率", watts),
            ("额定容量", capacity),
            ("出厂编号 S/N", serial),
        ],
        "en": [
            ("MODEL", model),
            ("RATED VOLTAGE", volts),
            ("FREQUENCY", hz),
            ("RATED POWER", watts),
            ("CAPACITY", capacity),
            ("S/N", serial),
        ],
    }[doc_lang]
    y = 150.0
    two_col = rng.random() < 0.5
    for label, value in labels:
        if two_col:
            c.text((50, y), label, size, fill=theme.muted)
            c.text((c.width * 0.5, y), value, size, bold=True)
        else:
            c.text((50, y), f"{label}: {value}", size)
        y += size + 26
    c.text(
        (50, y + 10), "IPX4   CE   Made in China" if doc_lang == "en" else "IPX4   中国制造", size - 4, fill=theme.muted
    )
    qas = [
        QA(ask(rng, q_lang, Q["model"]), [model], "model"),
        QA(ask(rng, q_lang, Q["voltage"]), [volts.rstrip("~")], "voltage"),
        QA(ask(rng, q_lang, Q["power"]), [watts], "power"),
        QA(ask(rng, q_lang, Q["serial"]), [serial], "serial"),
        QA(ask(rng, q_lang, Q["capacity"]), [capacity], "capacity"),
        QA(ask(rng, q_lang, Q["frequency"]), [hz], "frequency"),
    ]
    return Scene(c.crop_to(700), qas, "device")
