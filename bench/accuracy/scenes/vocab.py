"""Word lists the scenes draw from (products, stores, people-free), and date helpers."""

from __future__ import annotations

import datetime as dt
import random

PRODUCTS = {
    "zh": [
        ("无线蓝牙耳机", "数码"),
        ("保温杯 500ml", "家居"),
        ("机械键盘", "数码"),
        ("纯棉T恤", "服饰"),
        ("电动牙刷", "个护"),
        ("空气炸锅", "家电"),
        ("瑜伽垫", "运动"),
        ("儿童绘本套装", "图书"),
        ("不锈钢炒锅", "厨具"),
        ("充电宝 20000mAh", "数码"),
        ("羽绒服", "服饰"),
        ("护手霜", "个护"),
        ("运动跑鞋", "运动"),
        ("智能手环", "数码"),
        ("有机绿茶", "食品"),
        ("乳胶枕头", "家居"),
        ("电热水壶", "家电"),
        ("双肩背包", "箱包"),
        ("台灯", "家居"),
        ("咖啡豆 1kg", "食品"),
    ],
    "en": [
        ("Wireless Earbuds", "audio"),
        ("Steel Water Bottle", "home"),
        ("Mechanical Keyboard", "tech"),
        ("Cotton T-Shirt", "apparel"),
        ("Electric Toothbrush", "care"),
        ("Air Fryer", "kitchen"),
        ("Yoga Mat", "sport"),
        ("Desk Lamp", "home"),
        ("Power Bank 20000mAh", "tech"),
        ("Running Shoes", "sport"),
        ("Smart Watch", "tech"),
        ("Hand Cream", "care"),
        ("Organic Green Tea", "food"),
        ("Memory Foam Pillow", "home"),
        ("Electric Kettle", "kitchen"),
        ("Travel Backpack", "bags"),
        ("Coffee Beans 1kg", "food"),
        ("USB-C Hub", "tech"),
        ("Ceramic Frying Pan", "kitchen"),
        ("Wool Scarf", "apparel"),
    ],
}

STORES = {
    "zh": ["鲜丰水果", "全家便利店", "永辉超市", "罗森便利店", "良品铺子", "盒马鲜生", "屈臣氏", "喜茶"],
    "en": [
        "GREEN LEAF MART",
        "CITY FRESH GROCER",
        "SUNNY CAFE",
        "BLUE OCEAN BOOKS",
        "HOME PLUS HARDWARE",
        "METRO PHARMACY",
        "CORNER BAKERY",
        "PIXEL ELECTRONICS",
    ],
}

RECEIPT_ITEMS = {
    "zh": ["牛奶", "面包", "鸡蛋", "苹果", "香蕉", "矿泉水", "酸奶", "薯片", "咖啡", "大米", "酱油", "纸巾"],
    "en": [
        "MILK 1L",
        "BREAD",
        "EGGS 12PK",
        "APPLES",
        "BANANAS",
        "WATER 6PK",
        "YOGURT",
        "CHIPS",
        "LATTE",
        "RICE 2KG",
        "SOY SAUCE",
        "TISSUES",
    ],
}


def random_date(rng: random.Random, after: dt.date | None = None, days: tuple[int, int] = (0, 700)) -> dt.date:
    start = after or dt.date(2023, 1, 1)
    return start + dt.timedelta(days=rng.randint(*days))


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"
