"""Recent normalised images by content id (a follow-up question may arrive without its image).

The in-memory store serves follow-ups on the same replica; for restarts and other replicas the
history database can keep a lossless copy (settings.history.store_images), encoded and decoded
here so that a reloaded image is the same ImageInput (same content id, same pixels) as before.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image

from visdesk.domain import ImageInput
from visdesk.images import fit


class MemoryImageStore:
    def __init__(self, max_images: int = 128) -> None:
        self.max_images = max_images
        self._images: OrderedDict[str, ImageInput] = OrderedDict()

    def put(self, image: ImageInput) -> None:
        self._images[image.content_id] = image
        self._images.move_to_end(image.content_id)
        while len(self._images) > self.max_images:
            self._images.popitem(last=False)

    def get(self, content_id: str) -> ImageInput | None:
        image = self._images.get(content_id)
        if image is not None:
            self._images.move_to_end(content_id)
        return image


@dataclass(frozen=True)
class StoredImage:
    """What the database keeps of an ImageInput: the OCR-size pixels (PNG) and the facts to rebuild it."""

    content_id: str
    media_type: str
    original_size: tuple[int, int]
    byte_size: int
    png: bytes


def encode_image(image: ImageInput) -> StoredImage:
    """Lossless PNG of the OCR-size copy (the engine copy is derived from it, as intake does)."""
    buffer = io.BytesIO()
    image.ocr_image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return StoredImage(image.content_id, image.media_type, image.original_size, image.byte_size, buffer.getvalue())


def decode_image(stored: StoredImage, max_side: int) -> ImageInput:
    """Rebuild the ImageInput intake made: same content id, OCR copy, and engine copy ≤ max_side."""
    with Image.open(io.BytesIO(stored.png)) as opened:
        ocr_image = opened.convert("RGB")
    return ImageInput(
        content_id=stored.content_id,
        image=fit(ocr_image, max_side),
        ocr_image=ocr_image,
        original_size=stored.original_size,
        media_type=stored.media_type,
        byte_size=stored.byte_size,
    )
