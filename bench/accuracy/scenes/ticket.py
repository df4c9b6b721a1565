"""Boarding passes and train tickets: a grid of small labels over their values, codes everywhere.

A kind the first engine had no handler for: values sit under their labels in a grid
("登机口" over "G11", "SEAT" over "32A"), the question names the field by another word
("几号登机口", "Which gate do I board at?"), and every value is a short code or time.
"""

from __future__ import annotations

import datetime as dt
import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import PAPER, Canvas, digits, pick_font, pick_theme, upper_code
from bench.accuracy.scenes.vocab import random_date

AIRLINES = {"zh": [("中国国航", "CA"), ("东方航空", "MU"), ("南方航空", "CZ"), ("海南航空", "HU")],
            "en": [("SKYWAY AIRLINES", "SW"), ("NORTHSTAR AIR", "NS"), ("BLUE OCEAN AIR", "BO")]}  # fmt: skip
AIRPORTS = {
    "zh": [("北京", "PEK"), ("上海", "SHA"), ("广州", "CAN"), ("成都", "CTU"), ("深圳", "SZX"), ("西安", "XIY")],
    "en": [("LONDON", "LHR"), ("DUBLIN", "DUB"), ("NEW YORK", "JFK"), ("BOSTON", "BOS"), ("KUALA LUMPUR", "KUL")],
}
NAMES = {
    "zh": ["ZHANG/WEI", "LI/NA", "WANG/FANG", "LIU/YANG"],
    "en": ["SMITH/ANNA MS", "KHAN/OMAR MR", "LOPEZ/MARIA MS"],
}
STATIONS = [("北京南", "上海虹桥"), ("广州南", "长沙南"), ("杭州东", "南京南"), ("成都东", "重庆北")]
FIELDS = {
    "zh": {
        "flight": "航班",
        "date": "日期",
        "gate": "登机口",
        "seat": "座位号",
        "board": "登机时间",
        "depart": "起飞时间",
        "name": "旅客姓名",
        "class": "舱位",
        "from": "始发地",
        "to": "目的地",
    },
    "en": {
        "flight": "FLIGHT",
        "date": "DATE",
        "gate": "GATE",
        "seat": "SEAT",
        "board": "BOARDING",
        "depart": "DEPARTS",
        "name": "PASSENGER",
        "class": "CLASS",
        "from": "FROM",
        "to": "TO",
    },
}
Q = {
    "gate": {"zh": ["登机口是几号？", "我在哪个登机口登机？"], "en": ["Which gate do I board at?", "What's my gate?"]},
    "seat": {"zh": ["我的座位号是多少？", "坐几排几座？"], "en": ["What is my seat number?", "Where am I sitting?"]},
    "depart": {
        "zh": ["几点起飞？", "航班什么时候起飞？"],
        "en": ["What time does the flight leave?", "When does it depart?"],
    },
    "flight": {
        "zh": ["航班号是多少？", "我坐的是哪个航班？"],
        "en": ["What is the flight number?", "Which flight am I on?"],
    },
    "is_seat": {"zh": ["我的座位是{s}吗？", "座位号是不是{s}？"], "en": ["Is my seat {s}?", "Am I in seat {s}?"]},
    "train": {"zh": ["车次是多少？", "我坐的是哪趟车？"], "en": ["What is the train number?"]},
    "coach": {"zh": ["我在几号车厢？", "是几车？"], "en": ["Which coach am I in?"]},
    "price": {"zh": ["票价多少钱？", "这张票多少钱？"], "en": ["How much did the ticket cost?"]},
    "train_depart": {"zh": ["几点发车？", "火车几点开？"], "en": ["What time does the train leave?"]},
}


def _seat(rng: random.Random) -> str:
    return f"{rng.randint(3, 45)}{rng.choice('ABCDEFK')}"


