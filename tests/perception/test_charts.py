"""Chart marks on rendered charts read by the real OCR: bars, grouped bars by colour, line points, pies."""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw

from tests.support.render import font, png_bytes
from tests.support.scenes import _perceiver, perceived
from visdesk.domain import Perception
from visdesk.images import intake
from visdesk.perception.document import Chart
from visdesk.settings import ImageSettings


def chart_of(seen: Perception) -> Chart:
    assert seen.document is not None
    (chart,) = seen.document.charts
    return chart


def read(image: Image.Image) -> Perception:
    return _perceiver().perceive(intake(png_bytes(image), ImageSettings()))


def test_bar_values_above_bars_match_the_years_under_them() -> None:
    _, seen = perceived("bar_chart")
    chart = chart_of(seen)
    assert [(m.kind, m.category, m.value.number if m.value else None) for m in chart.marks] == [
        ("bar", "2019", 120.0), ("bar", "2020", 95.0), ("bar", "2021", 150.0), ("bar", "2022", 180.0),
    ]  # fmt: skip
    assert chart.title == "Annual sales (k units)" and chart.unit == "k units"


def test_y_axis_ticks_in_the_value_labels_rows_are_not_marks() -> None:
    _, seen = perceived("month_chart_zh")
    chart = chart_of(seen)
    assert {m.category: m.value.number if m.value else None for m in chart.marks} == {
        "7月": 944.0, "8月": 362.0, "9月": 152.0, "10月": 974.0, "11月": 323.0,
    }  # fmt: skip
    assert chart.unit == "人"


@cache
def grouped_bars() -> Image.Image:
    """Two series per season; the legend lists them in the opposite order to the bars."""
    image = Image.new("RGB", (1000, 640), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 14), "Returns handled per season", font=font(28), fill="black")
    colours = {"Refunds": (220, 90, 40), "Exchanges": (40, 110, 200)}
    for k, name in enumerate(("Exchanges", "Refunds")):  # legend order ≠ bar order
        x = 560 + 200 * k
        draw.rectangle((x, 24, x + 22, 46), fill=colours[name])
        draw.text((x + 32, 20), name, font=font(22), fill="black")
    base = 540
    data = {"Spring": (120, 185), "Summer": (200, 150), "Autumn": (105, 170), "Winter": (160, 132)}
    for i, (season, (refunds, exchanges)) in enumerate(data.items()):
        x = 110 + i * 220
        for j, (name, value) in enumerate((("Refunds", refunds), ("Exchanges", exchanges))):
            left = x + j * 70
            top = base - value * 1.8
            draw.rectangle((left, top, left + 60, base), fill=colours[name])
            draw.text((left + 8, top - 40), str(value), font=font(24), fill="black")
        draw.text((x + 30, base + 40), season, font=font(24), fill="black")
    return image


def test_grouped_bars_take_their_series_from_the_legend_swatch_colours() -> None:
    chart = chart_of(read(grouped_bars()))
    assert set(chart.series) == {"Refunds", "Exchanges"}
    got = {(m.category, m.series): m.value.number if m.value else None for m in chart.marks}
    assert got == {
        ("Spring", "Refunds"): 120, ("Spring", "Exchanges"): 185, ("Summer", "Refunds"): 200,
        ("Summer", "Exchanges"): 150, ("Autumn", "Refunds"): 105, ("Autumn", "Exchanges"): 170,
        ("Winter", "Refunds"): 160, ("Winter", "Exchanges"): 132,
    }  # fmt: skip
    assert all(m.kind == "bar" for m in chart.marks)


@cache
def line_chart() -> Image.Image:
    """Points joined by a line, each with its value printed above it: marks are points, not bars."""
    image = Image.new("RGB", (900, 500), "white")
    draw = ImageDraw.Draw(image)
    draw.text((260, 14), "Average wait (minutes)", font=font(28), fill="black")
    base = 420
    values = {"Mon": 12, "Tue": 18, "Wed": 9, "Thu": 25, "Fri": 15}
    points = []
    for i, (day, value) in enumerate(values.items()):
        x, y = 120 + i * 160, base - value * 12
        points.append((x, y))
        draw.text((x - 12, y - 36), str(value), font=font(22), fill="black")
        draw.text((x - 20, base + 14), day, font=font(22), fill="black")
    draw.line(points, fill=(0, 150, 120), width=3)
    for x, y in points:
        draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=(0, 150, 120))
    return image


def test_line_chart_values_are_points() -> None:
    chart = chart_of(read(line_chart()))
    assert [(m.kind, m.category, m.value.number if m.value else None) for m in chart.marks] == [
        ("point", "Mon", 12.0), ("point", "Tue", 18.0), ("point", "Wed", 9.0), ("point", "Thu", 25.0),
        ("point", "Fri", 15.0),
    ]  # fmt: skip


@cache
def pie() -> Image.Image:
    image = Image.new("RGB", (900, 640), "white")
    draw = ImageDraw.Draw(image)
    draw.text((300, 14), "投诉类型占比", font=font(30), fill="black")
    shares = {"物流延误": 41, "商品破损": 27, "发错货": 19, "其他": 13}
    colours = [(66, 133, 244), (234, 67, 53), (251, 188, 5), (52, 168, 83)]
    start = -90.0
    for k, (name, share) in enumerate(shares.items()):
        end = start + share * 3.6
        draw.pieslice((220, 140, 580, 500), start, end, fill=colours[k], outline="white")
        draw.rectangle((660, 200 + 50 * k, 682, 222 + 50 * k), fill=colours[k])
        draw.text((694, 196 + 50 * k), f"{name} {share}%", font=font(24), fill="black")
        start = end
    return image


def test_pie_slices_from_legend_entries_with_percents() -> None:
    chart = chart_of(read(pie()))
    assert {(m.kind, m.category, m.value.number if m.value else None) for m in chart.marks} == {
        ("slice", "物流延误", 41.0), ("slice", "商品破损", 27.0), ("slice", "发错货", 19.0), ("slice", "其他", 13.0),
    }  # fmt: skip
    assert chart.title == "投诉类型占比"
