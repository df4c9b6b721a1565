"""Emphasis: large text (titles), red text (warnings), highlighted boxes.

Why sample pixels: a red "支付失败" or a yellow-highlighted amount is what the customer is asking
about far more often than the grey footer; OCR alone gives no colour, so we look at the ink.
"""

from __future__ import annotations

import numpy as np

from visdesk.domain import ImageInput, OcrLine
from visdesk.perception.geometry import height, typical_height


def emphasis_kinds(lines: list[OcrLine], image: ImageInput | None) -> dict[int, list[str]]:
    """Line index → kinds of emphasis ("large", "red", "highlight")."""
    found: dict[int, list[str]] = {}
    if not lines:
        return found
    line_h = typical_height(lines)
    for index, line in enumerate(lines):
        if height(line.box) >= 1.2 * line_h and len(line.text) >= 2:
            found.setdefault(index, []).append("large")
    if image is None:
        return found
    pixels = np.asarray(image.ocr_image)
    sx = image.ocr_image.width / image.original_size[0]
    sy = image.ocr_image.height / image.original_size[1]
    for index, line in enumerate(lines):
        x0, y0, x1, y1 = line.box
        crop = pixels[int(y0 * sy) : int(y1 * sy) + 1, int(x0 * sx) : int(x1 * sx) + 1]
        if crop.size == 0:
            continue
        for kind in _colour_kinds(crop):
            found.setdefault(index, []).append(kind)
    return found


def _colour_kinds(crop: np.ndarray) -> list[str]:
    flat = crop.reshape(-1, 3).astype(np.int16)
    luminance = flat @ np.array([299, 587, 114]) // 1000
    background = np.median(flat, axis=0)
    bg_lum = float(background @ np.array([0.299, 0.587, 0.114]))
    # ink = the pixels farthest from the background's brightness
    distance = np.abs(luminance - bg_lum)
    ink = flat[distance >= np.percentile(distance, 85)]
    kinds = []
    if len(ink):
        r, g, b = np.median(ink, axis=0)
        if r > 140 and r - g > 60 and r - b > 60:
            kinds.append("red")
    br, bgc, bb = background
    saturation = max(br, bgc, bb) - min(br, bgc, bb)
    if bg_lum > 120 and saturation > 60:
        kinds.append("highlight")
    return kinds
