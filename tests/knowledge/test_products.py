"""Product identification: by model number read with real OCR, and by image features on rendered photos."""

from __future__ import annotations

import io
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from tests.conftest import make_settings
from tests.knowledge.conftest import DEMO, ask, seen
from tests.support.render import Text, png_bytes, render
from visdesk.domain import ImageInput, Perception
from visdesk.images import intake
from visdesk.knowledge import KnowledgeService
from visdesk.perception.ocr import OcrReader


def _customer_photo(product: Image.Image, seed: int) -> bytes:
    """The catalog picture as a customer's photo: perspective, rotation, clutter, blur, strong JPEG."""
    rng = random.Random(seed)
    width, height = 960, 720
    background = Image.new("RGB", (width, height), (rng.randint(60, 200),) * 3)
    draw = ImageDraw.Draw(background)
    for _ in range(80):  # clutter: other objects on the table
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.rectangle((x, y, x + rng.randint(10, 90), y + rng.randint(10, 90)), fill=colour)
    w, h = product.size
    source = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = [rng.randint(-30, 30) for _ in range(8)]
    target = np.float32(
        [[200 + jitter[0], 150 + jitter[1]], [760 + jitter[2], 190 + jitter[3]],
         [720 + jitter[4], 600 + jitter[5]], [230 + jitter[6], 560 + jitter[7]]]
    )  # fmt: skip
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(np.asarray(product.convert("RGB")), matrix, (width, height))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (width, height))
    photo = Image.fromarray(np.where(mask[..., None] > 0, warped, np.asarray(background)))
    photo = photo.rotate(rng.uniform(-15, 15), fillcolor=(90, 90, 90)).filter(ImageFilter.GaussianBlur(0.7))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=50)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path_factory.mktemp("products"))


def _image(data: bytes, settings) -> ImageInput:  # type: ignore[no-untyped-def]
    return intake(data, settings.images)


@pytest.mark.parametrize(("model", "seed"), [("VD-PB20", 1), ("VD-SK7", 2), ("VD-EB2", 3), ("VD-CB100", 4)])
def test_a_photo_of_the_product_matches_its_catalog_entry(
    demo_kb: KnowledgeService, settings, model: str, seed: int
) -> None:
    picture = Image.open(DEMO / "catalog" / "images" / f"{model}.png")
    photo = _image(_customer_photo(picture, seed), settings)
    passages = demo_kb.search(ask("这个能用吗？"), None, 4)  # no image: nothing to identify
    assert not any(p.kind == "product" for p in passages)
    passages = demo_kb.search(ask("这个能用吗？", photo), None, 4)
    product = passages[0]
    assert product.kind == "product" and product.meta["model"] == model
    assert product.meta["match_method"] == "image_features" and product.meta["match_score"] > 0.4
    assert isinstance(product.meta["specs"], dict) and isinstance(product.meta["compatible"], list)
    assert any(p.kind == "manual" and p.meta.get("sku") in (None, product.meta["sku"]) for p in passages[1:3])


def test_unrelated_images_match_no_product(demo_kb: KnowledgeService, settings) -> None:
    rng = random.Random(7)
    blobs = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(blobs)
    for _ in range(250):
        x, y = rng.randint(0, 800), rng.randint(0, 600)
        draw.ellipse(
            (x, y, x + rng.randint(8, 40), y + rng.randint(8, 40)), fill=tuple(rng.randint(0, 255) for _ in range(3))
        )
    nameplate = render(
        [
            Text("visdesk", (30, 20), 30),
            Text("Model: VX-9000", (30, 70), 30),
            Text("Input: 100-240V~ 50/60Hz", (30, 120), 20),
        ],
        (520, 200),
    )
    for picture in (blobs, nameplate):
        passages = demo_kb.search(ask("这个能用吗？", _image(png_bytes(picture), settings)), None, 4)
        assert not any(p.kind == "product" for p in passages), [p.title for p in passages]


