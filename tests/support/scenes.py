"""Richer rendered scenes for perception and engine tests: pages, tables, charts, logs, labels.

Each scene returns the image and where every piece of text was drawn (text → box), so tests can
check evidence boxes against the truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from PIL import Image, ImageDraw

from tests.support.render import font, text_box

Box = tuple[float, float, float, float]


@dataclass
class Scene:
    image: Image.Image
    boxes: dict[str, Box] = field(default_factory=dict)


class Canvas:
    def __init__(self, size: tuple[int, int], background: str | tuple[int, int, int] = "white") -> None:
        self.image = Image.new("RGB", size, background)
        self.draw = ImageDraw.Draw(self.image)
        self.boxes: dict[str, Box] = {}

    def text(self, text: str, xy: tuple[int, int], size: int = 24, fill: str | tuple[int, int, int] = "black") -> None:
        self.draw.text(xy, text, font=font(size), fill=fill)
        self.boxes[text] = text_box(xy, text, size)

    def scene(self) -> Scene:
        return Scene(self.image, self.boxes)


def order_page_zh() -> Scene:
    """A shop order page: title, label/value pairs (colon, right of label), a red warning."""
    c = Canvas((760, 520))
    c.text("订单详情", (40, 24), 38)
    c.text("订单编号：2024051812345", (40, 100))
    c.text("快递单号", (40, 160))
    c.text("SF1357924680", (330, 160))
    c.text("下单时间", (40, 220))
    c.text("2024-05-18 14:32", (330, 220))
    c.text("实付金额", (40, 280))
    c.text("¥1,299.00", (330, 280))
    c.text("支付失败：超出单笔支付限额", (40, 360), 26, fill=(220, 20, 20))
    c.text("错误码：E1024", (40, 420))
    return c.scene()


def invoice_zh() -> Scene:
    """An invoice header whose values sit under their labels."""
    c = Canvas((760, 360))
    c.text("增值税普通发票", (200, 20), 36)
    c.text("发票代码", (40, 110))
    c.text("发票号码", (400, 110))
    c.text("044031900111", (40, 150))
    c.text("08865432", (400, 150))
    c.text("开票日期：2024年03月15日", (40, 230))
    c.text("价税合计：¥568.00", (40, 290))
    return c.scene()


def receipt_en() -> Scene:
    c = Canvas((600, 520))
    c.text("SUNRISE MART", (170, 20), 34)
    c.text("Date: 12/04/2024", (40, 90))
    c.text("Milk 1L", (40, 160))
    c.text("3.50", (440, 160))
    c.text("Bread", (40, 210))
    c.text("2.80", (440, 210))
    c.text("Subtotal", (40, 290))
    c.text("6.30", (440, 290))
    c.text("Total", (40, 350), 28)
    c.text("$6.93", (430, 350), 28)
    c.text("Thank you!", (220, 440))
    return c.scene()


def product_table(lang: str) -> Scene:
    """A stock table with a header row and wide column gaps."""
    c = Canvas((860, 360))
    if lang == "zh":
        header = ("商品", "库存", "单价", "发货日期")
        rows = [
            ("蓝牙耳机", "35", "¥199", "2024-06-03"),
            ("充电宝", "120", "¥89", "2024-06-10"),
            ("数据线", "0", "¥25", "2024-05-28"),
        ]
    else:
        header = ("Item", "Stock", "Price", "Ship date")
        rows = [
            ("Headphones", "35", "$59", "2024-06-03"),
            ("Power bank", "120", "$29", "2024-06-10"),
            ("USB cable", "0", "$9", "2024-05-28"),
        ]
    xs = (40, 290, 450, 610)
    for col, text in enumerate(header):
        c.text(text, (xs[col], 40))
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            c.text(text, (xs[col], 110 + r * 70))
    return c.scene()


def bar_chart() -> Scene:
    """A bar chart with value labels above the bars and years under them."""
    c = Canvas((720, 460))
    c.text("Annual sales (k units)", (180, 16), 28)
    values = {"2019": 120, "2020": 95, "2021": 150, "2022": 180}
    base = 390
    for i, (year, value) in enumerate(values.items()):
        x = 90 + i * 150
        top = base - value * 1.5
        c.draw.rectangle((x, top, x + 80, base), fill=(70, 120, 200))
        c.text(str(value), (x + 18, int(top) - 34))
        c.text(year, (x + 12, base + 12))
    return c.scene()


def crash_log() -> Scene:
    c = Canvas((980, 360))
    lines = [
        "App version 3.2.1 (build 415)",
        "FATAL EXCEPTION: main",
        "java.lang.NullPointerException: Attempt to invoke virtual method",
        "    at com.shop.cart.CartActivity.onCreate(CartActivity.java:88)",
        "    at android.app.Activity.performCreate(Activity.java:8000)",
    ]
    for i, line in enumerate(lines):
        c.text(line, (30, 30 + i * 60), 22)
    return c.scene()


def cert_label() -> Scene:
    c = Canvas((640, 380))
    c.text("有机认证", (60, 40), 34, fill=(20, 140, 40))
    c.text("ORGANIC", (60, 100), 30, fill=(20, 140, 40))
    c.text("产品名称：高山绿茶", (60, 180))
    c.text("净含量：250g", (60, 230))
    c.text("生产日期：2024-04-01", (60, 280))
    return c.scene()


def lab_report() -> Scene:
    c = Canvas((820, 300))
    header = ("指标", "数值", "单位", "状态")
    rows = [("血糖", "6.8", "mmol/L", "偏高"), ("血红蛋白", "135", "g/L", "正常")]
    xs = (40, 260, 430, 620)
    for col, text in enumerate(header):
        c.text(text, (xs[col], 40))
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            c.text(text, (xs[col], 110 + r * 70))
    return c.scene()


def _dark_plate(lines: tuple[str, ...], size: tuple[int, int]) -> Scene:
    """A metal nameplate: light text on a dark background, one spec per line."""
    c = Canvas(size, background=(30, 30, 34))
    for k, text in enumerate(lines):
        c.text(text, (40, 40 + 70 * k), 28, fill=(235, 235, 235))
    return c.scene()


def nameplate_en() -> Scene:
    return _dark_plate(("Model: XR-200", "Serial No: SN7741209", "Input: 220V 50Hz"), (700, 320))


def order_wide_en() -> Scene:
    """A wide two-column order summary: labels at the left edge, values right-aligned far away.

    The carrier's value ("UPS") is short and sits right above the tracking number; the order
    label is printed with a zero for its O, as OCR often reads it.
    """
    c = Canvas((1000, 470))
    c.text("Order details", (380, 20), 32)
    rows = [
        ("Items", "€178.00"),
        ("Shipping", "€10.00"),
        ("Total paid", "€188.00"),
        ("0rder #", "7721106548551279"),
        ("Carrier", "UPS"),
        ("Tracking number", "1ZMFE9012210419993"),
    ]
    for r, (label, value) in enumerate(rows):
        y = 90 + r * 60
        c.text(label, (36, y), 26)
        width = c.draw.textlength(value, font=font(26))
        c.text(value, (int(960 - width), y), 26)
    return c.scene()


def order_status_zh() -> Scene:
    """A phone order page: a status headline, then carrier and tracking number."""
    c = Canvas((720, 420))
    c.text("我的订单", (290, 20), 32)
    c.text("已发货", (40, 90), 30)
    c.text("包裹已由顺丰速运揽收", (40, 140), 22)
    for r, (label, value) in enumerate(
        [("实付款", "¥3,315.80"), ("快递公司", "顺丰速运"), ("快递单号", "SF9061985026485")]
    ):
        y = 220 + r * 60
        c.text(label, (40, y))
        width = c.draw.textlength(value, font=font(24))
        c.text(value, (int(680 - width), y))
    return c.scene()


def vat_invoice_zh() -> Scene:
    """A VAT invoice's goods table: a 合计 row carries the amount and tax columns' totals."""
    c = Canvas((1000, 330))
    header = ("货物或应税劳务名称", "单位", "数量", "单价", "金额", "税率", "税额")
    rows = [
        ("充电宝 20000mAh", "件", "2", "88.50", "177.00", "13%", "23.01"),
        ("乳胶枕头", "件", "5", "1280.00", "6400.00", "13%", "832.00"),
        ("合计", "", "", "", "¥6577.00", "", "¥855.01"),
    ]
    xs = (30, 300, 390, 480, 610, 760, 860)
    for col, text in enumerate(header):
        c.text(text, (xs[col], 40), 22)
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            if text:
                c.text(text, (xs[col], 110 + r * 70), 22)
    return c.scene()


def month_chart_zh() -> Scene:
    """A bar chart whose y-axis ticks share a row with the value labels of the tall bars."""
    c = Canvas((900, 520))
    c.text("2022年各月新增用户（人）", (260, 14), 30)
    base, scale = 440, 0.3
    for tick in (0, 500, 1000):
        y = int(base - tick * scale)
        c.draw.line((90, y, 880, y), fill=(220, 220, 220))
        c.text(str(tick), (20, y - 14), 20)
    for i, (month, value) in enumerate({"7月": 944, "8月": 362, "9月": 152, "10月": 974, "11月": 323}.items()):
        x = 130 + i * 150
        top = int(base - value * scale)
        c.draw.rectangle((x, top, x + 80, base), fill=(52, 168, 83))
        c.text(str(value), (x + 18, top - 34), 22)
        c.text(month, (x + 20, base + 12), 22)
    return c.scene()


def payment_declined_en() -> Scene:
    """A payment-failed dialog in pounds: the limit is in the message and on its own line."""
    c = Canvas((760, 380))
    c.text("Payment failed", (250, 24), 32, fill=(200, 30, 30))
    c.text("This payment exceeds your card's per-transaction", (40, 100), 22)
    c.text("limit of £3,000.00.", (40, 136), 22)
    c.text("Payment amount: £5,999.00", (40, 200))
    c.text("Card limit: £3,000.00", (40, 250))
    c.text("Error code: E3762", (40, 300))
    return c.scene()


def nameplate_power() -> Scene:
    return _dark_plate(("Model: HT-1500", "Rated power: 1500W", "220-240V ~ 50Hz"), (700, 260))


def series_chart_en() -> Scene:
    """A line chart in the Our-World-in-Data style: y ticks at the left, years below, and each
    series named at its line's end in the series' colour; plus a swatch legend at the top."""
    c = Canvas((1000, 600))
    c.text("Military spending, share of GDP", (40, 16), 30)
    base, top = 500, 120
    for k, tick in enumerate(("0%", "2%", "4%", "6%", "8%")):
        y = int(base - k * (base - top) / 4)
        c.draw.line((90, y, 760, y), fill=(225, 225, 225))
        c.text(tick, (30, y - 12), 20, fill=(90, 90, 90))
    for k, year in enumerate(("1960", "1980", "2000", "2020")):
        c.text(year, (110 + k * 190, base + 14), 20, fill=(90, 90, 90))
    series = {
        "Belgium": ((128, 60, 170), 330),
        "United Kingdom": ((40, 140, 110), 250),
        "Brazil": ((25, 70, 20), 420),
    }
    for name, (colour, y) in series.items():
        c.draw.line((100, y + 40, 760, y), fill=colour, width=4)
        c.text(name, (780, y - 14), 24, fill=colour)
    for k, (name, colour) in enumerate((("Major threat", (90, 110, 60)), ("Minor threat", (200, 205, 150)))):
        x = 420 + k * 260
        c.draw.rectangle((x, 78, x + 22, 100), fill=colour)
        c.text(name, (x + 32, 76), 22)
    return c.scene()


def rotated_axis_chart() -> Scene:
    """A bar chart whose country names are printed at 45° under the bars, y ticks every 25k."""
    c = Canvas((1000, 720))
    c.text("Gross national income per capita", (40, 14), 30)
    base = 520
    for k, tick in enumerate(("0", "25k", "50k", "75k", "100k")):
        y = base - k * 100
        c.draw.line((80, y, 980, y), fill=(200, 200, 200))
        c.text(tick, (10, y - 14), 22, fill=(80, 80, 90))
    countries = ["Norway", "Ireland", "Denmark", "Austria", "Germany", "France", "Italy", "Spain", "Chile", "Mexico"]
    heights = [400, 330, 300, 270, 260, 230, 210, 190, 120, 90]
    for i, (name, h) in enumerate(zip(countries, heights, strict=True)):
        x = 160 + i * 80
        c.draw.rectangle((x, base - h, x + 40, base), fill=(10, 10, 60))
        _, _, right, bottom = font(24).getbbox(name)
        label = Image.new("RGBA", (right + 4, bottom + 4), (255, 255, 255, 0))
        ImageDraw.Draw(label).text((2, 2), name, font=font(24), fill=(80, 80, 110, 255))
        turned = label.rotate(45, expand=True, resample=Image.Resampling.BICUBIC)
        c.image.paste(turned, (x + 40 - turned.width, base + 8), turned)  # text ends under its bar
    return c.scene()


def _label_rows(c: Canvas, rows: list[tuple[str, str]], top: int, right: int, step: int = 56) -> None:
    """Label at the left edge, value right-aligned: the common phone-page layout."""
    for r, (label, value) in enumerate(rows):
        y = top + r * step
        c.text(label, (40, y))
        width = c.draw.textlength(value, font=font(24))
        c.text(value, (int(right - width), y))


def refund_zh() -> Scene:
    """A refund details page whose status says rejected (issue #12's yes/no finding)."""
    c = Canvas((720, 400))
    c.text("退款详情", (280, 20), 32)
    _label_rows(c, [("退款状态", "已拒绝"), ("退款金额", "¥89.00"), ("申请时间", "2026-03-01"),
                    ("处理时间", "2026-03-02")], 100, 680)
    return c.scene()


def claim_en() -> Scene:
    """A second kind for the same mechanism: a warranty claim page, English, status denied."""
    c = Canvas((760, 360))
    c.text("Warranty claim", (260, 20), 32)
    _label_rows(c, [("Claim status", "Denied"), ("Claim no.", "WC-20931"), ("Submitted", "2026-02-11")], 100, 720)
    return c.scene()


def _grid(c: Canvas, header: tuple[str, ...], rows: list[tuple[str, ...]], xs: tuple[int, ...], top: int) -> None:
    for col, text in enumerate(header):
        c.text(text, (xs[col], top))
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            c.text(text, (xs[col], top + 60 + r * 56))


def item_table_en() -> Scene:
    """A plain Item / Qty / Price receipt-like table (issue #12: tables never summed or counted)."""
    c = Canvas((700, 330))
    _grid(c, ("Item", "Qty", "Price"), [("Notebook", "3", "$2.50"), ("Stapler", "1", "$6.40"),
                                        ("Folder", "2", "$1.20")], (40, 320, 500), 40)
    return c.scene()


def parts_list_zh() -> Scene:
    """A second kind: a Chinese parts list (名称 / 数量 / 单价)."""
    c = Canvas((700, 390))
    _grid(c, ("名称", "数量", "单价"), [("螺丝", "12", "¥0.50"), ("垫片", "8", "¥0.20"),
                                        ("扳手", "1", "¥25.00"), ("胶带", "3", "¥4.00")], (40, 320, 500), 40)
    return c.scene()


def utility_bill_zh() -> Scene:
    """A utility bill: charges, a usage line with its unit, and the amount due."""
    c = Canvas((720, 460))
    c.text("缴费通知单", (260, 20), 32)
    _label_rows(c, [("户号", "3300817726"), ("电费", "¥128.50"), ("水费", "¥36.20"), ("用电量", "215 kWh"),
                    ("应缴金额", "¥164.70"), ("缴费截止", "2026-03-15")], 90, 680)
    return c.scene()


def phone_bill_en() -> Scene:
    """A second kind: a mobile phone bill in English."""
    c = Canvas((760, 480))
    c.text("Monthly statement", (250, 20), 32)
    _label_rows(c, [("Plan fee", "$35.00"), ("Roaming", "$12.40"), ("Data used", "18.5 GB"),
                    ("Minutes used", "342 min"), ("Taxes", "$2.50"),
                    ("Balance due", "$49.90")], 90, 720)
    return c.scene()


SCENES = {
    "order_page_zh": order_page_zh,
    "invoice_zh": invoice_zh,
    "receipt_en": receipt_en,
    "product_table_zh": lambda: product_table("zh"),
    "product_table_en": lambda: product_table("en"),
    "bar_chart": bar_chart,
    "crash_log": crash_log,
    "cert_label": cert_label,
    "lab_report": lab_report,
    "nameplate_en": nameplate_en,
    "order_wide_en": order_wide_en,
    "order_status_zh": order_status_zh,
    "vat_invoice_zh": vat_invoice_zh,
    "month_chart_zh": month_chart_zh,
    "payment_declined_en": payment_declined_en,
    "nameplate_power": nameplate_power,
    "series_chart_en": series_chart_en,
    "rotated_axis_chart": rotated_axis_chart,
    "refund_zh": refund_zh,
    "claim_en": claim_en,
    "item_table_en": item_table_en,
    "parts_list_zh": parts_list_zh,
    "utility_bill_zh": utility_bill_zh,
    "phone_bill_en": phone_bill_en,
}


@cache
def _perceiver():  # type: ignore[no-untyped-def]
    from visdesk.perception import CachedPerceiver
    from visdesk.perception.ocr import OcrReader
    from visdesk.settings import OcrSettings

    return CachedPerceiver(OcrReader(OcrSettings()))


@cache
def scene(name: str) -> Scene:
    return SCENES[name]()


@cache
def perceived(name: str):  # type: ignore[no-untyped-def]
    """(ImageInput, Perception) of a scene, OCR'd once per test session (shared by every test module)."""
    from tests.support.render import png_bytes
    from visdesk.images import intake
    from visdesk.settings import ImageSettings

    image = intake(png_bytes(scene(name).image), ImageSettings())
    return image, _perceiver().perceive(image)
