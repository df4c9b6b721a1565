"""Wire helpers for OpenAI-compatible upstreams: SSE parsing and upstream errors → our ErrorCodes.

Why separate from the engine: the mapping is the contract operators rely on (an upstream 401 is
*our* 502, never a 401 that would tell the customer their own key is wrong), so it lives in one
small, readable table-like function.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx

from visdesk.domain import Box, Delta, Evidence, ImageInput, Source
from visdesk.errors import AppError, ErrorCode

MAX_UPSTREAM_MESSAGE = 300


def upstream_message(body: bytes) -> str:
    """The human message inside an upstream error body (OpenAI, vLLM, visdesk or plain text)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data: Any = json.loads(text)
    except ValueError:
        return text[:MAX_UPSTREAM_MESSAGE]
    if isinstance(data, dict):
        inner = data.get("error", data)
        if isinstance(inner, dict):
            message = inner.get("message") or inner.get("detail") or ""
            return str(message)[:MAX_UPSTREAM_MESSAGE]
        if isinstance(inner, str):
            return inner[:MAX_UPSTREAM_MESSAGE]
    return text[:MAX_UPSTREAM_MESSAGE]


def map_status(status: int, message: str, *, model: str, retry_after: str | None, default_retry_s: int) -> AppError:
    """An upstream HTTP error status → the AppError we raise (status chosen by code, never by text)."""
    said = f": {message}" if message else "."
    if status in (400, 413, 422):
        return AppError(ErrorCode.INVALID_REQUEST, f"The model server refused the request{said}")
    if status in (401, 403):
        return AppError(
            ErrorCode.UPSTREAM_ERROR,
            "The model server refused our credentials (auth); the operator should check VISDESK_REMOTE__API_KEY.",
        )
    if status == 404:
        return AppError(
            ErrorCode.MODEL_NOT_FOUND,
            f"The model server does not serve the model {model!r}{said} Check VISDESK_REMOTE__MODEL.",
        )
    if status == 429:
        seconds = retry_after if retry_after and retry_after.strip().isdigit() else str(default_retry_s)
        return AppError(
            ErrorCode.OVERLOADED,
            "The model server is busy; please try again shortly.",
            headers={"Retry-After": seconds},
        )
    return AppError(ErrorCode.UPSTREAM_ERROR, f"The model server failed (HTTP {status}){said}")


def is_breaker_failure(status: int) -> bool:
    """Statuses that say the upstream itself is unwell (count towards opening the breaker)."""
    return status >= 500


async def sse_payloads(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The JSON objects of an upstream `text/event-stream`, up to `data: [DONE]`."""
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue  # comments (": ping"), event names, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            return
        if not data:
            continue
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise AppError(ErrorCode.UPSTREAM_ERROR, "The model server sent a malformed stream event.") from exc
        if isinstance(payload, dict):
            yield payload


def in_band_error(payload: dict[str, Any]) -> AppError | None:
    """An error the upstream sent inside a 200 stream (vLLM, lmdeploy and visdesk all do this)."""
    error = payload.get("error")
    if error is None:
        return None
    message = error.get("message", "") if isinstance(error, dict) else str(error)
    return AppError(ErrorCode.UPSTREAM_ERROR, f"The model server failed while answering: {message}"[:400])


def visdesk_extra(extra: Any, image: ImageInput | None) -> Delta | None:
    """Evidence and sources from a visdesk upstream's `visdesk` field, boxes mapped to our original pixels.

    The upstream saw our normalised image (`image.image`), so its boxes are in that image's pixels.
    Anything malformed is ignored: evidence is a bonus, never a reason to fail an answer.
    """
    if not isinstance(extra, dict) or not isinstance(extra.get("evidence"), list):
        return None
    try:
        evidence = tuple(
            Evidence(
                text=str(item["text"]),
                box=image.to_original(_box(item["box"]), source="image")
                if image is not None and item.get("box") and len(item["box"]) == 4
                else None,
            )
            for item in extra["evidence"]
        )
        sources = tuple(
            Source(
                str(s.get("title", "")), str(s.get("section", "")), str(s.get("source", "")), str(s.get("snippet", ""))
            )
            for s in extra.get("sources") or ()
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return Delta(evidence=evidence, sources=sources)


def _box(values: Iterable[Any]) -> Box:
    """Four numbers as a Box (ValueError when there are not four; the caller checked the length)."""
    x0, y0, x1, y1 = (float(v) for v in values)
    return (x0, y0, x1, y1)
