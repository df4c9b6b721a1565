"""Issue 10 end to end over loopback HTTP: phone photos of demo products (tilt, blur, glare, crop, a finger,
dim light) → a verdict first, the deciding label line boxed where it is on the photo, the manual cited; a
follow-up turn answered against the same photo; recommendations with catalog pictures served by SKU."""

from __future__ import annotations

import base64
import json
import random
from functools import cache

import httpx
import pytest
from bench.products.photos import Capture, Photo, catalog_picture, phone_photo

from tests.api.dialog import overlaps
from tests.support.render import png_bytes
from visdesk.domain import Box
from visdesk.images import intake
from visdesk.perception.ocr import OcrReader
from visdesk.settings import Settings


@pytest.fixture(scope="module")
def client(embedded_server: str) -> httpx.Client:
    with httpx.Client(base_url=embedded_server, timeout=120) as http:
        yield http


@cache
def plate_line(model: str, label: str) -> Box:
    """Where the catalog picture prints the line starting with `label` (read by real OCR on the clean picture)."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    image = intake(png_bytes(catalog_picture(model)), settings.images)
    line = next(
        line for line in OcrReader(settings.ocr).read(image) if line.text.replace(" ", "").startswith(f"{label}:")
    )
    return line.box


def snap(model: str, effects: tuple[str, ...], seed: int) -> Photo:
    return phone_photo(catalog_picture(model), Capture.random(random.Random(seed), effects), seed=seed)


def chat(client: httpx.Client, question: str, photo: Photo | None = None, session_id: str | None = None) -> dict:
    body: dict[str, object] = {"question": question}
    if photo is not None:
        body["image"] = "data:image/jpeg;base64," + base64.b64encode(photo.data).decode()
    if session_id:
        body["session_id"] = session_id
    response = client.post("/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def assert_boxed(body: dict, photo: Photo, model: str, label: str) -> None:
    """The evidence is the label line that decides, boxed where that line is on the photo."""
    expected = photo.to_photo(plate_line(model, label))
    boxes = [e["box"] for e in body["evidence"] if e["box"] and e["text"].replace(" ", "").startswith(f"{label}:")]
    assert any(overlaps(box, expected) for box in boxes), (body["evidence"], expected)


def assert_manual_cited(body: dict, model: str) -> None:
    assert any(s["source"] == f"manuals/{model}.md" for s in body["sources"]), body["sources"]


def test_this_works_asks_for_the_device_and_the_next_turn_answers_on_the_same_photo(client: httpx.Client) -> None:
    photo = snap("VD-CH65", ("tilt", "dim"), 1)
    first = chat(client, "This works?", photo)
    assert first["answer"].startswith("It depends"), first["answer"]
    assert first["answer"].endswith("Which device do you want to charge? Its input rating is printed on it.")
    assert_boxed(first, photo, "VD-CH65", "Power")
    assert_manual_cited(first, "VD-CH65")
    follow = chat(client, "an iPhone 15", session_id=first["session_id"])  # no image: the session's photo
    assert follow["session_id"] == first["session_id"]
    assert follow["answer"].startswith("Yes") and "iPhone 15" in follow["answer"], follow["answer"]
    assert_boxed(follow, photo, "VD-CH65", "Power")


@pytest.mark.parametrize(
    ("model", "effects", "question", "first", "label"),
    [
        ("VD-CH65", ("glare", "tilt"), "能在110V用吗？", "可以", "Input"),
        ("VD-SK7", ("blur", "tilt"), "Can I use this in Japan?", "No", "Input"),
        ("VD-PB20", ("finger", "dim"), "能给笔记本充电吗？", "不可以", "Power"),
        ("VD-CH65", ("crop", "blur"), "Will this charge my VD-PB20 power bank?", "Yes", "Power"),
        ("VD-CM1", ("dim", "tilt"), "Will it work in the US?", "No", "Input"),
        ("VD-CH65", ("finger", "glare"), "能给笔记本充电吗？", "视情况而定", "Power"),
    ],
)
def test_verdicts_on_phone_photos(
    client: httpx.Client, model: str, effects: tuple[str, ...], question: str, first: str, label: str
) -> None:
    photo = snap(model, effects, 7)
    body = chat(client, question, photo)
    assert body["answer"].startswith(first), body["answer"]
    assert_boxed(body, photo, model, label)
    assert_manual_cited(body, model)
    assert body["recommendations"] == []


def test_recommendations_carry_catalog_cards_with_pictures(client: httpx.Client) -> None:
    photo = snap("VD-CH65", ("tilt", "blur"), 3)
    body = chat(client, "What cable should I buy for this?", photo)
    cards = body["recommendations"]
    assert [c["sku"] for c in cards] == ["VDS-1003"], body
    card = cards[0]
    assert "VD-CB100" in card["name"] and card["price"] == "¥39" and "100 W" in card["reason"]
    assert card["name"] in body["answer"]
    again = chat(client, "What cable should I buy for this?", photo)  # replayed from the answer cache
    assert again["cached"] and again["recommendations"] == cards
    picture = client.get(card["image_url"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    zh = chat(client, "这个配什么充电器？", snap("VD-PB20", ("glare",), 4))
    assert [c["sku"] for c in zh["recommendations"]] == ["VDS-1002"] and zh["language"] == "zh"


def test_the_stream_ends_with_the_recommendations(client: httpx.Client) -> None:
    photo = snap("VD-EB2", ("crop", "finger"), 5)
    body = {"question": "Is there a case for this?", "stream": True,
            "image": "data:image/jpeg;base64," + base64.b64encode(photo.data).decode()}  # fmt: skip
    with client.stream("POST", "/v1/chat", json=body) as response:
        assert response.status_code == 200
        events = [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]
    done = events[-1]
    assert done["done"] and [c["sku"] for c in done["recommendations"]] == ["VDS-1015"]


def test_unknown_catalog_pictures_are_a_json_404(client: httpx.Client) -> None:
    for sku in ("VDS-9999", "..%2F..%2Fsettings.py", "VDS-1003%00"):
        response = client.get(f"/v1/catalog/{sku}/image")
        assert response.status_code == 404, sku
        assert response.json()["error"]["code"] in ("unknown_product", "not_found")


def test_openapi_describes_recommendations_and_the_picture_route(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert "/v1/catalog/{sku}/image" in schema["paths"]
    fields = schema["components"]["schemas"]["RecommendationOut"]["properties"]
    assert {"sku", "name", "price", "image_url", "reason"} <= set(fields)
