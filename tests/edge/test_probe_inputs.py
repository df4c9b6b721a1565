"""The outside probe's bad inputs (issue 9), each on a real uvicorn over one keep-alive connection.

Before this contract: thin PNGs → 500 (OCR resize), lone surrogates → 500, `$ref` loops → 502,
invisible questions and invalid UTF-8 answered 200, huge `choices` froze the server for 22 s, and
after each 500 the next request on the same connection failed.
"""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.api.sse import sse_payloads
from tests.edge.conftest import ORDER_B64, ORDER_PNG
from tests.edge.keepalive import assert_connection_survives, error_of
from tests.support.render import png_bytes, render_lines


def blank_png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def client(edge_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=edge_server, timeout=60) as client:
        yield client


def post_json(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    """`body` as ASCII JSON: a lone surrogate travels as its escape (\\ud800), as the probe sent it."""
    return client.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def user_turn(text: str) -> dict[str, Any]:
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{ORDER_B64}"}},
        ],
    }


def v1_chat(client: httpx.Client, **fields: Any) -> httpx.Response:
    return client.post("/v1/chat", json={"image": ORDER_B64, "question": "订单号是多少？", **fields})


# --- image dimensions ---------------------------------------------------------------------------------------------

PROBE_SHAPES = [(3000, 2), (60000, 1), (1, 60000), (5000, 3)]


@pytest.mark.parametrize(("width", "height"), PROBE_SHAPES)
def test_absurd_strips_are_refused_with_the_accepted_ratio_on_every_route(
    client: httpx.Client, width: int, height: int
) -> None:
    png = blank_png(width, height)
    form = client.post("/chat", data={"text": "what is this?"}, files={"image": ("x.png", png, "image/png")})
    error = error_of(form, 400)
    assert error["code"] == "image_bad_shape"
    assert "100:1" in error["message"] and error["details"]["max_aspect_ratio"] == 100
    assert_connection_survives(client, form)

    as_json = v1_chat(client, image=base64.b64encode(png).decode())
    assert error_of(as_json, 400)["code"] == "image_bad_shape"
    with client.stream(
        "POST", "/v1/chat", json={"image": base64.b64encode(png).decode(), "question": "hi", "stream": True}
    ) as streamed:
        streamed.read()
    assert error_of(streamed, 400)["code"] == "image_bad_shape"
    assert_connection_survives(client, streamed)


@pytest.mark.parametrize(("width", "height"), [(2000, 25), (25, 2000), (1, 1), (3, 90)])
def test_thin_images_within_the_ratio_are_padded_for_ocr_and_answered(
    client: httpx.Client, width: int, height: int
) -> None:
    """2000×25 used to reach RapidOCR's detector as 960×12, rounded to 0 rows: ResizeImgError, a 500."""
    response = client.post(
        "/chat", data={"text": "what does it say?"}, files={"image": ("x.png", blank_png(width, height), "image/png")}
    )
    assert response.status_code == 200, response.text
    assert response.json()["answer"]


def test_text_on_a_long_thin_strip_is_still_read(client: httpx.Client) -> None:
    strip = render_lines(["Order R8T4W2 shipped"], size=18, width=2000, margin=4, gap=0)  # about 77:1
    assert strip.width / strip.height > 60
    response = client.post(
        "/v1/chat", json={"image": base64.b64encode(png_bytes(strip)).decode(), "question": "order?"}
    )
    assert response.status_code == 200, response.text
    assert "R8T4W2" in json.dumps(response.json(), ensure_ascii=False)


# --- text ---------------------------------------------------------------------------------------------------------


def test_lone_surrogate_in_the_question_is_a_400_and_the_connection_survives(client: httpx.Client) -> None:
    response = post_json(client, "/v1/chat", {"question": "\ud800?", "image": ORDER_B64})
    error = error_of(response, 400)
    assert error["code"] == "invalid_text" and "surrogate" in error["message"]
    assert_connection_survives(client, response)


