"""The page in real headless Chromium: a phone photo of the demo charger, "What cable should I buy?",
and the answer shows product cards with the catalog's picture, name, price and why it fits."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from bench.products.photos import Capture, catalog_picture, phone_photo

pytestmark = pytest.mark.browser



def test_recommendations_are_shown_as_product_cards(browser, embedded_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photo = phone_photo(catalog_picture("VD-CH65"), Capture.random(random.Random(2), ("tilt", "dim")), seed=2)
    path = tmp_path / "charger.jpg"
    path.write_bytes(photo.data)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(embedded_server + "/")
        page.set_input_files("#file-input", str(path))
        page.wait_for_function("document.getElementById('preview-image').naturalWidth > 0")
        page.fill("#question", "What cable should I buy for this?")
        page.press("#question", "Enter")
        page.wait_for_selector(".message.assistant.done", timeout=90_000)
        card = page.locator(".product-card").first
        card.wait_for()
        assert page.locator(".product-card").count() == 1
        assert card.get_attribute("data-sku") == "VDS-1003"
        assert "VD-CB100" in card.locator(".product-name").inner_text()
        assert card.locator(".product-price").inner_text() == "¥39"
        assert "100 W" in card.locator(".product-reason").inner_text()
        page.wait_for_function("document.querySelector('.product-card img').naturalWidth > 0", timeout=30_000)
        assert card.locator("img").get_attribute("src") == "/v1/catalog/VDS-1003/image"
        # a verdict question in the same session shows no cards
        page.fill("#question", "Does it work with iPhone 15?")
        page.press("#question", "Enter")
        page.wait_for_function("document.querySelectorAll('.message.assistant.done').length === 2", timeout=90_000)
        second = page.locator(".message.assistant.done").nth(1)
        assert second.locator(".answer-text").inner_text().startswith("Yes")
        assert second.locator(".product-card").count() == 0
    finally:
        context.close()
