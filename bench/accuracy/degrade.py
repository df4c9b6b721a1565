"""The three capture conditions: clean (a lossless screenshot), degraded (blur / JPEG / noise /
low contrast, like a forwarded or re-saved image), and photo (a phone photo of a screen or a
paper: slight rotation and perspective, uneven light, moiré on screens, JPEG)."""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

CONDITIONS = ("clean", "degraded", "photo")


def encode(image: Image.Image, fmt: str, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def apply(rng: random.Random, image: Image.Image, condition: str, kind: str) -> tuple[bytes, str]:
    """Return (file bytes, extension) of `image` captured under `condition`."""
    if condition == "clean":
        return encode(image, "PNG"), "png"
    if condition == "degraded":
        return encode(_degrade(rng, image), "JPEG", rng.randint(35, 65)), "jpg"
    return encode(_photograph(rng, image, kind), "JPEG", rng.randint(70, 88)), "jpg"


def _noise(rng: random.Random, array: np.ndarray, sigma: float) -> np.ndarray:
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, sigma, array.shape)
    return np.clip(array.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def _degrade(rng: random.Random, image: Image.Image) -> Image.Image:
    effects = rng.sample(("blur", "noise", "contrast", "downscale"), rng.randint(1, 2))
    if "downscale" in effects:  # a screenshot forwarded through a chat app: shrunk and re-enlarged
        factor = rng.uniform(0.6, 0.8)
        small = image.resize((int(image.width * factor), int(image.height * factor)), Image.Resampling.BILINEAR)
        image = small.resize(image.size, Image.Resampling.BILINEAR)
    if "blur" in effects:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    if "contrast" in effects:
        image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.45, 0.65))
    if "noise" in effects:
        image = Image.fromarray(_noise(rng, np.asarray(image), rng.uniform(5, 10)))
    return image


def _photograph(rng: random.Random, image: Image.Image, kind: str) -> Image.Image:
    src = np.asarray(image)
    h, w = src.shape[:2]
    margin = int(max(w, h) * rng.uniform(0.03, 0.07))
    angle = np.deg2rad(rng.uniform(-4, 4))
    cx, cy = w / 2 + margin, h / 2 + margin
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = max(w, h) * 0.02
    dest = []
    for x, y in corners:
        dx, dy = x - w / 2, y - h / 2
        rx = cx + dx * np.cos(angle) - dy * np.sin(angle) + rng.uniform(-jitter, jitter)
        ry = cy + dx * np.sin(angle) + dy * np.cos(angle) + rng.uniform(-jitter, jitter)
        dest.append([rx, ry])
    dest_arr = np.float32(dest)
    dest_arr -= dest_arr.min(axis=0) - margin
    out_w, out_h = (dest_arr.max(axis=0) + margin).astype(int)
    matrix = cv2.getPerspectiveTransform(corners, dest_arr)
    surround = tuple(int(v) for v in rng.choice(((60, 58, 55), (120, 110, 95), (30, 30, 35), (180, 175, 165))))
    photo = cv2.warpPerspective(src, matrix, (int(out_w), int(out_h)), borderValue=surround, flags=cv2.INTER_LINEAR)
    pixels = photo.astype(np.float32)
    yy, xx = np.mgrid[0 : photo.shape[0], 0 : photo.shape[1]].astype(np.float32)
    if kind == "screen":  # moiré: interference between the screen's pixel grid and the camera's
        period = rng.uniform(3.0, 6.0)
        theta = rng.uniform(0, np.pi)
        wave = np.sin(2 * np.pi * (xx * np.cos(theta) + yy * np.sin(theta)) / period)
        pixels += (wave * rng.uniform(5, 10))[..., None]
    light = 1.0 + rng.uniform(-0.18, 0.08) * (xx / photo.shape[1]) + rng.uniform(-0.12, 0.05) * (yy / photo.shape[0])
    pixels *= light[..., None]
    photo = _noise(rng, np.clip(pixels, 0, 255).astype(np.uint8), rng.uniform(3, 6))
    return Image.fromarray(photo).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
