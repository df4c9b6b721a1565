"""A rendered payment-error dialog (shared by the HTTP, browser, CLI and Python API tests)."""

from __future__ import annotations

from PIL import Image, ImageDraw

from tests.support.render import font, text_box

CODE = "E1024"
CODE_LINE = f"错误码：{CODE}"
CODE_XY = (90, 200)
CODE_SIZE = 30


def payment_error_dialog() -> Image.Image:
    """A phone-style payment failure dialog; the error-code line is drawn at CODE_XY."""
    image = Image.new("RGB", (720, 480), (236, 239, 243))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((50, 50, 670, 430), radius=24, fill="white", outline=(200, 205, 212), width=2)
    draw.text((90, 90), "支付失败", font=font(40), fill=(200, 30, 30))
    draw.text((90, 150), "订单号：20240618-7731", font=font(26), fill=(60, 60, 60))
    draw.text(CODE_XY, CODE_LINE, font=font(CODE_SIZE), fill="black")
    draw.text((90, 260), "请稍后重试或联系客服", font=font(26), fill=(60, 60, 60))
    draw.rounded_rectangle((90, 330, 630, 395), radius=14, fill=(22, 119, 255))
    draw.text((320, 345), "确定", font=font(30), fill="white")
    return image


def code_box() -> tuple[float, float, float, float]:
    """Where the error-code line was drawn, in the dialog's pixels."""
    return text_box(CODE_XY, CODE_LINE, CODE_SIZE)


def overlaps(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> bool:
    """True when two (x0, y0, x1, y1) boxes intersect."""
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])
