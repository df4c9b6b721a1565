"""Recent normalised images by content id (a follow-up question may arrive without its image)."""

from __future__ import annotations

from collections import OrderedDict

from visdesk.domain import ImageInput


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
