"""The one orchestrator: Ask → intake → cache → safety → load → perception → knowledge → engine.

It yields the engine's Delta events as they come and ends with one Answer. Every transport
(JSON, SSE, OpenAI chunks, CLI, Python API) consumes this same stream, so caching, safety,
evidence and history behave identically whichever way a question arrives.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable
from dataclasses import asdict, replace
from typing import Any, TypeVar

from visdesk import images as image_intake
from visdesk.domain import (
    Answer,
    Ask,
    Delta,
    EngineRequest,
    Evidence,
    Grounding,
    ImageInput,
    Language,
    LoadLevel,
    Mode,
    Query,
    Recommendation,
    Source,
    Turn,
    Upload,
)
from visdesk.errors import AppError, ErrorCode
from visdesk.exact_memo import ExactMemo
from visdesk.ids import time_ordered_id
from visdesk.input_contract import checked_ask
from visdesk.observability import LogDigest, log_request
from visdesk.request_memo import CachedReply, RequestMemo, replay
from visdesk.services import Services

log = logging.getLogger("visdesk.pipeline")
T = TypeVar("T")

CANNED_BUSY = {
    "zh": "正在为您查询，请稍候。当前咨询人数较多，我们会尽快回复您。",
    "en": "We're looking into it — lots of customers are asking right now. Please hold on a moment.",
}


def _session_image_id(history: tuple[Turn, ...]) -> str | None:
    """The content id of the session's latest image (follow-ups without an image reuse it)."""
    return next((turn.image_content_id for turn in reversed(history) if turn.image_content_id), None)


_MODE_AT = {LoadLevel.NORMAL: Mode.QUALITY, LoadLevel.HIGH: Mode.FAST, LoadLevel.EXTREME: Mode.FAST}


def _query(
    ask: Ask,
    question: str,
    image: ImageInput | None,
    language: Language,
    mode: Mode,
    session_id: str,
    history: tuple[Turn, ...],
) -> Query:
    return Query(
        question=question,
        image=image,
        language=language,
        options=replace(ask.options, mode=mode),
        session_id=session_id,
        history=history,
        request_id=ask.request_id,
        client=ask.client,
        owner=ask.owner,
    )


