"""Slow clients (slowloris) against the real server: headers or a body sent byte by byte are cut off
with a 408 JSON error and a closed connection, while other clients are served as usual.

Before: uvicorn had no header timeout, and the body could take as long as the client liked.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.edge.conftest import BODY_TIMEOUT_S, HEADER_TIMEOUT_S


def connect(base_url: str) -> socket.socket:
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=15)
    return sock


def trickle(sock: socket.socket, data: bytes, every_s: float, stop: threading.Event) -> None:
    """Send `data` one byte at a time until it is sent, the server closes, or `stop` is set."""
    for byte in data:
        if stop.is_set():
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return
        time.sleep(every_s)


def read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes) -> tuple[int, dict[str, str], dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, json.loads(body)


def served_meanwhile(base_url: str, seconds: float) -> list[float]:
    """/healthz latencies (ms) on a fresh client while the slow client holds its connection."""
    latencies = []
    with httpx.Client(base_url=base_url, timeout=5) as client:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.1)
    return latencies


@pytest.mark.parametrize("path", ["/v1/chat", "/healthz"])
def test_headers_sent_byte_by_byte_get_408_and_a_closed_connection(edge_server: str, path: str) -> None:
    sock = connect(edge_server)
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Padding: " + "p" * 200).encode()
    stop = threading.Event()
    sender = threading.Thread(target=trickle, args=(sock, head, 0.05, stop), daemon=True)
    started = time.monotonic()
    sender.start()
    try:
        latencies = served_meanwhile(edge_server, HEADER_TIMEOUT_S * 0.8)
        raw = read_until_closed(sock)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        sock.close()
    status, headers, body = parse(raw)
    assert status == 408 and headers["connection"] == "close"
    assert body["error"]["code"] == "request_timeout"
    assert body["error"]["details"] == {"header_timeout_s": HEADER_TIMEOUT_S}
    assert HEADER_TIMEOUT_S * 0.9 <= elapsed < HEADER_TIMEOUT_S + 3, elapsed
    assert max(latencies) < 500, latencies


def test_a_connection_that_sends_nothing_is_closed_silently(edge_server: str) -> None:
    sock = connect(edge_server)
    started = time.monotonic()
    try:
        raw = read_until_closed(sock)
    finally:
        sock.close()
    assert raw == b""
    assert time.monotonic() - started < HEADER_TIMEOUT_S + 3


def test_idle_keep_alive_connections_are_not_sent_an_unasked_408(edge_server: str) -> None:
    """Between requests uvicorn's keep-alive timeout applies (silent close), never a stray 408."""
    with httpx.Client(base_url=edge_server, timeout=5) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(HEADER_TIMEOUT_S + 0.5)
        assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/chat", "application/json"), ("/chat", "multipart/form-data; boundary=B")],
)
def test_a_body_sent_byte_by_byte_gets_408(edge_server: str, path: str, content_type: str) -> None:
    body = b'{"question": "' + b"q" * 500 + b'"}' if "json" in content_type else b"--B\r\n" + b"x" * 500
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock = connect(edge_server)
    sock.sendall(head)
    stop = threading.Event()
    sender = threading.Thread(target=trickle, args=(sock, body, 0.05, stop), daemon=True)
    started = time.monotonic()
    sender.start()
    try:
        latencies = served_meanwhile(edge_server, BODY_TIMEOUT_S * 0.8)
        raw = read_until_closed(sock)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        sock.close()
    status, headers, payload = parse(raw)
    assert status == 408 and headers["connection"] == "close", raw[:300]
    assert payload["error"]["code"] == "request_timeout"
    assert "did not arrive within" in payload["error"]["message"]
    assert BODY_TIMEOUT_S * 0.9 <= elapsed < BODY_TIMEOUT_S + 3, elapsed
    assert max(latencies) < 500, latencies
