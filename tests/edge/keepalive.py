"""Helpers of the edge tests: the JSON error body, and proof that a keep-alive connection survived."""

from __future__ import annotations

from typing import Any

import httpx


def local_port(response: httpx.Response) -> int:
    """The client-side port of the connection that carried `response` (same port = same connection)."""
    stream = response.extensions["network_stream"]
    return int(stream.get_extra_info("socket").getsockname()[1])


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error object of a JSON 4xx response (ours or OpenAI's shape), after checking the status."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    assert isinstance(error, dict) and error.get("message"), error
    return error


def assert_connection_survives(client: httpx.Client, before: httpx.Response) -> None:
    """A follow-up request on the same client answers 200 over the same TCP connection."""
    port = local_port(before)
    after = client.get("/healthz")
    assert after.status_code == 200, after.text
    assert local_port(after) == port, "the server closed the keep-alive connection after the bad request"
