"""PII by shape in stored history, over real HTTP on both backends (issue #9, the probe's finding 5):
card and ID numbers whose checksum fails are still card and ID numbers, and are not stored in clear."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
from sqlalchemy import select

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.engines import register
from visdesk.history.store import messages_t

register("history-echo", "tests.history.echo_engine:create")
CARD = "6222 0212 3456 7890 123"  # 19 digits, fails Luhn
ID = "110101199003071234"  # ID-shaped, wrong check character
PHONE, EMAIL, ORDER = "+44 20 7946 0958", "zhang.san@example.com", "202401150001"


def test_card_and_id_shapes_are_masked_in_history(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(
        tmp_path,
        engine="history-echo",
        history={"database_url": database_url},
        cache={"url": "none"},
        safety={"nsfw_enabled": False, "mask_pii_in_history": True},
    )
    image = base64.b64encode(png_bytes(render_lines(["Order 20241108"], width=300))).decode()
    question = f"卡号 {CARD}，身份证 {ID}，电话 {PHONE}，邮箱 {EMAIL}，订单 {ORDER} 怎么办？"
    app = create_app(settings)
    with serve(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        answered = client.post("/v1/chat", json={"image": image, "question": question})
        assert answered.status_code == 200, answered.text
        view = client.get(f"/sessions/{answered.json()['session_id']}").json()
        with app.state.services.history.engine.connect() as connection:
            stored = connection.scalar(select(messages_t.c.question))
    for text in (view["messages"][0]["question"], stored):
        for secret in (CARD, CARD.replace(" ", ""), ID, PHONE, EMAIL, "0212 3456", "19900307"):
            assert secret not in text, (secret, text)
        assert "[card ****0123]" in text and "[id ****1234]" in text and "[phone ****0958]" in text
        assert ORDER in text  # a 12-digit order number is not a card: history stays useful