class Pipeline:
    def __init__(self, services: Services) -> None:
        self.services = services
        # Uploads seen before → their content id: the same upload again (a cache hit, a retry) skips decoding.
        self._uploads: ExactMemo[str] = ExactMemo(max_entries=256, max_size=64 * 1024 * 1024)
        self._digest = LogDigest(services.settings.observability.log_digest_secret)  # keyed: see observability
        self._memo = RequestMemo(services, self._digest)  # pure functions of what was sent (a hit repeats them)

    def _seen_upload(self, upload: Upload) -> ImageInput | None:
        """The decoded image for an upload sent before, while the image store still holds it."""
        content_id = self._uploads.get(upload.sent, upload.decode)
        return self.services.images.get(content_id) if content_id else None

    @property
    def engine_name(self) -> str:
        return self.services.engine.name

    async def answer(self, ask: Ask) -> AsyncGenerator[Delta | Answer, None]:
        """Stream the answer to `ask`: Delta events, then exactly one Answer. Raises AppError."""
        s = self.services
        started = time.perf_counter()
        record: dict[str, object] = {
            "request_id": ask.request_id,
            "route": ask.route,
            "engine": s.engine.name,
            "client": ask.client,
        }
        status = "ok"
        first_token: float | None = None
        answer: Answer | None = None
        try:
            memo = self._memo
            ask = checked_ask(ask, s.settings.limits, memo.checked_options)  # ids, turns, options: 400 before any work
            question, record["question_hmac"], language = memo.question(ask.question)
            session_id, history = await self._session(ask.session_id, ask.owner)
            if not ask.session_id and ask.history:  # client-held conversation (OpenAI API)
                history = ask.history[-s.settings.history.max_turns :]
            upload = ask.upload or (Upload(ask.image_bytes) if ask.image_bytes is not None else None)
            image = await self._image(upload, history)
            record["image_id"] = image.content_id[:16] if image else None
            options_key = memo.options_key(ask.options)
            # Cache hits skip the load queue: they cost a lookup, and under overload they still get real answers.
            # A quality answer already cached is served even under load; fast ones only when load asks for fast.
            level_now = s.governor.level
            fast_only = ask.options.mode is Mode.FAST
            modes = [Mode.FAST] if fast_only else [Mode.QUALITY, Mode.FAST][: 1 + (_MODE_AT[level_now] is Mode.FAST)]
            hit, wanted, key = None, modes[0], ""
            for wanted in modes:
                key = memo.cache_key(image, question, wanted, options_key, history)
                hit = await s.cache.get(key)
                if hit is not None:
                    break
            s.metrics.cache_event(hit is not None)
            record["cached"] = hit is not None
            if hit is not None:
                record.update(load_level=level_now.value, mode=wanted.value)
                query = _query(ask, question, image, language, wanted, session_id, history)
                cached = memo.cached_reply(key, hit)
                answer = self._from_cache(hit, cached, query, started, level_now)
                for delta in cached.deltas:
                    first_token = first_token or time.perf_counter()
                    yield delta
                yield Delta(evidence=answer.evidence, sources=answer.sources)
                await s.history.record(query, answer, image)
                yield answer
                return
            deadline = started + s.settings.load.request_timeout_s  # time waiting in the queue counts too
            async with s.governor.admit(ask.client, deadline=deadline) as ticket:
                mode = Mode.FAST if Mode.FAST in (ticket.mode, ask.options.mode) else Mode.QUALITY
                record.update(load_level=ticket.level.value, mode=mode.value)
                query = _query(ask, question, image, language, mode, session_id, history)
                if ticket.level is LoadLevel.EXTREME:
                    # Only web clients reach here at EXTREME (API clients got a 503 from admit()).
                    async for event in self._canned(query, started, ticket.level):
                        yield event
                    return
                answer = None
                async for event in self._generate(query, mode, started, ticket.level):
                    if isinstance(event, Answer):
                        answer = event
                    else:
                        if event.text and first_token is None:
                            first_token = time.perf_counter()
                        yield event
                assert answer is not None
                if answer.finish_reason != "cancelled":
                    await s.cache.set(memo.cache_key(image, question, mode, options_key, history), _to_cache(answer))
            # Outside the slot: slots bound engine work; the history store has its own pool.
            await s.history.record(query, answer, image)
            yield answer
        except AppError as exc:
            status = exc.code.value
            record["http_status"] = exc.status
            raise
        except (asyncio.CancelledError, GeneratorExit):
            status = "cancelled"
            raise
        except Exception:
            status = ErrorCode.INTERNAL.value
            log.exception("pipeline failed")
            raise
        finally:
            elapsed = time.perf_counter() - started
            record.setdefault("http_status", {"ok": 200, "cancelled": 499}.get(status, 500))
            record.update(
                status=status,
                latency_ms=round(elapsed * 1000, 1),
                ttft_ms=round((first_token - started) * 1000, 1) if first_token else None,
            )
            log_request(record)

    async def _session(self, session_id: str | None, owner: str) -> tuple[str, tuple[Turn, ...]]:
        """A follow-up reads only `owner`'s own session (another principal's is UNKNOWN_SESSION, like a missing one)."""
        s = self.services
        if session_id:
            return session_id, await s.history.turns(session_id, s.settings.history.max_turns, owner=owner)
        return await s.history.new_session_id(owner=owner), ()

    async def _image(self, upload: Upload | None, history: tuple[Turn, ...]) -> ImageInput | None:
        """Decode a new image (an upload seen before is known as sent, undecoded), or reuse the
        session's latest image for a follow-up question."""
        s = self.services
        if upload is not None:
            image = self._seen_upload(upload)
            if image is None:
                data = upload.decode(upload.sent)
                image = await asyncio.to_thread(image_intake.intake, data, s.settings.images)
                self._uploads.put(upload.sent, image.content_id, upload.decode)
            await s.safety.check_image(image)
            s.images.put(image)
            return image
        content_id = _session_image_id(history)
        if content_id is None:
            return None
        # Memory first; after a restart or on another replica, the copy kept by history.store_images.
        image = s.images.get(content_id) or await s.history.load_image(content_id)
        if image is not None:
            s.images.put(image)
            return image
        if s.perceiver.cached(content_id) is not None:
            return None  # _generate answers from what was seen in it
        raise AppError(
            ErrorCode.MISSING_IMAGE,
            "The image from earlier in this conversation is no longer available; please send it again "
            "with your question.",
        )

    async def _generate(
        self, query: Query, mode: Mode, started: float, level: LoadLevel
    ) -> AsyncIterator[Delta | Answer]:
        s = self.services
        deadline = started + s.settings.load.request_timeout_s
        seen = None
        if query.image is not None and s.engine.capabilities.needs_ocr:
            cached = s.perceiver.cached(query.image.content_id)
            seen = cached or await _within(s.perceiver.see(query.image), deadline)
        elif query.image is None and (content_id := _session_image_id(query.history)):
            seen = s.perceiver.cached(content_id)  # the session's image is gone, but what was seen in it is not
        passages = await asyncio.to_thread(s.knowledge.search, query, seen, s.settings.knowledge.top_k)
        grounding = Grounding(seen=seen, passages=tuple(passages), untrusted_flags=s.safety.untrusted_flags(seen))
        request = EngineRequest(query=query, grounding=grounding, mode=mode)

        parts: list[str] = []
        evidence: tuple[Evidence, ...] = ()
        sources: tuple[Source, ...] = ()
        structured = None
        finish = "stop"
        usage = None
        recommendations: tuple[Recommendation, ...] = ()
        reasoning: list[str] = []
        stream = s.engine.stream(request)
        try:
            while True:
                try:
                    delta = await _within(anext(stream), deadline)
                except StopAsyncIteration:
                    break
                parts.append(delta.text)
                reasoning.append(delta.reasoning)
                evidence = delta.evidence if delta.evidence is not None else evidence
                sources = delta.sources if delta.sources is not None else sources
                structured = delta.structured if delta.structured is not None else structured
                finish = delta.finish_reason or finish
                usage = delta.usage or usage
                recommendations = delta.recommendations if delta.recommendations is not None else recommendations
                yield delta
        except AppError:
            raise
        except Exception as exc:
            s.metrics.engine_error(s.engine.name)
            log.exception("engine %s failed", s.engine.name)
            raise AppError(ErrorCode.ENGINE_ERROR, f"The {s.engine.name} engine failed to answer.") from exc
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        answer = self._answer(
            query, "".join(parts), evidence, sources, started, level, mode, structured, finish, usage,
            recommendations=recommendations,
        )  # fmt: skip
        yield replace(answer, reasoning="".join(reasoning)) if any(reasoning) else answer

    async def _canned(self, query: Query, started: float, level: LoadLevel) -> AsyncIterator[Delta | Answer]:
        text = CANNED_BUSY[query.language]
        for delta in replay(text):
            yield delta
        yield self._answer(query, text, (), (), started, level, Mode.FAST, None, "overloaded", None)

    def _answer(
        self,
        query: Query,
        text: str,
        evidence: tuple[Evidence, ...],
        sources: tuple[Source, ...],
        started: float,
        level: LoadLevel,
        mode: Mode,
        structured: dict[str, Any] | None,
        finish: str,
        usage: dict[str, int] | None,
        cached: bool = False,
        recommendations: tuple[Recommendation, ...] = (),
    ) -> Answer:
        return Answer(
            answer=text,
            evidence=evidence,
            sources=sources,
            engine=self.services.engine.name,
            session_id=query.session_id or "",
            message_id=time_ordered_id(),
            cached=cached,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            language=query.language,
            mode=mode,
            level=level,
            structured=structured,
            finish_reason=finish,
            usage=usage,
            image_content_id=query.image.content_id if query.image else None,
            recommendations=recommendations,
        )

    def _from_cache(
        self, hit: dict[str, Any], cached: CachedReply, query: Query, started: float, level: LoadLevel
    ) -> Answer:
        return self._answer(
            query, hit["answer"], cached.evidence, cached.sources, started, level, Mode(hit["mode"]),
            hit.get("structured"), hit.get("finish_reason", "stop"), None, cached=True,
            recommendations=cached.recommendations,
        )  # fmt: skip


def _to_cache(answer: Answer) -> dict[str, Any]:
    return {
        "answer": answer.answer,
        "evidence": [{"text": e.text, "box": list(e.box) if e.box else None} for e in answer.evidence],
        "sources": [
            {"title": s.title, "section": s.section, "source": s.source, "snippet": s.snippet} for s in answer.sources
        ],
        "mode": answer.mode.value,
        "structured": answer.structured,
        "finish_reason": answer.finish_reason,
        "recommendations": [asdict(r) for r in answer.recommendations],
    }


async def _within(awaitable: Awaitable[T], deadline: float) -> T:
    """Await with the request's remaining time; past the deadline raise a TIMEOUT AppError."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise AppError(ErrorCode.TIMEOUT, "The answer took too long; please try again.")
    try:
        return await asyncio.wait_for(awaitable, remaining)
    except TimeoutError as exc:
        raise AppError(ErrorCode.TIMEOUT, "The answer took too long; please try again.") from exc
