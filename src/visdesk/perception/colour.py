"""Emphasis: large text (titles), red text (warnings), highlighted boxes.

Why sample pixels: a red "支付失败" or a yellow-highlighted amount is what the customer is asking
about far more often than the grey footer; OCR alone gives no colour, so we look at the ink.
"""

from __future__ import annotations

import numpy as np

from visdesk.domain import ImageInput, OcrLine
from visdesk.perception.geometry import height, typical_height


def emphasis_kinds(
    lines: list[OcrLine], image: ImageInput | None
) -> tuple[dict[int, list[str]], dict[int, tuple[int, int, int]]]:
    """(line index → kinds of emphasis ("large", "red", "highlight"), line index → ink colour RGB).

    The ink colour is what chart legends and series labels are told apart by ("what does the
    purple line mean?"); it is sampled in the same pass as the emphasis.
    """
    found: dict[int, list[str]] = {}
    inks: dict[int, tuple[int, int, int]] = {}
    if not lines:
        return found, inks
    line_h = typical_height(lines)
    for index, line in enumerate(lines):
        if height(line.box) >= 1.2 * line_h and len(line.text) >= 2:
            found.setdefault(index, []).append("large")
    if image is None:
        return found, inks
    pixels, sx, sy = ocr_pixels(image)
    for index, line in enumerate(lines):
        x0, y0, x1, y1 = line.box
        crop = pixels[int(y0 * sy) : int(y1 * sy) + 1, int(x0 * sx) : int(x1 * sx) + 1]
        if crop.size == 0:
            continue
        kinds, ink = _colour_kinds(crop)
        for kind in kinds:
            found.setdefault(index, []).append(kind)
        if ink is not None:
            inks[index] = ink
    return found, inks


def ocr_pixels(image: ImageInput) -> tuple[np.ndarray, float, float]:
    """The OCR copy's RGB pixels, and the x / y scale from original-image boxes to them."""
    scale_x = image.ocr_image.width / image.original_size[0]
    scale_y = image.ocr_image.height / image.original_size[1]
    return np.asarray(image.ocr_image), scale_x, scale_y


def _colour_kinds(crop: np.ndarray) -> tuple[list[str], tuple[int, int, int] | None]:
    flat = crop.reshape(-1, 3).astype(np.int16)
    luminance = flat @ np.array([299, 587, 114]) // 1000
    # the background is what the box's rim shows: bold text in a tight box can outnumber it inside
    rim = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]]).astype(np.int16)
    background = np.median(rim, axis=0)
    bg_lum = float(background @ np.array([0.299, 0.587, 0.114]))
    # ink = the pixels farthest from the background's brightness
    distance = np.abs(luminance - bg_lum)
    # (at least 60 % of the largest distance: small text can cover under 15 % of its box)
    ink = flat[distance >= max(float(np.percentile(distance, 85)), 0.6 * float(distance.max()), 1.0)]
    kinds = []
    colour = None
    if len(ink):
        r, g, b = np.median(ink, axis=0)
        colour = (int(r), int(g), int(b))
        if r > 140 and r - g > 60 and r - b > 60:
            kinds.append("red")
    br, bgc, bb = background
    saturation = max(br, bgc, bb) - min(br, bgc, bb)
    if bg_lum > 120 and saturation > 60:
        kinds.append("highlight")
    return kinds, colour


_HUES = (  # (name, hue from, hue to) in degrees; red wraps around 0
    ("red", 345, 360), ("red", 0, 15), ("orange", 15, 42), ("yellow", 42, 65), ("green", 65, 170),
    ("teal", 170, 190), ("blue", 190, 255), ("purple", 255, 295), ("pink", 295, 345),
)  # fmt: skip


def colour_names(rgb: tuple[int, int, int]) -> set[str]:
    """Everyday names for an ink colour: {'dark', 'green'}, {'grey'}, {'black'} …"""
    r, g, b = (channel / 255 for channel in rgb)
    high, low = max(r, g, b), min(r, g, b)
    value, chroma = high, high - low
    if chroma < 0.12 or (value > 0 and chroma / value < 0.2):
        return {"black"} if value < 0.25 else {"grey", "gray"} if value < 0.85 else {"white"}
    if high == r:
        hue = (60 * ((g - b) / chroma)) % 360
    elif high == g:
        hue = 60 * ((b - r) / chroma) + 120
    else:
        hue = 60 * ((r - g) / chroma) + 240
    names = {name for name, lo, hi in _HUES if lo <= hue < hi}
    if "teal" in names:
        names |= {"green", "blue"}
    if "pink" in names and hue < 320:
        names.add("purple")  # magenta-violet reads as purple to most people
    if value < 0.45:
        names.add("dark")
    elif value > 0.8 and chroma < 0.45:
        names.add("light")
    return names
