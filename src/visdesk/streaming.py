"""Pipeline events → the transports: one JSON object, SSE events, or (in api/openai) chunks.

Once a 200 stream has begun, errors go in-band as `data: {"error": {...}}` (after lmdeploy).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from visdesk.domain import Answer, Delta, Evidence, Recommendation, Source
from visdesk.errors import AppError, ErrorCode

log = logging.getLogger("visdesk.streaming")


def evidence_json(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"text": e.text, "box": [round(v, 1) for v in e.box] if e.box else None} for e in evidence]


def sources_json(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    return [{"title": s.title, "section": s.section, "source": s.source, "snippet": s.snippet} for s in sources]


def recommendations_json(recommendations: tuple[Recommendation, ...]) -> list[dict[str, Any]]:
    return [
        {"sku": r.sku, "name": r.name, "price": r.price, "image_url": r.image_url, "reason": r.reason}
        for r in recommendations
    ]


def answer_json(answer: Answer) -> dict[str, Any]:
    """The response object of /chat and /v1/chat (and the `done` event of their streams)."""
    return {
        "answer": answer.answer,
        "evidence": evidence_json(answer.evidence),
        "sources": sources_json(answer.sources),
        "session_id": answer.session_id,
        "message_id": answer.message_id,
        "engine": answer.engine,
        "cached": answer.cached,
        "latency_ms": answer.latency_ms,
        "language": answer.language,
        "mode": answer.mode.value,
        "level": answer.level.value,
        "finish_reason": answer.finish_reason,
        "structured": answer.structured,
        "recommendations": recommendations_json(answer.recommendations),
        "reasoning": answer.reasoning or None,
    }


async def collect(events: AsyncIterator[Delta | Answer]) -> Answer:
    """Drain a pipeline stream and return its final Answer."""
    final: Answer | None = None
    async for event in events:
        if isinstance(event, Answer):
            final = event
    if final is None:
        raise AppError(ErrorCode.INTERNAL, "The pipeline ended without an answer.")
    return final


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def sse_events(events: AsyncIterator[Delta | Answer]) -> AsyncIterator[str]:
    """{"delta"} events as text arrives, one {"evidence"} event, then {"done": true, ...answer}."""
    evidence_sent = False
    try:
        async for event in events:
            if isinstance(event, Answer):
                if not evidence_sent:
                    yield sse({"evidence": evidence_json(event.evidence)})
                yield sse({"done": True, **answer_json(event)})
            else:
                if event.text:
                    yield sse({"delta": event.text})
                if event.evidence is not None and not evidence_sent:
                    yield sse({"evidence": evidence_json(event.evidence)})
                    evidence_sent = True
    except AppError as exc:
        yield sse(exc.to_dict())
    except Exception:
        log.exception("stream failed")
        yield sse(AppError(ErrorCode.INTERNAL, "The answer stream failed; please try again.").to_dict())
