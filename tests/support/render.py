"""Render test images with Pillow and the CJK font (fonts-wqy-microhei, installed by make test)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
)


@cache
def font_path() -> Path:
    for path in FONT_PATHS:
        if path.exists():
            return path
    raise RuntimeError("The CJK font fonts-wqy-microhei is missing: run `make test` (it installs it).")


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size)


@dataclass
class Text:
    text: str
    xy: tuple[int, int]
    size: int = 24
    fill: str | tuple[int, int, int] = "black"


def render(items: list[Text], size: tuple[int, int] = (900, 600), background: str = "white") -> Image.Image:
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    for item in items:
        draw.text(item.xy, item.text, font=font(item.size), fill=item.fill)
    return image


def render_lines(lines: list[str], size: int = 26, width: int = 900, margin: int = 40, gap: int = 22) -> Image.Image:
    """A simple document: one text line under the other."""
    height = margin * 2 + len(lines) * (size + gap)
    items = [Text(line, (margin, margin + i * (size + gap)), size) for i, line in enumerate(lines)]
    return render(items, (width, height))


def png_bytes(image: Image.Image, fmt: str = "PNG", **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def text_box(draw_xy: tuple[int, int], text: str, size: int) -> tuple[float, float, float, float]:
    """Where `render` puts `text` (to check evidence boxes against)."""
    left, top, right, bottom = font(size).getbbox(text)
    x, y = draw_xy
    return (x + left, y + top, x + right, y + bottom)


def bmp_with_block(colour: tuple[int, int, int]) -> bytes:
    """A 200×200 BMP (uncompressed: a pixel change moves no other byte) with one block of `colour` in
    rows that lie between the start, middle and end that `exact_memo.sampled_key` samples (BMP rows
    run bottom-up: the block's bytes are ≈ 27–33 KB into the 120 KB file)."""
    image = Image.new("RGB", (200, 200), "white")
    image.paste(colour, (20, 145, 180, 155))
    return png_bytes(image, "BMP")
