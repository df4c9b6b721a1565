"""Parcel tracking timelines (courier app / web): carrier, tracking number, status, dated updates.

A kind the first engine had no handler for: the answers sit in a vertical timeline (a date and
time beside or above each update, newest first), so a lookup must pick the right entry, a count
counts entries, and a yes/no follows the status the page states.
"""

from __future__ import annotations

import datetime as dt
import random

from bench.accuracy.scenes.base import QA, Scene, ask, yes_no
from bench.accuracy.scenes.common import Canvas, digits, pick_font, pick_theme, upper_code
from bench.accuracy.scenes.vocab import random_date

CARRIERS = {
    "zh": [("顺丰速运", "SF", 12), ("中通快递", "ZT", 12), ("圆通速递", "YT", 13), ("京东物流", "JDV", 12)],
    "en": [("UPS", "1Z", 14), ("FedEx", "", 12), ("DHL", "JD", 14), ("Royal Mail", "RM", 9)],
}
CITIES = {
    "zh": ["深圳", "广州", "杭州", "上海", "北京", "成都", "武汉", "南京", "西安"],
    "en": ["Austin, TX", "Memphis, TN", "Louisville, KY", "Leeds", "Bristol", "Chicago, IL", "Denver, CO"],
}
EVENTS = {  # oldest first: pick-up, transit…, out for delivery, delivered
    "zh": {
        "pickup": "【{city}】快递员已揽收",
        "transit": [
            "【{city}】快件已到达{city}转运中心",
            "【{city}】快件已从{city}发出，下一站{next}",
            "【{city}】快件运输中",
        ],
        "out": "【{city}】快递员正在派送，请保持电话畅通",
        "delivered": "【{city}】已签收，签收人：本人",
    },
    "en": {
        "pickup": "Picked up by carrier — {city}",
        "transit": ["Arrived at facility — {city}", "Departed facility — {city}", "In transit to {next}"],
        "out": "Out for delivery — {city}",
        "delivered": "Delivered, front door — {city}",
    },
}
STATUS = {
    "zh": {"transit": "运输中", "out": "派送中", "delivered": "已签收"},
    "en": {"transit": "In transit", "out": "Out for delivery", "delivered": "Delivered"},
}
TEXT = {
    "zh": {
        "title": ["物流详情", "查看物流", "包裹追踪"],
        "tracking": ["运单号", "快递单号"],
        "carrier": ["快递公司", "承运商"],
    },
    "en": {
        "title": ["Tracking details", "Track your package", "Shipment progress"],
        "tracking": ["Tracking number", "Tracking No."],
        "carrier": ["Carrier", "Shipped with"],
    },
}
Q = {
    "tracking": {
        "zh": ["运单号是多少？", "能告诉我快递单号吗？", "这个包裹的单号是什么"],
        "en": ["What is the tracking number?", "Could you read me the tracking number?"],
    },
    "carrier": {
        "zh": ["是哪家快递？", "用的什么快递公司？"],
        "en": ["Which carrier is delivering it?", "Who is the courier?"],
    },
    "delivered": {
        "zh": ["包裹签收了吗？", "我的快递送到了没有？", "已经送达了吗"],
        "en": ["Has my parcel been delivered?", "Did the package arrive yet?"],
    },
    "pickup": {
        "zh": ["什么时候揽收的？", "快递是哪天被揽收的？"],
        "en": ["When was the parcel picked up?", "What date did the carrier pick it up?"],
    },
    "count": {
        "zh": ["物流一共更新了几次？", "这里有几条物流记录？"],
        "en": ["How many tracking updates are listed?", "How many scan events are there?"],
    },
}


def _tracking(rng: random.Random, prefix: str, n: int) -> str:
    return prefix + digits(rng, n) if prefix != "1Z" else "1Z" + upper_code(rng, 3) + digits(rng, n - 3)


def _day(moment: dt.datetime, lang: str, style: int) -> str:
    if lang == "zh":
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%b %d, %Y") if style else moment.strftime("%d %b %Y")


def _stamp(moment: dt.datetime, lang: str, style: int) -> str:
    clock = moment.strftime("%I:%M %p") if lang == "en" and style else moment.strftime("%H:%M")
    return f"{_day(moment, lang, style)} {clock}"


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark)
    t = {k: rng.choice(v) for k, v in TEXT[doc_lang].items()}
    carrier, prefix, n = rng.choice(CARRIERS[doc_lang])
    tracking = _tracking(rng, prefix, n)
    state = rng.choice(("transit", "out", "delivered", "delivered"))
    cities = rng.sample(CITIES[doc_lang], 4)
    events = [EVENTS[doc_lang]["pickup"].format(city=cities[0])]
    for k in range(rng.randint(1, 3)):
        events.append(rng.choice(EVENTS[doc_lang]["transit"]).format(city=cities[k % 3 + 1], next=cities[3]))
    if state in ("out", "delivered"):
        events.append(EVENTS[doc_lang]["out"].format(city=cities[3]))
    if state == "delivered":
        events.append(EVENTS[doc_lang]["delivered"].format(city=cities[3]))
    start = dt.datetime.combine(random_date(rng), dt.time(rng.randint(8, 18), rng.randint(0, 59)))
    moments = [start]
    for _ in events[1:]:
        moments.append(moments[-1] + dt.timedelta(hours=rng.randint(3, 20), minutes=rng.randint(0, 59)))
    style = rng.randint(0, 1)
    width, height = rng.choice(((750, 1300), (900, 1200), (1000, 1100)))
    c = Canvas(width, height, theme, pick_font(rng, doc_lang))
    size = rng.randint(20, 26)
    sep = "：" if doc_lang == "zh" else ": "
    y = 30.0
    c.text((40, y), t["title"], size + 10, bold=True)
    y += size * 2 + 30
    c.rect((30, y - 10, width - 30, y + size * 5), fill=theme.panel, radius=12)
    c.text((50, y), STATUS[doc_lang][state], size + 6, fill=theme.accent, bold=True)
    y += size * 2 + 8
    c.text((50, y), t["carrier"] + sep + carrier, size - 2)
    y += size + 14
    c.text((50, y), t["tracking"] + sep + tracking, size - 2)
    y += size * 3
    beside = rng.random() < 0.5  # the time left of each update, or above it
    for moment, event in reversed(list(zip(moments, events, strict=True))):
        dot = theme.accent if event is events[-1] else theme.muted
        c.draw.ellipse((44, y + 6, 56, y + 18), fill=dot)
        stamp = _stamp(moment, doc_lang, style)
        if beside:
            right = c.text((72, y), stamp, size - 4, fill=theme.muted)[2]
            c.text((right + 28, y), event, size - 4)
        else:
            c.text((72, y), event, size - 2)
            c.text((72, y + size + 6), stamp, size - 6, fill=theme.muted)
            y += size + 6
        y += size * 2 + 6
    image = c.crop_to(y + 30)
    pickup = moments[0]
    pickup_printed = _day(pickup, doc_lang, style)
    qas = [
        QA(ask(rng, q_lang, Q["tracking"]), [tracking], "tracking"),
        yes_no(rng, q_lang, ask(rng, q_lang, Q["delivered"]), state == "delivered", "delivered"),
        QA(ask(rng, q_lang, Q["pickup"]), [pickup_printed, pickup.date().isoformat()], "pickup_date"),
        QA(ask(rng, q_lang, Q["count"]), [str(len(events))], "count"),
    ]
    if q_lang == doc_lang:
        qas.append(QA(ask(rng, q_lang, Q["carrier"]), [carrier], "carrier"))
    return Scene(image, qas, "screen")
