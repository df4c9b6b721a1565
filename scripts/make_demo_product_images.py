"""Draw the demo shop's product pictures from the catalog CSV (deterministic: seeded by model number).

Why drawn, not photographed: the demo must be original and reproducible. Each picture has a
distinctive body, a seeded texture (so ORB finds many stable keypoints) and a nameplate that
prints the brand, model number and ratings (so OCR can identify it too).

    .venv/bin/python scripts/make_demo_product_images.py            # rewrites src/visdesk/demo_kb/catalog/images/*.png
    .venv/bin/python scripts/make_demo_product_images.py VD-CM1     # only these models (new catalog rows)
"""

from __future__ import annotations

import csv
import hashlib
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "visdesk" / "demo_kb" / "catalog" / "products.csv"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SIZE = (480, 360)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, size)


def _rng(model: str) -> random.Random:
    return random.Random(int(hashlib.sha256(model.encode()).hexdigest()[:12], 16))


def _colour(rng: random.Random, low: int = 30, high: int = 225) -> tuple[int, int, int]:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


def _texture(draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int]) -> None:
    """A seeded pattern of shapes inside `box`: corners and blobs that differ for every product."""
    x0, y0, x1, y1 = box
    style = rng.choice(["dots", "triangles", "stripes", "blocks"])
    for _ in range(rng.randint(28, 44)):
        x, y = rng.randint(x0, x1 - 12), rng.randint(y0, y1 - 12)
        s = rng.randint(6, 22)
        fill = _colour(rng)
        if style == "dots":
            draw.ellipse((x, y, x + s, y + s), fill=fill)
        elif style == "triangles":
            draw.polygon([(x, y + s), (x + s // 2, y), (x + s, y + s)], fill=fill)
        elif style == "stripes":
            draw.line((x, y, x + s * 2, y + rng.randint(-s, s)), fill=fill, width=rng.randint(2, 5))
        else:
            draw.rectangle((x, y, x + s, y + s // 2 + 3), fill=fill)


def _code_block(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, cell: int = 5) -> None:
    """A QR-like grid: dense, high-contrast corners for the feature matcher."""
    for i in range(11):
        for j in range(11):
            if rng.random() < 0.5 or (i < 3 and j < 3):
                left, top = x + i * cell, y + j * cell
                draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill="black")


def _body(draw: ImageDraw.ImageDraw, rng: random.Random, category: str) -> tuple[int, int, int, int]:
    """The product's silhouette; returns the box the texture goes in."""
    colour = _colour(rng, 60, 200)
    if "Kettle" in category or "Kitchen" in category:
        draw.polygon([(90, 320), (120, 60), (300, 60), (330, 320)], fill=colour, outline="black")
        draw.arc((300, 110, 400, 260), -90, 90, fill="black", width=10)
        return (120, 70, 300, 150)
    if "Wireless" in category or "Camera" in category:
        draw.ellipse((40, 40, 300, 300), fill=colour, outline="black", width=4)
        draw.ellipse((120, 120, 220, 220), fill=_colour(rng), outline="black", width=3)
        return (60, 60, 280, 120)
    if "Cable" in category:
        draw.line((40, 300, 120, 80, 220, 260, 300, 60), fill=colour, width=14, joint="curve")
        draw.rectangle((20, 290, 70, 340), fill="gray", outline="black")
        draw.rectangle((280, 30, 330, 80), fill="gray", outline="black")
        return (100, 150, 300, 280)
    draw.rounded_rectangle((30, 30, 330, 330), radius=28, fill=colour, outline="black", width=4)
    return (45, 45, 315, 150)


def draw_product(row: dict[str, str]) -> Image.Image:
    model = row["model"]
    rng = _rng(model)
    image = Image.new("RGB", SIZE, _colour(rng, 200, 250))
    draw = ImageDraw.Draw(image)
    _texture(draw, rng, (0, 0, SIZE[0], SIZE[1]))
    texture_box = _body(draw, rng, row.get("category", ""))
    _texture(draw, rng, texture_box)
    _code_block(draw, rng, 380, 20)
    # Nameplate: white label with brand, model and ratings, like the sticker under a charger.
    plate = (150, 170, 470, 350)
    draw.rectangle(plate, fill="white", outline="black", width=2)
    draw.text((160, 176), "visdesk", font=_font(22), fill="black")
    draw.text((160, 204), row["name_en"][:26], font=_font(15), fill="black")
    draw.text((160, 226), f"Model: {model}", font=_font(22), fill="black")
    ratings = [row.get(k, "") for k in ("输入 Input", "输出 Output", "功率 Power", "容量 Capacity")]
    y = 256
    for label, value in zip(("Input", "Output", "Power", "Capacity"), ratings, strict=True):
        if value and y < 335:
            printed = value.split(";")[0].replace("⎓", "=")[:30]  # the DC symbol is missing from the font
            draw.text((160, y), f"{label}: {printed}", font=_font(13), fill="black")
            y += 19
    return image


def main(models: list[str]) -> None:
    with CATALOG.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if models and row["model"] not in models:
            continue
        target = CATALOG.parent / row["image"]
        target.parent.mkdir(parents=True, exist_ok=True)
        draw_product(row).save(target, format="PNG", optimize=True)
        print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
