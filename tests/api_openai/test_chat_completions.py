"""The official openai client against our /v1 on a real uvicorn (embedded engine, real OCR)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from fastapi import FastAPI, Response

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.api.openai_request import url_allowed
from visdesk.app import create_app

CODE = "R8T4W2"
PNG = png_bytes(render_lines([f"订单号: {CODE}", "金额: 256.00"], width=480))
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture(scope="module")
def image_host() -> Iterator[str]:
    """A real HTTP server that hosts the test image (for the allowed-prefix fetch)."""
    host = FastAPI()

    @host.get("/img/order.png")
    async def order() -> Response:
        return Response(PNG, media_type="image/png")

    with serve(host) as url:
        yield url


@pytest.fixture(scope="module")
def base_url(image_host: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("openai_api")
    settings = make_settings(
        tmp,
        knowledge={"use_demo": False, "index_path": tmp / "kb.sqlite3"},
        safety={"nsfw_enabled": False, "allowed_image_url_prefixes": [f"{image_host}/img/"]},
    )
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="x", max_retries=0)


def ask(text: str, url: str | None = DATA_URL) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if url is not None:
        content.append({"type": "image_url", "image_url": {"url": url}})
    return [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": content}]


def test_models_lists_the_served_ids(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["visdesk", "visdesk-embedded"]


def test_completion_reads_the_image(client: openai.OpenAI) -> None:
    result = client.chat.completions.create(model="visdesk", messages=ask("订单号是多少？"))
    assert result.object == "chat.completion" and result.model == "visdesk"
    choice = result.choices[0]
    assert CODE in (choice.message.content or "") and choice.finish_reason == "stop"
    assert result.usage is not None and result.usage.completion_tokens > 0
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    extra = result.model_extra["visdesk"]  # type: ignore[index]
    assert extra["engine"] == "embedded" and any(CODE in e["text"] and e["box"] for e in extra["evidence"])


def test_stream_sends_role_content_finish_usage_then_done(client: openai.OpenAI, base_url: str) -> None:
    chunks = list(
        client.chat.completions.create(
            model="visdesk-embedded",
            messages=ask("What is the order number?"),
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    assert CODE in "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finish) == 1 and finish[0].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert len({c.id for c in chunks}) == 1
    body = {"model": "visdesk", "messages": ask("What is the order number?"), "stream": True}
    raw = httpx.post(f"{base_url}/v1/chat/completions", json=body, timeout=60).text
    events = [line for line in raw.splitlines() if line.startswith("data: ")]
    assert events[-1] == "data: [DONE]" and "usage" not in json.loads(events[-2][6:])


def test_text_only_question_is_answered(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "Generate a concise title for this chat: where is my parcel?"}]
    # Open WebUI-style extras: a large max_tokens (clamped, not refused) and fields we ignore.
    result = client.chat.completions.create(
        model="visdesk",
        messages=messages,
        max_tokens=100_000,
        top_p=0.9,
        seed=1,  # type: ignore[arg-type]
    )
    assert (result.choices[0].message.content or "").strip()


def test_follow_up_without_image_uses_the_earlier_image(client: openai.OpenAI) -> None:
    messages = [
        *ask("Hello"),
        {"role": "assistant", "content": "Hi, how can I help?"},
        {"role": "user", "content": "订单号是多少？"},
    ]
    result = client.chat.completions.create(model="visdesk", messages=messages)  # type: ignore[arg-type]
    assert CODE in (result.choices[0].message.content or "")


def test_bad_data_url_is_a_bad_request_with_our_message(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="visdesk", messages=ask("hi", "data:image/png;base64,@@not*base64@@"))
    error = caught.value.body
    assert isinstance(error, dict) and error["code"] == "bad_base64" and error["param"] == "messages"
    assert "base64" in error["message"] and error["type"] == "invalid_request_error"


def test_remote_url_refused_unless_under_an_allowed_prefix(client: openai.OpenAI, image_host: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="visdesk", messages=ask("hi", "https://example.com/a.png"))
    assert caught.value.body["code"] == "remote_image_url_refused"  # type: ignore[index]
    assert "ALLOWED_IMAGE_URL_PREFIXES" in caught.value.body["message"]  # type: ignore[index]
    for spelled in (" \n HTTPS://example.com/a.png", "Http://169.254.169.254/latest/meta-data"):
        with pytest.raises(openai.BadRequestError) as other_spelling:  # a URL by its scheme in any case
            client.chat.completions.create(model="visdesk", messages=ask("hi", spelled))
        assert other_spelling.value.body["code"] == "remote_image_url_refused"  # type: ignore[index]
    fetched = client.chat.completions.create(
        model="visdesk", messages=ask("订单号是多少？", f"{image_host}/img/order.png")
    )
    assert CODE in (fetched.choices[0].message.content or "")
    with pytest.raises(openai.BadRequestError) as missing:
        client.chat.completions.create(model="visdesk", messages=ask("hi", f"{image_host}/img/none.png"))
    assert "HTTP 404" in missing.value.body["message"]  # type: ignore[index]


def test_prefixes_end_at_a_boundary() -> None:
    assert url_allowed("https://cdn.shop.com/a.png", ["https://cdn.shop.com"])
    assert not url_allowed("https://cdn.shop.com.evil.net/a.png", ["https://cdn.shop.com"])
    assert not url_allowed("https://cdn.shop.com@evil.net/a.png", ["https://cdn.shop.com"])
    assert not url_allowed("https://cdn.shop.com/a.png", [])


def test_unknown_model_and_invalid_bodies_use_openai_error_shape(client: openai.OpenAI, base_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=ask("hi"))
    assert caught.value.body["param"] == "model" and "visdesk-embedded" in caught.value.body["message"]  # type: ignore[index]
    response = httpx.post(f"{base_url}/v1/chat/completions", json={"model": "visdesk", "messages": []}, timeout=30)
    assert response.status_code == 400
    assert (
        response.json()["error"]["param"] == "messages" and response.json()["error"]["type"] == "invalid_request_error"
    )
    two = ask("hi")
    two[-1]["content"].append({"type": "image_url", "image_url": {"url": DATA_URL}})
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="visdesk", messages=two)  # type: ignore[arg-type]
    assert "one image per question" in caught.value.body["message"]  # type: ignore[index]


def test_json_schema_response_format_reaches_the_engine(client: openai.OpenAI) -> None:
    schema = {"type": "object", "properties": {"order_number": {"type": "string"}}, "required": ["order_number"]}
    result = client.chat.completions.create(
        model="visdesk",
        messages=ask("提取订单号"),
        response_format={"type": "json_schema", "json_schema": {"name": "order", "schema": schema}},
    )
    content = result.choices[0].message.content or ""
    assert CODE in json.loads(content)["order_number"]
    assert result.model_extra["visdesk"]["structured"]["valid"] is True  # type: ignore[index]
