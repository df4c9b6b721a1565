"""A catalog product picture as a buyer's phone photo: tilt, blur, glare, dim light, a partial crop,
a finger over an edge, strong JPEG.

Why these five: they are what a real "This works?" photo suffers (see issue 10), and each one
attacks a different part of identification — tilt and blur the OCR of the model number, glare and
a finger the nameplate's lines, a crop the image features. Deterministic for a given seed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from visdesk.knowledge import DEMO_DIR

CATALOG_IMAGES = Path(DEMO_DIR) / "catalog" / "images"
EFFECTS = ("tilt", "blur", "glare", "crop", "finger", "dim")


@dataclass(frozen=True)
class Capture:
    """How one photo is taken (every field has a harmless default: a clean, straight photo)."""

    tilt: float = 0.0  # degrees of in-plane rotation
    perspective: float = 0.0  # corner jitter, as a share of the picture's width
    blur: float = 0.0  # Gaussian sigma in pixels of the photo
    glare: bool = False  # a bright reflection across the upper left
    crop: float = 0.0  # share of the picture cut off on the left (the nameplate is on the right)
    finger: bool = False  # a fingertip over the top-left edge
    dim: float = 1.0  # brightness factor (dim room < 1)
    quality: int = 80  # JPEG quality

    @classmethod
    def random(cls, rng: random.Random, effects: tuple[str, ...]) -> Capture:
        return cls(
            tilt=rng.uniform(-8, 8) if "tilt" in effects else rng.uniform(-2, 2),
            perspective=rng.uniform(0.02, 0.06) if "tilt" in effects else 0.01,
            blur=rng.uniform(0.8, 1.4) if "blur" in effects else 0.0,
            glare="glare" in effects,
            crop=rng.uniform(0.12, 0.25) if "crop" in effects else 0.0,
            finger="finger" in effects,
            dim=rng.uniform(0.55, 0.75) if "dim" in effects else 1.0,
            quality=rng.randint(55, 80),
        )


def catalog_picture(model: str) -> Image.Image:
    return Image.open(CATALOG_IMAGES / f"{model}.png").convert("RGB")


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Photo:
    """The photo's JPEG bytes and where a box of the catalog picture ended up in it."""

    data: bytes
    matrix: np.ndarray  # 3×3: catalog-picture pixels → photo pixels

    def to_photo(self, box: Box) -> Box:
        """The bounding box, in photo pixels, of a box drawn on the catalog picture."""
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32).reshape(-1, 1, 2)
        moved = cv2.perspectiveTransform(corners, self.matrix).reshape(-1, 2)
        return (float(moved[:, 0].min()), float(moved[:, 1].min()), float(moved[:, 0].max()), float(moved[:, 1].max()))


def phone_photo(picture: Image.Image, capture: Capture, seed: int = 0) -> Photo:
    """`picture` photographed on a table under `capture` (JPEG), with the picture → photo mapping."""
    rng = random.Random(seed)
    scale, cut = 2.0, int(picture.width * 2 * capture.crop)
    picture = picture.resize((picture.width * 2, picture.height * 2), Image.Resampling.BICUBIC)  # a phone's pixels
    if cut:
        picture = picture.crop((cut, 0, picture.width, picture.height))
    w, h = picture.size
    width, height = w + 240, h + 240
    background = Image.new("RGB", (width, height), tuple(rng.randint(90, 170) for _ in range(3)))  # type: ignore[arg-type]
    draw = ImageDraw.Draw(background)
    for _ in range(30):  # a cluttered desk
        x, y = rng.randint(0, width), rng.randint(0, height)
        fill = tuple(rng.randint(0, 255) for _ in range(3))
        draw.rectangle((x, y, x + rng.randint(10, 60), y + rng.randint(10, 60)), fill=fill)  # type: ignore[arg-type]
    jitter = capture.perspective * w
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    target = np.array([[120 + x + rng.uniform(-jitter, jitter), 120 + y + rng.uniform(-jitter, jitter)]
                       for x, y in ((0, 0), (w, 0), (w, h), (0, h))], dtype=np.float32)  # fmt: skip
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(np.asarray(picture), matrix, (width, height))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (width, height))
    photo = Image.fromarray(np.where(mask[..., None] > 0, warped, np.asarray(background)))
    photo = photo.rotate(capture.tilt, resample=Image.Resampling.BICUBIC, fillcolor=(80, 80, 80))
    if capture.glare:
        photo = _glare(photo, rng)
    if capture.finger:
        photo = _finger(photo, rng)
    if capture.dim != 1.0:
        photo = ImageEnhance.Brightness(photo).enhance(capture.dim)
    if capture.blur:
        photo = photo.filter(ImageFilter.GaussianBlur(capture.blur))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=capture.quality)
    # picture → scaled and cropped → perspective → PIL's rotation (counter-clockwise about the centre)
    prepare = np.array([[scale, 0, -cut], [0, scale, 0], [0, 0, 1]], dtype=np.float64)
    theta = np.deg2rad(capture.tilt)
    cx, cy = width / 2, height / 2
    cos, sin = np.cos(theta), np.sin(theta)
    rotate = np.array([[cos, sin, cx - cos * cx - sin * cy], [-sin, cos, cy + sin * cx - cos * cy], [0, 0, 1]])
    return Photo(buffer.getvalue(), rotate @ matrix @ prepare)


def _glare(photo: Image.Image, rng: random.Random) -> Image.Image:
    """A soft white reflection (a lamp on glossy plastic), over the picture's upper left."""
    w, h = photo.size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.25, 0.4), h * rng.uniform(0.25, 0.4)
    spot = np.exp(-(((xx - cx) / (w * 0.18)) ** 2 + ((yy - cy) / (h * 0.14)) ** 2))
    pixels = np.asarray(photo).astype(np.float32)
    pixels += (255 - pixels) * (0.85 * spot)[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _finger(photo: Image.Image, rng: random.Random) -> Image.Image:
    """A blurred fingertip entering from the top-left corner, as when holding a product to shoot it."""
    layer = Image.new("RGBA", photo.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    skin = (rng.randint(200, 230), rng.randint(150, 175), rng.randint(120, 145), 255)
    x = rng.randint(60, 200)
    draw.rounded_rectangle((x, -80, x + 110, 230), radius=55, fill=skin)
    layer = layer.filter(ImageFilter.GaussianBlur(6))
    return Image.alpha_composite(photo.convert("RGBA"), layer).convert("RGB")
