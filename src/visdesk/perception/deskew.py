"""Deskew for layout: phone photos of screens and labels are often turned by a few degrees.

Why rotate boxes and not pixels: the OCR quads already carry each line's slope; rotating the
quads into an upright frame lets the row grouping put a label and its value on one row again,
at no pixel cost. Boxes are rotated back before anything leaves the layout.
"""

from __future__ import annotations

import math
from statistics import median

from visdesk.domain import Box, OcrLine

MIN_ANGLE_DEG = 0.4  # below this the rows group correctly anyway


def estimate_angle(lines: tuple[OcrLine, ...] | list[OcrLine]) -> float:
    """Median slope (radians) of the top edges of wide lines; 0.0 when there are too few to tell."""
    slopes = []
    for line in lines:
        if len(line.polygon) != 4:
            continue
        (x0, y0), (x1, y1) = line.polygon[0], line.polygon[1]
        width, height = x1 - x0, line.box[3] - line.box[1]
        if width > 2.5 * max(height, 1.0):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    if len(slopes) < 3:
        return 0.0
    angle = median(slopes)
    return angle if abs(math.degrees(angle)) >= MIN_ANGLE_DEG else 0.0


def _rotate(x: float, y: float, angle: float, centre: tuple[float, float]) -> tuple[float, float]:
    cx, cy = centre
    cos, sin = math.cos(angle), math.sin(angle)
    dx, dy = x - cx, y - cy
    return (cx + dx * cos - dy * sin, cy + dx * sin + dy * cos)


def _bbox(points: list[tuple[float, float]]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def upright(lines: tuple[OcrLine, ...], angle: float, centre: tuple[float, float]) -> list[OcrLine]:
    """Lines with boxes in the frame turned by -angle (text runs horizontally there)."""
    out = []
    for line in lines:
        corners = list(line.polygon) or [(line.box[0], line.box[1]), (line.box[2], line.box[3])]
        turned = [_rotate(x, y, -angle, centre) for x, y in corners]
        out.append(OcrLine(line.text, _bbox(turned), line.score, tuple(turned)))
    return out


def back(box: Box, angle: float, centre: tuple[float, float]) -> Box:
    """A box from the upright frame, in the image's own pixels (the bounding box of its turned corners)."""
    x0, y0, x1, y1 = box
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return _bbox([_rotate(x, y, angle, centre) for x, y in corners])
