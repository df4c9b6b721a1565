"""Property-based fuzzing of every endpoint on a real uvicorn (Hypothesis), over one keep-alive client.

For any body, the server must answer below 500, with a JSON error object on every 4xx, and keep the
connection usable: the next request on the same TCP connection succeeds. Examples are bounded and
derandomised so `make test` stays around a minute and reruns the same cases;
VISDESK_FUZZ_EXAMPLES raises the count for a longer local hunt.
"""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from tests.edge.conftest import ORDER_B64, ORDER_PNG
from tests.edge.keepalive import local_port

EXAMPLES = int(os.environ.get("VISDESK_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="VISDESK_FUZZ_EXAMPLES" not in os.environ,  # a longer local hunt explores new cases each run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 250)).save(buffer, "PNG")
    return buffer.getvalue()


IMAGES = [ORDER_PNG, _png(1, 1), _png(3000, 2), _png(2000, 25), b"GIF89a\x01", b"%PDF-1.4", b"\x89PNG\r\n\x1a\n\x00"]
# Every code point, lone surrogates included (rare there, so TEXT also mixes them, and invisible marks, in).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
INVISIBLE = st.sampled_from(["\u200b", "\u200d", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\x00", "\x1b"])
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.lists(st.sampled_from(["订单", "order", " ", "?"]) | SURROGATE | INVISIBLE, max_size=8).map("".join),
    st.sampled_from(["", " ", "\u200b", "\u202eabc", "\ud800?", "\x00", "订单号是多少？", "a" * 3000, "\ufeff"]),
)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), TEXT)
JSON = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
SCHEMAS = st.one_of(
    st.sampled_from(
        [
            {"$ref": "#"},
            {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
            {"type": "object", "properties": {"x": {"$ref": "http://127.0.0.1:1/x.json"}}},
            {"type": "object", "properties": {"订单号": {"type": "string"}}},
            {"$schema": "https://example.com/unknown", "type": "object"},
            {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "integer"}}}},
            {"type": "object", "properties": {"n": {"type": "number", "enum": []}}},
        ]
    ),
    st.dictionaries(st.sampled_from(["type", "properties", "items", "$ref", "allOf", "enum", "required"]), JSON),
    JSON,
)
IMAGE_FIELD = st.one_of(
    st.none(),
    st.sampled_from(IMAGES).map(lambda data: base64.b64encode(data).decode()),
    st.sampled_from(IMAGES).map(lambda data: "data:image/png;base64," + base64.b64encode(data).decode()),
    st.sampled_from(["http://127.0.0.1:1/x.png", "data:image/png,abc", "!!!", "", "===="]),
    TEXT,
    JSON,
)


V1_CHAT = st.one_of(
    st.fixed_dictionaries(
        {"question": TEXT | JSON},
        optional={
            "image": IMAGE_FIELD,
            "session_id": st.none() | TEXT | st.just("0" * 32),
            "stream": st.booleans() | JSON,
            "choices": st.none() | st.lists(TEXT, max_size=70) | JSON,
            "response_format": st.none() | SCHEMAS,
            "regex": st.none() | TEXT | st.sampled_from([r"(a+)+$", r"R\d+", "(", "[", "\\"]),
            "max_new_tokens": st.none() | st.integers(-5, 10_000) | TEXT,
            "unexpected": JSON,
        },
    ),
    JSON,
)
ON_THE_IMAGE = st.fixed_dictionaries(  # a readable image and a real question, so the options reach the engine
    {"image": st.just(ORDER_B64), "question": st.sampled_from(["订单号是多少？", "状态？", "Amount?"]) | TEXT},
    optional={
        "choices": st.lists(TEXT, min_size=1, max_size=70),
        "response_format": SCHEMAS,
        "regex": TEXT | st.sampled_from([r"(a+)+$", r"R\d+", r"\d+\.\d\d", r"(?P<x>\w+)", r"^$", r"(?<=R)\d"]),
        "max_new_tokens": st.integers(1, 4096),
        "stream": st.booleans(),
    },
)
PART = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": TEXT | JSON}),
    st.fixed_dictionaries(
        {"type": st.just("image_url"), "image_url": st.fixed_dictionaries({"url": IMAGE_FIELD}) | IMAGE_FIELD}
    ),
    st.fixed_dictionaries({"type": TEXT}),
    JSON,
)
MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", "tool"]) | TEXT},
    optional={"content": st.none() | TEXT | st.lists(PART, max_size=3) | JSON},
)
COMPLETIONS = st.one_of(
    st.fixed_dictionaries(
        {
            "model": st.sampled_from(["visdesk", "visdesk-embedded"]) | TEXT,
            "messages": st.lists(MESSAGE, max_size=4) | JSON,
        },
        optional={
            "stream": st.booleans(),
            "response_format": st.sampled_from([{"type": "json_object"}, {"type": "text"}])
            | SCHEMAS.map(lambda s: {"type": "json_schema", "json_schema": {"name": "x", "schema": s}})
            | JSON,
            "stop": st.none() | TEXT | st.lists(TEXT, max_size=6),
            "max_tokens": st.none() | st.integers(-3, 10**9),
            "temperature": st.none() | st.floats(-5, 5, allow_nan=False) | TEXT,
            "n": st.integers(-1, 3),
            "tools": JSON,
        },
    ),
    JSON,
)
FEEDBACK = st.one_of(
    st.fixed_dictionaries(
        {"message_id": TEXT | JSON, "rating": st.sampled_from(["up", "down"]) | TEXT},
        optional={"comment": st.none() | TEXT | JSON},
    ),
    JSON,
)

