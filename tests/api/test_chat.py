"""/chat (multipart) and /v1/chat (JSON) on the real app over loopback: answers, evidence, SSE, sessions."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.api.dialog import CODE, code_box, overlaps
from tests.api.sse import sse_payloads


@pytest.fixture(scope="module")
def client(embedded_server: str) -> httpx.Client:
    with httpx.Client(base_url=embedded_server, timeout=60) as http:
        yield http


def assert_grounded(body: dict) -> None:
    assert CODE in body["answer"]
    boxes = [e["box"] for e in body["evidence"] if e["box"]]
    assert any(overlaps(box, code_box()) for box in boxes), (boxes, code_box())
    assert body["session_id"] and body["message_id"]
    assert body["latency_ms"] >= 0
    assert body["language"] == "zh"


def test_multipart_chat_answers_from_the_image(client: httpx.Client, dialog_png: bytes) -> None:
    response = client.post(
        "/chat", data={"text": "错误码是什么？"}, files={"image": ("dialog.png", dialog_png, "image/png")}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert_grounded(response.json())


def test_json_chat_answers_from_a_data_url(client: httpx.Client, dialog_png: bytes) -> None:
    url = "data:image/png;base64," + base64.b64encode(dialog_png).decode()
    response = client.post("/v1/chat", json={"image": url, "question": "错误码是什么？"})
    assert response.status_code == 200, response.text
    assert_grounded(response.json())


def test_spoofed_extension_and_content_type_are_judged_by_the_bytes(client: httpx.Client, dialog_png: bytes) -> None:
    response = client.post(
        "/chat", data={"text": "错误码是什么？"}, files={"image": ("photo.jpg", dialog_png, "image/jpeg")}
    )
    assert response.status_code == 200, response.text
    assert CODE in response.json()["answer"]


@pytest.mark.parametrize("how", ["flag", "accept"])
def test_json_chat_streams_deltas_evidence_then_done(client: httpx.Client, dialog_png: bytes, how: str) -> None:
    body = {"image": base64.b64encode(dialog_png).decode(), "question": "错误码是什么？"}
    headers = {}
    if how == "flag":
        body["stream"] = True
    else:
        headers["Accept"] = "text/event-stream"
    with client.stream("POST", "/v1/chat", json=body, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_payloads(response)
    deltas = [e["delta"] for e in events if "delta" in e]
    evidence = [e["evidence"] for e in events if "evidence" in e and "done" not in e]
    done = [e for e in events if e.get("done")]
    assert deltas and len(evidence) == 1 and len(done) == 1
    assert events[-1] is done[0]  # done is the last event
    assert "".join(deltas) == done[0]["answer"]
    assert_grounded(done[0])
    assert evidence[0] == done[0]["evidence"]


def test_multipart_stream_and_follow_up_in_the_same_session(client: httpx.Client, dialog_png: bytes) -> None:
    files = {"image": ("dialog.png", dialog_png, "image/png")}
    with client.stream(
        "POST", "/chat", data={"text": "错误码是什么？", "client": "web"}, files=files,
        headers={"Accept": "text/event-stream"},
    ) as response:  # fmt: skip
        assert response.status_code == 200
        first = sse_payloads(response)[-1]
    assert first["done"] and CODE in first["answer"]
    # the follow-up sends no image: the session's image is reused
    follow_up = client.post("/chat", data={"text": "订单号是多少？", "session_id": first["session_id"]})
    assert follow_up.status_code == 200, follow_up.text
    body = follow_up.json()
    assert body["session_id"] == first["session_id"]
    assert body["message_id"] != first["message_id"]
    assert "7731" in body["answer"]


def test_multipart_stream_flag_in_the_form(client: httpx.Client, dialog_png: bytes) -> None:
    files = {"image": ("dialog.png", dialog_png, "image/png")}
    with client.stream("POST", "/chat", data={"text": "错误码是什么？", "stream": "true"}, files=files) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_payloads(response)
    assert events[-1]["done"] and CODE in events[-1]["answer"]


def test_readyz_names_the_engine_and_the_ocr_runtime(client: httpx.Client) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["engine"] == "embedded"
    assert body["ocr_runtime"] == "onnxruntime" or body["ocr_runtime"].startswith("openvino/")
