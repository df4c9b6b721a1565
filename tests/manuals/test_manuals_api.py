"""POST /v1/manuals/draft and `visdesk manual draft` on rendered product photos (real OCR, real HTTP)."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import httpx
import pytest
from bench.accuracy.degrade import apply
from PIL import Image

from tests.support.render import png_bytes, render_lines
from visdesk.cli import main

SPECS = "Spec,Value\nInput,100-240V~ 50/60Hz 1.5A\nOutput,20V⎓3.25A\nPower,65W\nWeight,120 g\n"


def nameplate() -> Image.Image:
    return render_lines(["65W GaN Charger", "Model: VD-CH65", "Input: 100-240V~ 50/60Hz 1.5A", "Output: 20V 3.25A"])


def packaging() -> Image.Image:
    return render_lines(["CE  FCC  RoHS", "WARNING: Do not expose to water", "警告：请勿拆解", "Made in China"])


def _photo(image: Image.Image) -> bytes:
    data, _ = apply(random.Random(3), image, "photo", "label")  # a phone photo of the label: tilt, blur, light
    return data


@pytest.fixture(scope="module")
def photos() -> list[bytes]:
    return [_photo(nameplate()), png_bytes(packaging())]


def test_draft_in_four_languages(embedded_server: str, photos: list[bytes]) -> None:
    body = {
        "images": [base64.b64encode(p).decode() for p in photos],
        "specs_csv": SPECS,
        "languages": ["zh", "en", "es", "fr"],
    }
    response = httpx.post(f"{embedded_server}/v1/manuals/draft", json=body, timeout=120)
    assert response.status_code == 200, response.text
    drafts = response.json()["languages"]
    assert set(drafts) == {"zh", "en", "es", "fr"}
    assert response.json()["product"] == "VD-CH65"  # the model read on the photo names the product
    headings = {"zh": "## 技术规格", "en": "## Technical specifications", "es": "## Especificaciones técnicas",
                "fr": "## Caractéristiques techniques"}  # fmt: skip
    terms = {"zh": "| 功率 | 65W |", "en": "| Power | 65W |", "es": "| Potencia | 65W |", "fr": "| Puissance | 65W |"}
    for lang, draft in drafts.items():
        assert headings[lang] in draft["markdown"] and terms[lang] in draft["markdown"], draft["markdown"]
        assert "<h1>" in draft["html"] and "<cite>" in draft["html"]
        assert any("CE" in item for item in draft["checklist"])  # a certification mark is confirmed by a person
    zh = drafts["zh"]["markdown"]
    assert "CE 标志" in zh and "“警告：请勿拆解”" in zh and "读自照片 2 [" in zh
    assert any("Do not expose to water" in item and "警告" in item for item in drafts["zh"]["checklist"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"images": [], "specs_csv": "", "languages": ["en"]}, "missing_image"),
        ({"images": [], "specs_csv": SPECS, "languages": ["de"]}, "invalid_request"),
        ({"images": ["@@@"], "specs_csv": SPECS, "languages": ["en"]}, "bad_base64"),
        ({"images": [], "specs_csv": "only one cell", "languages": ["en"]}, "invalid_request"),
        ({"images": [], "specs_csv": SPECS, "languages": []}, "invalid_request"),
    ],
)
def test_bad_draft_requests_are_clear_4xx(embedded_server: str, body: dict[str, object], code: str) -> None:
    response = httpx.post(f"{embedded_server}/v1/manuals/draft", json=body, timeout=30)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"] == code


def test_cli_writes_markdown_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = tmp_path / "plate.png"
    image.write_bytes(png_bytes(nameplate()))
    specs = tmp_path / "specs.csv"
    specs.write_text(SPECS, encoding="utf-8")
    out = tmp_path / "drafts"
    assert main(["manual", "draft", str(image), "--specs", str(specs), "--lang", "en,fr", "--out", str(out)]) == 0
    assert (out / "manual.fr.md").read_text(encoding="utf-8").count("| Puissance | 65W |") == 1
    assert (out / "manual.en.html").exists()
    assert main(["manual", "draft", str(image), "--lang", "xx", "--out", str(out)]) == 2
    assert "choose from en, zh, es, fr" in capsys.readouterr().err