def test_compatibility_with_a_product_named_in_the_question(demo_kb: KnowledgeService, settings) -> None:
    earbuds = _image(_customer_photo(Image.open(DEMO / "catalog" / "images" / "VD-EB2.png"), 11), settings)
    passages = demo_kb.search(ask("Can I charge this on the VD-WP10 pad?", earbuds), None, 4)
    photo, named = passages[0], passages[1]
    assert photo.meta["model"] == "VD-EB2" and named.meta["model"] == "VD-WP10"
    assert named.meta["match_method"] == "question"
    assert photo.meta["checked_compatibility"] == [
        {"sku": "VDS-1005", "model": "VD-WP10", "name": "15W Wireless Charging Pad", "compatible": True}
    ]
    filter_photo = _image(_customer_photo(Image.open(DEMO / "catalog" / "images" / "VD-KF1.png"), 12), settings)
    passages = demo_kb.search(ask("这个滤网能用在 VD-CH65 上吗", filter_photo), None, 4)
    assert passages[0].meta["model"] == "VD-KF1"
    assert passages[0].meta["checked_compatibility"][0]["compatible"] is False


def test_model_number_read_by_ocr_identifies_the_product_without_image_features(
    demo_kb: KnowledgeService, settings
) -> None:
    label = render(
        [Text("移动固态硬盘 Portable SSD", (30, 20), 28), Text("型号 Model: VD-HD500", (30, 80), 34),
         Text("5V ⎓ 0.9A  Made in China", (30, 140), 24)],
        (640, 200),
    )  # fmt: skip
    photo = _image(png_bytes(label), settings)
    lines = OcrReader(settings.ocr).read(photo)
    perception = Perception(content_id=photo.content_id, size=photo.original_size, lines=lines)
    passages = demo_kb.search(ask("这个能连 PS5 吗？", photo), perception, 4)
    product = passages[0]
    assert product.meta["model"] == "VD-HD500" and product.meta["match_method"] == "model_number"
    assert product.meta["match_score"] == 1.0
    manual = passages[1]
    assert manual.kind == "manual" and "PS5" in manual.text
    assert photo.content_id not in demo_kb._memo  # a certain model number skips the feature matcher


def test_model_numbers_are_matched_despite_ocr_confusions(demo_kb: KnowledgeService) -> None:
    passages = demo_kb.search(ask("what is this?"), seen("visdesk", "Model: VD-HD5OO", "Input 5V"), 2)
    assert passages[0].meta["model"] == "VD-HD500" and passages[0].meta["match_score"] == 1.0
    # Inside a longer code it is only a guess, and scored as one.
    guess = demo_kb.search(ask("what is this?"), seen("Model: VD-HD5000X"), 2)[0]
    assert guess.meta["model"] == "VD-HD500" and guess.meta["match_score"] < 1.0


def test_demo_catalog_has_an_image_and_a_manual_for_every_product(demo_kb: KnowledgeService) -> None:
    products = demo_kb.products
    assert len(products) >= 10
    for product in products.values():
        assert Path(product.image).is_file(), product.sku
        assert demo_kb.index.chunks_for_sku(product.sku, "manual"), product.sku
    assert len(demo_kb.matcher) == len(products)


def test_a_text_heavy_screenshot_skips_the_matcher_unless_the_question_is_about_a_product(
    demo_kb: KnowledgeService, settings
) -> None:
    picture = Image.open(DEMO / "catalog" / "images" / "VD-SP10.png")
    photo = _image(_customer_photo(picture, 21), settings)
    page = seen(*[f"订单行 {i}" for i in range(20)], content_id=photo.content_id)
    assert not any(p.kind == "product" for p in demo_kb.search(ask("为什么还没发货？", photo), page, 4))
    assert photo.content_id not in demo_kb._memo
    passages = demo_kb.search(ask("这个插座能接热水壶吗", photo), page, 4)
    assert passages[0].meta["model"] == "VD-SP10"