def _boarding_pass(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    f = FIELDS[doc_lang]
    airline, code = rng.choice(AIRLINES[doc_lang])
    flight = code + digits(rng, rng.choice((3, 4)))
    (src, src_code), (dst, dst_code) = rng.sample(AIRPORTS[doc_lang], 2)
    day = random_date(rng)
    depart = dt.datetime.combine(day, dt.time(rng.randint(6, 22), rng.choice((0, 5, 15, 20, 30, 40, 55))))
    board = depart - dt.timedelta(minutes=rng.choice((30, 35, 40, 45)))
    gate = rng.choice("ABCDEG") + str(rng.randint(1, 48))
    seat = _seat(rng)
    other = _seat(rng)
    while other == seat:
        other = _seat(rng)
    width, height = rng.choice(((1100, 560), (1000, 620), (1200, 520)))
    c = Canvas(width, height, theme, pick_font(rng, doc_lang))
    size = rng.randint(20, 26)
    c.rect((0, 0, width, size * 3), fill=theme.accent)
    c.text((30, size * 0.8), airline, size + 4, fill=(255, 255, 255), bold=True)
    c.text((width - 30, size * 0.8), "登机牌 BOARDING PASS" if doc_lang == "zh" else "BOARDING PASS", size,
           fill=(255, 255, 255), anchor="ra")  # fmt: skip
    date_text = day.isoformat() if doc_lang == "zh" else day.strftime("%d %b %Y").upper()
    grid = [
        [(f["name"], rng.choice(NAMES[doc_lang])), (f["flight"], flight), (f["date"], date_text)],
        [
            (f["from"], f"{src} {src_code}"),
            (f["to"], f"{dst} {dst_code}"),
            (f["class"], "经济舱" if doc_lang == "zh" else "ECONOMY"),
        ],
        [
            (f["gate"], gate),
            (f["seat"], seat),
            (f["board"], board.strftime("%H:%M")),
            (f["depart"], depart.strftime("%H:%M")),
        ],
    ]
    y = size * 4.5
    for row in grid:
        step = (width - 60) / len(row)
        for k, (label, value) in enumerate(row):
            x = 30 + k * step
            c.text((x, y), label, size - 6, fill=theme.muted)
            c.text((x, y + size), value, size + 2, bold=True)
        y += size * 3.6
    qas = [
        QA(ask(rng, q_lang, Q["gate"]), [gate], "gate"),
        QA(ask(rng, q_lang, Q["seat"]), [seat], "seat"),
        QA(ask(rng, q_lang, Q["depart"]), [depart.strftime("%H:%M")], "depart_time"),
        QA(ask(rng, q_lang, Q["flight"]), [flight], "flight"),
    ]
    truth = rng.random() < 0.5
    qas.append(yes_no(rng, q_lang, ask(rng, q_lang, Q["is_seat"], s=seat if truth else other), truth, "yes_no"))
    return Scene(c.crop_to(y + 10), qas, "screen")


def _train_ticket(rng: random.Random, q_lang: str) -> Scene:
    """A zh paper train ticket: 车次, stations, 开车时间, 车厢 and 座位, 票价, 席别."""
    c = Canvas(960, 600, PAPER if rng.random() < 0.5 else pick_theme(rng, False), pick_font(rng, "zh"))
    size = rng.randint(22, 28)
    src, dst = rng.choice(STATIONS)
    train = rng.choice("GDK") + digits(rng, rng.choice((2, 3, 4)))
    day = random_date(rng)
    leave = dt.time(rng.randint(6, 21), rng.choice((0, 8, 15, 26, 33, 47)))
    coach, seat = f"{rng.randint(1, 16):02d}", f"{rng.randint(1, 20):02d}{rng.choice('ABCDF')}"
    price = rng.choice((93.5, 156.0, 299.5, 553.0, 667.0))
    serial = upper_code(rng, 1) + digits(rng, 6)
    c.text((40, 30), serial, size - 4, fill=(200, 40, 40))
    c.text((60, 90), f"{src}站", size + 10, bold=True)
    c.text((400, 96), train, size + 4, bold=True)
    c.text((620, 90), f"{dst}站", size + 10, bold=True)
    when = f"{day.year}年{day.month:02d}月{day.day:02d}日 {leave.strftime('%H:%M')}开"
    c.text((60, 190), when, size)
    c.text((620, 190), f"{coach}车{seat}号", size)
    c.text((60, 260), f"¥{price:.1f}元", size)
    c.text((620, 260), rng.choice(("二等座", "一等座", "商务座")), size)
    c.text((60, 330), "限乘当日当次车", size - 4)
    c.text((60, 400), f"{digits(rng, 4)}**********{digits(rng, 4)} {rng.choice(('张伟', '李娜', '王芳'))}", size - 2)
    qas = [
        QA(ask(rng, q_lang, Q["train"]), [train], "train"),
        QA(ask(rng, q_lang, Q["coach"]), [coach, str(int(coach))], "coach"),
        QA(ask(rng, q_lang, Q["price"]), [f"{price:.1f}", f"{price:.2f}"], "price"),
        QA(ask(rng, q_lang, Q["train_depart"]), [leave.strftime("%H:%M")], "depart_time"),
    ]
    return Scene(c.crop_to(460), qas, "paper")


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    if doc_lang == "zh" and rng.random() < 0.4:
        return _train_ticket(rng, q_lang)
    return _boarding_pass(rng, doc_lang, q_lang, dark)