def test_lone_surrogate_in_session_id_is_a_400(client: httpx.Client) -> None:
    response = post_json(client, "/v1/chat", {"question": "hi", "session_id": "ab\udc00", "image": ORDER_B64})
    assert error_of(response, 400)["code"] == "invalid_text"
    assert_connection_survives(client, response)


def test_lone_surrogate_in_openai_content_is_a_400_in_openai_shape(client: httpx.Client) -> None:
    for stream in (False, True):
        body = {"model": "visdesk", "stream": stream, "messages": [user_turn("\ud83d?")]}
        response = post_json(client, "/v1/chat/completions", body)
        error = error_of(response, 400)
        assert error["code"] == "invalid_text" and error["type"] == "invalid_request_error"
        assert_connection_survives(client, response)


def test_lone_surrogate_in_an_earlier_openai_turn_is_a_400(client: httpx.Client) -> None:
    messages = [{"role": "user", "content": "first \udfff"}, {"role": "assistant", "content": "ok"}, user_turn("and?")]
    response = post_json(client, "/v1/chat/completions", {"model": "visdesk", "messages": messages})
    assert error_of(response, 400)["code"] == "invalid_text"


def multipart(text: bytes) -> tuple[bytes, dict[str, str]]:
    body = (
        b'--B\r\nContent-Disposition: form-data; name="text"\r\n\r\n' + text + b"\r\n"
        b'--B\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + ORDER_PNG + b"\r\n--B--\r\n"
    )
    return body, {"content-type": "multipart/form-data; boundary=B"}


@pytest.mark.parametrize("text", [b"\xff\xfe what?", b"order \xed\xa0\x80?", b"\xc3("])
def test_invalid_utf8_in_the_multipart_text_field_is_a_400(client: httpx.Client, text: bytes) -> None:
    body, headers = multipart(text)
    response = client.post("/chat", content=body, headers=headers)
    error = error_of(response, 400)
    assert error["code"] == "invalid_text" and error["details"]["field"] == "text"
    assert_connection_survives(client, response)


def test_valid_utf8_latin_text_in_the_form_is_accepted(client: httpx.Client) -> None:
    """The UTF-8 check must not mistake real accented text (café) for Latin-1 mojibake."""
    body, headers = multipart("Où est le numéro de commande, café?".encode())
    assert client.post("/chat", content=body, headers=headers).status_code == 200


@pytest.mark.parametrize("question", ["\u200b\u200b", "\u202e\u2066\u200d", "\x00\x07\x1b", "\ufeff \u2060"])
def test_questions_of_only_invisible_characters_are_empty(client: httpx.Client, question: str) -> None:
    response = v1_chat(client, question=question)
    assert error_of(response, 400)["code"] == "empty_question"


def test_control_and_bidi_characters_are_stripped_before_answering_and_storing(client: httpx.Client) -> None:
    response = v1_chat(client, question="订单\u202e号\x07是多少\u200b？")
    assert response.status_code == 200, response.text
    session = client.get(f"/sessions/{response.json()['session_id']}")
    assert session.status_code == 200, session.text
    stored = session.json()["messages"][-1]["question"]
    assert stored == "订单号是多少？"


# --- JSON schemas -------------------------------------------------------------------------------------------------

BAD_SCHEMAS = {
    "self_ref": {"$ref": "#"},
    "defs_loop": {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    "all_of_loop": {"type": "object", "allOf": [{"$ref": "#"}]},
    "remote_ref": {"type": "object", "properties": {"x": {"$ref": "https://example.com/schema.json"}}},
    "dangling_ref": {"type": "object", "properties": {"x": {"$ref": "#/$defs/missing"}}},
}


@pytest.mark.parametrize("name", sorted(BAD_SCHEMAS))
def test_bad_schemas_are_a_400_on_v1_chat_and_openai(client: httpx.Client, name: str) -> None:
    schema = BAD_SCHEMAS[name]
    response = v1_chat(client, response_format=schema)
    error = error_of(response, 400)
    assert error["code"] == "invalid_request" and "response_format" in error["message"]
    assert_connection_survives(client, response)
    completion = client.post(
        "/v1/chat/completions",
        json={
            "model": "visdesk",
            "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
            "messages": [user_turn("order?")],
        },
    )
    assert error_of(completion, 400)["code"] == "invalid_request"


def test_oversized_and_overdeep_schemas_state_the_cap(client: httpx.Client) -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(40):
        deep = {"type": "object", "properties": {"a": deep}}
    assert "32 levels" in error_of(v1_chat(client, response_format=deep), 400)["message"]
    fields = {f"field_{i}": {"type": "string", "description": "x" * 100} for i in range(400)}
    big = {"type": "object", "properties": fields}
    error = error_of(v1_chat(client, response_format=big), 400)
    assert error["details"]["max_bytes"] == 32768


def test_a_recursive_tree_schema_that_descends_into_data_is_accepted(client: httpx.Client) -> None:
    tree = {
        "type": "object",
        "properties": {"订单号": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}},
    }
    response = v1_chat(client, response_format=tree)
    assert response.status_code == 200, response.text
    assert response.json()["structured"]["data"]["订单号"] == "R8T4W2"


