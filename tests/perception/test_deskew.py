"""Tilted photos: the layout works in an upright frame estimated from the OCR quads."""

from __future__ import annotations

import math

from visdesk.domain import OcrLine
from visdesk.perception.deskew import estimate_angle
from visdesk.perception.layout import analyse


def tilted(text: str, x: float, y: float, width: float, angle_deg: float, height: float = 24.0) -> OcrLine:
    """An OCR line whose quad is turned by angle_deg around the image centre (400, 300)."""
    a = math.radians(angle_deg)

    def turn(px: float, py: float) -> tuple[float, float]:
        dx, dy = px - 400, py - 300
        return (400 + dx * math.cos(a) - dy * math.sin(a), 300 + dx * math.sin(a) + dy * math.cos(a))

    quad = (turn(x, y), turn(x + width, y), turn(x + width, y + height), turn(x, y + height))
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return OcrLine(text, (min(xs), min(ys), max(xs), max(ys)), 0.99, quad)


def test_tilt_is_estimated_and_label_meets_its_value() -> None:
    angle = 6.0
    raw = (
        tilted("Order details page", 60, 40, 300, angle),
        tilted("Order ID", 60, 200, 120, angle),
        tilted("8471990696050087", 560, 200, 220, angle),
        tilted("Placed on", 60, 250, 130, angle),
        tilted("2023-06-26 21:17:52", 560, 250, 230, angle),
    )
    assert abs(math.degrees(estimate_angle(raw)) - angle) < 0.5
    seen = analyse("tilted", (800, 600), raw, None)
    pairs = {kv.key: kv.value for kv in seen.key_values}
    assert pairs["Order ID"] == "8471990696050087"  # without deskew the value drifts into the next row
    assert pairs["Placed on"] == "2023-06-26 21:17:52"
    value_box = next(kv.value_box for kv in seen.key_values if kv.key == "Order ID")
    original = raw[2].box
    assert all(abs(a - b) < 15 for a, b in zip(value_box, original, strict=True))  # boxes come back in image pixels


def test_upright_page_is_left_alone() -> None:
    raw = tuple(tilted(f"line number {i}", 40, 40 + 40 * i, 300, 0.0) for i in range(4))
    assert estimate_angle(raw) == 0.0