FORM_FIELDS = st.sampled_from(["session_id", "stream", "client", "other"])
OTHER_PATHS = ["/healthz", "/readyz", "/v1/models", "/metrics", "/sessions/", "/v1/sessions/", "/nope", "/"]


@pytest.fixture(scope="module")
def client(edge_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=edge_server, timeout=120) as client:
        assert client.get("/healthz").status_code == 200
        yield client


def check(client: httpx.Client, response: httpx.Response) -> None:
    """No 5xx, a JSON error object on every 4xx, and the connection still serves the next request."""
    body = response.read()
    assert response.status_code < 500, (response.status_code, body[:800])
    if response.status_code >= 400:
        assert response.headers.get("content-type", "").startswith("application/json"), response.headers
        error = json.loads(body)["error"]
        assert isinstance(error, dict) and isinstance(error.get("message"), str) and error["message"], error
    port = local_port(response)
    follow_up = client.get("/healthz")
    assert follow_up.status_code == 200
    if response.headers.get("connection", "").lower() != "close":
        assert local_port(follow_up) == port, "the keep-alive connection did not survive"


def send_json(client: httpx.Client, method: str, path: str, body: Any, stream: bool = False) -> None:
    content = json.dumps(body).encode()  # ASCII JSON: lone surrogates travel as \\udXXX escapes
    request = client.build_request(method, path, content=content, headers={"content-type": "application/json"})
    response = client.send(request, stream=True)
    try:
        check(client, response)
    finally:
        response.close()


@FUZZ
@given(body=V1_CHAT)
def test_fuzz_v1_chat(client: httpx.Client, body: Any) -> None:
    send_json(client, "POST", "/v1/chat", body)


@FUZZ
@given(body=ON_THE_IMAGE)
def test_fuzz_options_on_a_readable_image(client: httpx.Client, body: Any) -> None:
    send_json(client, "POST", "/v1/chat", body)


@FUZZ
@given(body=COMPLETIONS)
def test_fuzz_chat_completions(client: httpx.Client, body: Any) -> None:
    send_json(client, "POST", "/v1/chat/completions", body)


@FUZZ
@given(body=FEEDBACK, path=st.sampled_from(["/feedback", "/v1/feedback"]))
def test_fuzz_feedback(client: httpx.Client, body: Any, path: str) -> None:
    send_json(client, "POST", path, body)


@FUZZ
@given(
    text=st.binary(max_size=60) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    image=st.none() | st.sampled_from(IMAGES) | st.binary(max_size=64),
    extra=st.dictionaries(FORM_FIELDS, st.binary(max_size=20), max_size=3),
)
def test_fuzz_chat_form(client: httpx.Client, text: bytes, image: bytes | None, extra: dict[str, bytes]) -> None:
    parts = [(b"text", None, text), *((name.encode(), None, value) for name, value in extra.items())]
    if image is not None:
        parts.append((b"image", b"x.png", image))
    body = b"".join(
        b'--FUZZ\r\nContent-Disposition: form-data; name="' + name + b'"'
        + (b'; filename="' + filename + b'"\r\nContent-Type: image/png' if filename else b"")
        + b"\r\n\r\n" + value + b"\r\n"
        for name, filename, value in parts
    ) + b"--FUZZ--\r\n"  # fmt: skip
    request = client.build_request(
        "POST", "/chat", content=body, headers={"content-type": "multipart/form-data; boundary=FUZZ"}
    )
    response = client.send(request, stream=True)
    try:
        check(client, response)
    finally:
        response.close()


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    path=st.sampled_from(OTHER_PATHS),
    suffix=TEXT,
    raw=st.binary(max_size=80),
)
def test_fuzz_other_routes_and_raw_bodies(
    client: httpx.Client, method: str, path: str, suffix: str, raw: bytes
) -> None:
    target = path + quote(suffix.encode("utf-8", "surrogatepass"), safe="") if path.endswith("/") else path
    request = client.build_request(method, target, content=raw or None, headers={"content-type": "application/json"})
    response = client.send(request, stream=True)
    try:
        check(client, response)
    finally:
        response.close()


def test_the_fuzzer_reaches_answers_too(client: httpx.Client) -> None:
    """The strategies above include valid requests; this pins that one of them really is answered."""
    response = client.post("/v1/chat", json={"image": ORDER_B64, "question": "订单号是多少？"})
    assert response.status_code == 200 and "R8T4W2" in response.json()["answer"]