# --- choices, regex, stop -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("choices", "cap"), [(["y" * 100_000] * 100, "64 labels"), (["y"] * 10_000, "64 labels")])
def test_probe_choices_are_refused_fast_and_not_echoed(client: httpx.Client, choices: list[str], cap: str) -> None:
    started = time.perf_counter()
    response = v1_chat(client, choices=choices)
    elapsed = time.perf_counter() - started
    error = error_of(response, 400)
    assert cap in error["message"] and error["details"] == {
        "field": "choices",
        "max_choices": 64,
        "max_choice_chars": 200,
    }
    assert len(response.content) < 2000, "the refusal must not echo the labels"
    assert elapsed < 3.0, f"refusing took {elapsed:.1f} s (the probe's took 22 s)"


def test_one_over_long_choice_is_refused(client: httpx.Client) -> None:
    assert "200" in error_of(v1_chat(client, choices=["paid", "y" * 201]), 400)["message"]


def test_choices_at_the_caps_are_answered(client: httpx.Client) -> None:
    labels = ["已支付", "未支付"] + [f"label {i} " + "x" * 180 for i in range(62)]
    response = v1_chat(client, question="订单状态？", choices=labels)
    assert response.status_code == 200, response.text
    assert response.json()["answer"] == "已支付"


def test_regex_caps_and_compile_errors(client: httpx.Client) -> None:
    assert "512" in error_of(v1_chat(client, regex="a" * 513), 400)["message"]
    assert "not a valid regular expression" in error_of(v1_chat(client, regex="(unclosed"), 400)["message"]
    ok = v1_chat(client, regex=r"R\d[A-Z]\d[A-Z]\d")
    assert ok.status_code == 200 and ok.json()["answer"] == "R8T4W2"


def test_catastrophic_regex_is_cut_off_by_its_time_budget(client: httpx.Client) -> None:
    line = "a" * 48 + "!"
    png = png_bytes(render_lines([line], width=900))
    started = time.perf_counter()
    response = client.post(
        "/v1/chat",
        json={"image": base64.b64encode(png).decode(), "question": "code?", "regex": r"(a|aa)+$"},
    )
    elapsed = time.perf_counter() - started
    error = error_of(response, 400)
    assert error["details"]["field"] == "regex" and "simpler pattern" in error["message"]
    assert elapsed < 10


def test_too_many_stop_strings_are_refused(client: httpx.Client) -> None:
    body = {"model": "visdesk", "stop": ["a", "b", "c", "d", "e"], "messages": [{"role": "user", "content": "hi"}]}
    assert error_of(client.post("/v1/chat/completions", json=body), 400)["code"] == "invalid_request"


def test_sse_bad_input_is_an_http_error_not_a_started_stream(client: httpx.Client) -> None:
    with client.stream("POST", "/v1/chat", json={"image": ORDER_B64, "question": "\u200b", "stream": True}) as r:
        r.read()
    assert error_of(r, 400)["code"] == "empty_question"
    with client.stream("POST", "/v1/chat", json={"image": ORDER_B64, "question": "订单号?", "stream": True}) as ok:
        assert ok.status_code == 200
        assert sse_payloads(ok)
