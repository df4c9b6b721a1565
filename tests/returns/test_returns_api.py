"""POST /v1/returns/attribute over real HTTP, real OCR on rendered photos, one case per taxonomy reason."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.support.render import png_bytes, render_lines
from visdesk.knowledge import DEMO_DIR
from visdesk.returns import load_taxonomy

CASES = [
    ("doesn't work", ["Software Update", "Installing update... 45%", "Do not turn off your phone"], "user_operation"),
    ("手机不能用", ["中国移动", "未插入SIM卡", "仅限紧急呼叫"], "no_signal"),
    ("用了两天就没电了", ["设置", "电池健康 61%", "建议更换电池"], "battery_fault"),
    ("the box arrived and it's cracked", ["FRAGILE", "HANDLE WITH CARE", "This side up"], "damaged_in_transit"),
    ("no cable in the box", ["Package includes:", "Charger x1", "USB-C cable x1"], "missing_part"),
    ("I ordered VD-CH65, this is not it", ["Power Bank", "Model: VD-PB20", "20000mAh 74Wh"], "wrong_item"),
]


def _b64(lines: list[str]) -> str:
    return base64.b64encode(png_bytes(render_lines(lines, size=30, width=800))).decode()


def test_every_taxonomy_reason_is_covered_by_a_case() -> None:
    taxonomy = load_taxonomy(DEMO_DIR / "returns" / "taxonomy.toml")
    assert {reason for _, _, reason in CASES} == {r.id for r in taxonomy.reasons}


@pytest.mark.parametrize(("text", "lines", "reason"), CASES, ids=[c[2] for c in CASES])
def test_attribution_per_reason(embedded_server: str, text: str, lines: list[str], reason: str) -> None:
    response = httpx.post(
        f"{embedded_server}/v1/returns/attribute", json={"text": text, "image": _b64(lines)}, timeout=60
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reason"]["id"] == reason, body["scores"]
    assert not body["needs_human_review"] and body["confidence"] >= 0.6
    deciding = [e for e in body["evidence"] if e["reason"] == reason and e["source"] == "image"]
    assert deciding and len(deciding[0]["box"]) == 4, body["evidence"]
    assert body["action"]["id"] and body["action"]["description"]


def test_unclear_case_goes_to_human_review(embedded_server: str) -> None:
    body = httpx.post(
        f"{embedded_server}/v1/returns/attribute",
        json={"text": "doesn't work", "image": _b64(["Hello", "Welcome back"])},
        timeout=60,
    ).json()
    assert body["reason"] is None and body["needs_human_review"] is True
    assert body["action"]["id"] == "human_review"


def test_the_answer_follows_the_buyers_language(embedded_server: str) -> None:
    body = httpx.post(
        f"{embedded_server}/v1/returns/attribute",
        json={"text": "收到就碎了", "image": _b64(["易碎物品", "小心轻放"])},
        timeout=60,
    ).json()
    assert body["language"] == "zh" and body["reason"]["name"] == "运输途中损坏"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"text": "", "image": None}, "empty_question"),
        ({"text": "broken", "image": "%%%not base64"}, "bad_base64"),
        ({"text": "broken", "image": base64.b64encode(b"GIF89a trunc").decode()}, None),
        ({"text": "broken", "colour": "red"}, "invalid_request"),
    ],
)
def test_bad_input_is_a_clear_4xx(embedded_server: str, payload: dict[str, object], code: str | None) -> None:
    response = httpx.post(f"{embedded_server}/v1/returns/attribute", json=payload, timeout=30)
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["message"] and (code is None or error["code"] == code)
