"""Every kind of bad input through /chat and /v1/chat: a 4xx JSON error with code and message, never a 500.

And once a stream has begun, a failure arrives in-band as an SSE `error` event.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.api.exploding_engine import PARTIAL
from tests.api.sse import sse_payloads
from tests.conftest import make_settings
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.engines import register

MAX_UPLOAD = 50_000
MAX_BODY = 200_000


def _png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(256))) + chunk(b"IEND", b"")


def _noise_png(side: int) -> bytes:
    pixels = np.random.default_rng(7).integers(0, 255, (side, side, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


BAD_FILES: dict[str, tuple[bytes, str, int]] = {
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>', "unsupported_media_type", 415),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "unsupported_media_type", 415),
    "text": (b"hello, this is not an image\n" * 10, "unsupported_media_type", 415),
    "elf": (b"\x7fELF\x02\x01\x01" + bytes(100), "unsupported_media_type", 415),
    "exe": (b"MZ\x90\x00" + bytes(100), "unsupported_media_type", 415),
    "truncated": (_noise_png(64)[:3000], "corrupt_image", 400),
    "bomb": (_png_declaring(50_000, 50_000), "image_too_many_pixels", 413),
    "oversize": (_noise_png(160), "image_too_large", 413),
    "empty": (b"", "missing_image", 400),
}


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """An app with small byte limits, so oversize cases are cheap to send."""
    tmp = tmp_path_factory.mktemp("tight")
    settings = make_settings(
        tmp,
        safety={"nsfw_enabled": False, "max_body_bytes": MAX_BODY, "max_question_chars": 50},
        images={"max_upload_bytes": MAX_UPLOAD},
    )
    with serve(create_app(settings)) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def valid_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def assert_error(response: httpx.Response, code: str, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and len(error["message"]) > 15
    return error


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_through_json(tight: httpx.Client, case: str, stream: bool) -> None:
    data, code, status = BAD_FILES[case]
    body = {"image": base64.b64encode(data).decode(), "question": "错误码是什么？", "stream": stream}
    assert_error(tight.post("/v1/chat", json=body), code, status)


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_through_multipart(tight: httpx.Client, case: str) -> None:
    data, code, status = BAD_FILES[case]
    files = {"image": ("upload.png", data, "image/png")}  # a non-image named .png is still refused
    response = tight.post(
        "/chat", data={"text": "错误码是什么？"}, files=files, headers={"Accept": "text/event-stream"}
    )
    assert_error(response, code, status)


@pytest.mark.parametrize(
    ("image", "code"),
    [
        ("@@@ not base64 @@@", "bad_base64"),
        ("iVBORw0KGgo=====x", "bad_base64"),
        ("data:image/png,iVBORw0KGgo", "bad_base64"),
        ("http://example.com/a.png", "remote_image_url_refused"),
        ("https://example.com/a.png", "remote_image_url_refused"),
        ("   ", "missing_image"),
    ],
)
def test_bad_image_fields_through_json(tight: httpx.Client, image: str, code: str) -> None:
    assert_error(tight.post("/v1/chat", json={"image": image, "question": "hi there"}), code, 400)


@pytest.mark.parametrize(
    ("question", "code"), [("", "empty_question"), ("  \n\t ", "empty_question"), ("问" * 51, "question_too_long")]
)
def test_bad_questions_through_both_routes(tight: httpx.Client, valid_png: bytes, question: str, code: str) -> None:
    b64 = base64.b64encode(valid_png).decode()
    assert_error(tight.post("/v1/chat", json={"image": b64, "question": question}), code, 400)
    files = {"image": ("a.png", valid_png, "image/png")}
    assert_error(tight.post("/chat", data={"text": question}, files=files), code, 400)


def test_missing_question_field_in_multipart(tight: httpx.Client, valid_png: bytes) -> None:
    assert_error(tight.post("/chat", files={"image": ("a.png", valid_png, "image/png")}), "empty_question", 400)


def test_no_image_and_no_session(tight: httpx.Client) -> None:
    error = assert_error(tight.post("/v1/chat", json={"question": "错误码是什么？"}), "missing_image", 400)
    assert "session_id" in error["message"]
    assert_error(tight.post("/chat", data={"text": "错误码是什么？"}), "missing_image", 400)


def test_unknown_and_malformed_json(tight: httpx.Client, valid_png: bytes) -> None:
    b64 = base64.b64encode(valid_png).decode()
    error = assert_error(
        tight.post("/v1/chat", json={"image": b64, "question": "hi", "temprature": 0.2}), "invalid_request", 400
    )
    assert "temprature" in error["message"]
    assert_error(
        tight.post("/v1/chat", content=b"{not json", headers={"Content-Type": "application/json"}),
        "invalid_request",
        400,
    )
    assert_error(tight.post("/v1/chat", json=["a", "list"]), "invalid_request", 400)


def test_body_over_the_limit_is_413_before_reading(tight: httpx.Client) -> None:
    padding = "A" * (MAX_BODY + 10)
    assert_error(tight.post("/v1/chat", json={"image": padding, "question": "hi"}), "payload_too_large", 413)
    files = {"image": ("big.png", b"\x89PNG" + bytes(MAX_BODY), "image/png")}
    assert_error(tight.post("/chat", data={"text": "hi"}, files=files), "payload_too_large", 413)


def test_unknown_session_is_404(tight: httpx.Client, valid_png: bytes) -> None:
    assert_error(tight.post("/v1/chat", json={"question": "还有呢？", "session_id": "nope"}), "unknown_session", 404)
    assert_error(
        tight.post("/chat", data={"text": "还有呢？", "session_id": "nope"}, headers={"Accept": "text/event-stream"}),
        "unknown_session",
        404,
    )


@pytest.fixture(scope="module")
def exploding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    register("exploding-test", "tests.api.exploding_engine:create")
    settings = make_settings(Path(tmp_path_factory.mktemp("exploding")), engine="exploding-test")
    with serve(create_app(settings)) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


def test_failure_after_the_stream_began_is_an_in_band_event(exploding: httpx.Client, valid_png: bytes) -> None:
    body = {"image": base64.b64encode(valid_png).decode(), "question": "错误码是什么？", "stream": True}
    with exploding.stream("POST", "/v1/chat", json=body) as response:
        assert response.status_code == 200
        events = sse_payloads(response)
    assert events[0] == {"delta": PARTIAL}
    assert events[-1]["error"]["code"] == "engine_error"
    assert events[-1]["error"]["message"]
    assert not any(e.get("done") for e in events)


def test_failure_without_streaming_is_a_json_5xx(exploding: httpx.Client, valid_png: bytes) -> None:
    body = {"image": base64.b64encode(valid_png).decode(), "question": "错误码是什么？"}
    assert_error(exploding.post("/v1/chat", json=body), "engine_error", 502)


def _chunked_upload(size: int) -> tuple[Iterator[bytes], dict[str, str]]:
    """A multipart body with a `size`-byte file, as a generator: httpx sends it chunked, without Content-Length."""
    boundary = "visdesk-test-boundary"

    def body() -> Iterator[bytes]:
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n'.encode()
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'.encode()
        yield b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n"
        yield bytes(size)
        yield f"\r\n--{boundary}--\r\n".encode()

    return body(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    ("size", "code"),
    [(2 * MAX_UPLOAD, "image_too_large"), (3 * MAX_BODY, "payload_too_large")],  # upload cap, then body cap
)
def test_chunked_uploads_without_length_are_still_capped(tight: httpx.Client, size: int, code: str) -> None:
    body, headers = _chunked_upload(size)
    response = tight.post("/chat", content=body, headers=headers)
    assert "content-length" not in response.request.headers
    assert_error(response, code, 413)
