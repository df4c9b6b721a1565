"""CachedPerceiver: OCR + layout once per image; follow-ups reuse the Perception without OCR."""

from __future__ import annotations

from tests.support.render import png_bytes
from tests.support.scenes import scene
from visdesk.domain import ImageInput, OcrLine
from visdesk.images import intake
from visdesk.perception import CachedPerceiver
from visdesk.perception.ocr import OcrReader
from visdesk.settings import ImageSettings, OcrSettings


class CountingReader(OcrReader):
    """The real reader, counting how often it runs."""

    calls = 0

    def read(self, image: ImageInput) -> tuple[OcrLine, ...]:
        self.calls += 1
        return super().read(image)


async def test_second_question_on_same_image_does_not_ocr_again() -> None:
    reader = CountingReader(OcrSettings())
    perceiver = CachedPerceiver(reader, cache_size=4)
    image = intake(png_bytes(scene("nameplate_en").image), ImageSettings())
    first = await perceiver.see(image)
    again = await perceiver.see(intake(png_bytes(scene("nameplate_en").image), ImageSettings()))
    assert reader.calls == 1
    assert again is first
    assert perceiver.cached(image.content_id) is first
    assert first.key_values  # perceive ran the layout, not only OCR
