"""Drawing helpers shared by the scenes: fonts, themes, a canvas that remembers what it drew.

Why a small wrapper instead of raw ImageDraw: every scene needs the same few moves (text in a
chosen font, a box, a table row) with a theme (light / dark screen, paper, metal plate), and
keeping them here keeps each scene file about *what* the document says.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

# name -> (file, ttc index); CJK-capable fonts first.
FONTS: dict[str, tuple[Path, int]] = {
    "wqy": (CJK_FONT, 0),
    "wqy-mono": (CJK_FONT, 1),
    "sans": (DEJAVU / "DejaVuSans.ttf", 0),
    "sans-bold": (DEJAVU / "DejaVuSans-Bold.ttf", 0),
    "serif": (DEJAVU / "DejaVuSerif.ttf", 0),
    "serif-bold": (DEJAVU / "DejaVuSerif-Bold.ttf", 0),
    "condensed": (DEJAVU / "DejaVuSansCondensed.ttf", 0),
    "mono": (DEJAVU / "DejaVuSansMono.ttf", 0),
    "mono-bold": (DEJAVU / "DejaVuSansMono-Bold.ttf", 0),
}
CJK_FONTS = ("wqy", "wqy-mono")
LATIN_FONTS = ("wqy", "sans", "serif", "condensed", "mono")


@cache
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = FONTS[name]
    if not path.exists():  # DejaVu missing: fall back to the CJK font, which covers Latin too
        path, index = CJK_FONT, 0
    return ImageFont.truetype(str(path), size, index=index)


def pick_font(rng: random.Random, lang: str, mono: bool = False) -> str:
    """A body font that can draw `lang` (DejaVu has no CJK glyphs)."""
    if mono:
        return "wqy-mono" if lang == "zh" else rng.choice(("mono", "wqy-mono"))
    return rng.choice(CJK_FONTS[:1]) if lang == "zh" else rng.choice(LATIN_FONTS)


@dataclass(frozen=True)
class Theme:
    bg: tuple[int, int, int]
    fg: tuple[int, int, int]
    muted: tuple[int, int, int]
    accent: tuple[int, int, int]
    panel: tuple[int, int, int]
    line: tuple[int, int, int]
    dark: bool = False


LIGHT_THEMES = (
    Theme((255, 255, 255), (20, 20, 20), (110, 110, 110), (230, 80, 20), (245, 246, 248), (220, 220, 220)),
    Theme((250, 250, 247), (33, 37, 41), (120, 124, 130), (22, 119, 255), (240, 242, 245), (214, 218, 224)),
    Theme((255, 255, 255), (40, 40, 40), (130, 130, 130), (255, 80, 0), (255, 246, 238), (235, 225, 215)),
    Theme((246, 248, 252), (25, 30, 45), (100, 110, 125), (7, 150, 90), (255, 255, 255), (210, 216, 226)),
)
DARK_THEMES = (
    Theme((24, 24, 27), (232, 232, 232), (160, 160, 165), (255, 140, 60), (39, 39, 42), (63, 63, 70), True),
    Theme((18, 22, 33), (225, 230, 240), (140, 150, 170), (90, 160, 255), (30, 36, 50), (55, 62, 80), True),
)
PAPER = Theme((252, 250, 243), (30, 30, 30), (90, 90, 90), (160, 30, 30), (246, 242, 230), (170, 160, 140))


def pick_theme(rng: random.Random, dark: bool) -> Theme:
    return rng.choice(DARK_THEMES if dark else LIGHT_THEMES)


@dataclass
class Canvas:
    """An image plus the fonts and theme a scene draws with."""

    width: int
    height: int
    theme: Theme
    body_font: str = "wqy"
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)

    def __post_init__(self) -> None:
        self.image = Image.new("RGB", (self.width, self.height), self.theme.bg)
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        size: int,
        fill: tuple[int, int, int] | None = None,
        font_name: str | None = None,
        bold: bool = False,
        anchor: str = "la",
    ) -> tuple[float, float, float, float]:
        """Draw text; `bold` thickens with a stroke (the CJK font has no bold face)."""
        face = font(font_name or self.body_font, size)
        colour = fill or self.theme.fg
        stroke = 1 if bold and size >= 16 else 0
        self.draw.text(xy, text, font=face, fill=colour, anchor=anchor, stroke_width=stroke, stroke_fill=colour)
        return self.draw.textbbox(xy, text, font=face, anchor=anchor, stroke_width=stroke)

    def dim(self, colour: tuple[int, int, int], alpha: float) -> None:
        """Blend everything drawn so far towards `colour` (the page behind a modal dialog)."""
        self.image = Image.blend(self.image, Image.new("RGB", self.image.size, colour), alpha)
        self.draw = ImageDraw.Draw(self.image)

    def width_of(self, text: str, size: int, font_name: str | None = None) -> float:
        return font(font_name or self.body_font, size).getlength(text)

    def rect(self, box: tuple[float, float, float, float], fill=None, outline=None, radius: int = 0, width: int = 1):  # type: ignore[no-untyped-def]
        if radius:
            self.draw.rounded_rectangle(box, radius=radius, fill=fill, outline=outline, width=width)
        else:
            self.draw.rectangle(box, fill=fill, outline=outline, width=width)

    def hline(self, y: float, x0: float = 0, x1: float | None = None, fill=None, width: int = 1) -> None:  # type: ignore[no-untyped-def]
        self.draw.line((x0, y, self.width if x1 is None else x1, y), fill=fill or self.theme.line, width=width)

    def crop_to(self, bottom: float) -> Image.Image:
        """The canvas cut just below the last thing drawn (scenes allocate generously)."""
        return self.image.crop((0, 0, self.width, min(self.height, int(bottom))))


def table(
    canvas: Canvas,
    top: float,
    left: float,
    columns: list[tuple[str, float]],
    rows: list[list[str]],
    size: int,
    row_gap: int = 14,
    header_fill: tuple[int, int, int] | None = None,
    grid: bool = True,
    colours: list[list[tuple[int, int, int] | None]] | None = None,
) -> float:
    """Draw a header + rows table; `columns` are (title, width). Returns the y below it."""
    row_h = size + row_gap
    right = left + sum(w for _, w in columns)
    if header_fill:
        canvas.rect((left, top, right, top + row_h), fill=header_fill)
    x = left
    for title, width in columns:
        canvas.text((x + 8, top + row_gap / 2), title, size, bold=True)
        x += width
    y = top + row_h
    canvas.hline(y, left, right, width=2 if grid else 1)
    for r, row in enumerate(rows):
        x = left
        for c, ((_, width), cell) in enumerate(zip(columns, row, strict=True)):
            fill = colours[r][c] if colours else None
            canvas.text((x + 8, y + row_gap / 2), cell, size, fill=fill)
            x += width
        y += row_h
        if grid:
            canvas.hline(y, left, right)
    return y


def money(value: float, thousands: bool = True) -> str:
    return f"{value:,.2f}" if thousands else f"{value:.2f}"


def digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def upper_code(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n))
