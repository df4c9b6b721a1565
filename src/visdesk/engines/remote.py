"""Remote engine: any OpenAI-compatible server (vLLM, SGLang, LMDeploy, Ollama, another visdesk).

Why stream always: the customer sees the first words as soon as the upstream produces them, and a
client that goes away closes the upstream response (the upstream stops generating). Connect
errors are retried with exponential backoff *before* anything streamed; a circuit breaker turns a
dead upstream into an immediate ENGINE_UNAVAILABLE instead of a queue of slow timeouts.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx

from visdesk.domain import Delta, EngineRequest, Evidence, Grounding, ImageInput, Mode
from visdesk.engines.base import Capabilities
from visdesk.engines.circuit_breaker import CircuitBreaker
from visdesk.engines.constraints import check_reply, upstream_fields
from visdesk.engines.glm_output import GlmOutputParser, answer_evidence, box_only_answer
from visdesk.engines.prompt import build_messages
from visdesk.engines.remote_client import (
    in_band_error,
    is_breaker_failure,
    map_status,
    sse_payloads,
    upstream_message,
    visdesk_extra,
)
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import RemoteSettings, Settings

log = logging.getLogger("visdesk.engines.remote")

_CONNECT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)


def image_data_url(image: ImageInput) -> str:
    """The normalised image as a JPEG data URL (small, and every OpenAI-compatible server reads it)."""
    buffer = io.BytesIO()
    image.image.save(buffer, format="JPEG", quality=92)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class RemoteEngine:
    name = "remote"
    capabilities = Capabilities(streaming=True, sees_pixels=True, needs_ocr=True)

    def __init__(self, settings: Settings, base_url: str) -> None:
        self.settings: RemoteSettings = settings.remote
        self.base_url = (base_url or settings.remote.base_url).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise AppError(
                ErrorCode.ENGINE_UNAVAILABLE,
                "The remote engine needs the server's base URL: engine 'remote:http://host:8000/v1' "
                "or VISDESK_REMOTE__BASE_URL.",
            )
        self.model = self.settings.model
        self.default_retry_s = settings.load.retry_after_s
        self.breaker = CircuitBreaker(self.settings.breaker_failures, self.settings.breaker_reset_s)
        if not self.settings.send_grounding:  # the upstream reads the image itself: skip our OCR
            self.capabilities = Capabilities(streaming=True, sees_pixels=True, needs_ocr=False)
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        s = self.settings
        headers = {"Authorization": f"Bearer {s.api_key}"} if s.api_key else {}
        timeout = httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s, pool=s.connect_timeout_s)
        self._client = httpx.AsyncClient(base_url=self.base_url + "/", headers=headers, timeout=timeout)
        if not self.model:
            try:
                self.model = await self._discover_model()
            except AppError as exc:  # the upstream may start later; the first request asks again
                log.warning("remote model discovery failed: %s", exc.message)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def ready(self) -> bool:
        return self._client is not None

    async def _discover_model(self) -> str:
        """The first model id of the server's GET /models (asked once; vLLM etc. serve one model)."""
        response = await self._send(self._require_client().build_request("GET", "models"))
        try:
            body = await response.aread()
            if response.status_code >= 400:
                raise self._status_error(response, body)
            models = [m.get("id") for m in json.loads(body).get("data", []) if isinstance(m, dict)]
        except (ValueError, AttributeError) as exc:
            raise AppError(ErrorCode.UPSTREAM_ERROR, "The model server's /models reply is not valid JSON.") from exc
        finally:
            await response.aclose()
        if not models or not models[0]:
            raise AppError(ErrorCode.MODEL_NOT_FOUND, "The model server lists no models; set VISDESK_REMOTE__MODEL.")
        log.info("remote model discovered: %s", models[0])
        return str(models[0])

    def _require_client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise AppError(ErrorCode.ENGINE_UNAVAILABLE, "The remote engine is not started.")
        return self._client

    def payload(self, request: EngineRequest, data_url: str | None) -> dict[str, Any]:
        """The upstream Chat Completions body for one request.

        Mode → length and temperature; the constraint in the server kind's own fields (see
        engines.constraints); on vLLM/SGLang GLM's thinking switch (`chat_template_kwargs.enable_thinking`,
        off by default: the GLM-V README's way to disable thinking on both servers).
        """
        s, options = self.settings, request.query.options
        placeholder = {"type": "image_url", "image_url": {"url": data_url}} if data_url else None
        fast = request.mode is Mode.FAST
        if not s.send_grounding:
            request = replace(request, grounding=Grounding(seen=None))
        body: dict[str, Any] = {
            **s.extra_body,  # server-specific switches; the fields below win
            "model": self.model,
            "messages": build_messages(request, image_placeholder=placeholder),
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": options.max_new_tokens or (s.fast_max_tokens if fast else s.max_tokens),
            "temperature": options.temperature if options.temperature is not None else (0.0 if fast else s.temperature),
        }
        if s.server_kind in ("vllm", "sglang"):
            body["chat_template_kwargs"] = {
                "enable_thinking": s.enable_thinking,
                **(s.extra_body.get("chat_template_kwargs") or {}),
            }
        if options.stop:
            body["stop"] = list(options.stop)
        body.update(upstream_fields(options, s.server_kind))
        return body

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        if not self.breaker.allow():
            raise AppError(
                ErrorCode.ENGINE_UNAVAILABLE,
                "The model server is unavailable (it failed repeatedly); please try again shortly.",
                headers={"Retry-After": str(self.breaker.retry_after_s())},
            )
        outcome_recorded = False
        try:
            if not self.model:
                self.model = await self._discover_model()
            image = request.query.image
            data_url = await asyncio.to_thread(image_data_url, image) if image is not None else None
            client = self._require_client()
            http_request = client.build_request("POST", "chat/completions", json=self.payload(request, data_url))
            response = await self._send(http_request)
            try:
                # Any reply but a 5xx shows the upstream is alive (a 4xx is about this request).
                if is_breaker_failure(response.status_code):
                    self.breaker.record_failure()
                else:
                    self.breaker.record_success()
                outcome_recorded = True
                if response.status_code >= 400:
                    raise self._status_error(response, await response.aread())
                async for delta in self._deltas(response, request):
                    yield delta
            finally:
                await response.aclose()
        except AppError as exc:
            if not outcome_recorded and exc.code in (ErrorCode.ENGINE_UNAVAILABLE, ErrorCode.TIMEOUT):
                self.breaker.record_failure()
                outcome_recorded = True
            raise
        except httpx.TimeoutException as exc:
            if not outcome_recorded:
                self.breaker.record_failure()
                outcome_recorded = True
            raise AppError(ErrorCode.TIMEOUT, "The model server took too long to answer; please try again.") from exc
        except httpx.TransportError as exc:
            if not outcome_recorded:
                self.breaker.record_failure()
                outcome_recorded = True
            raise AppError(ErrorCode.UPSTREAM_ERROR, "The connection to the model server was lost.") from exc
        finally:
            if not outcome_recorded:
                self.breaker.release()

    async def _send(self, http_request: httpx.Request) -> httpx.Response:
        """Send with bounded retries on connect errors only (nothing has streamed yet, so it is safe)."""
        client = self._require_client()
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            try:
                return await client.send(http_request, stream=True)
            except _CONNECT_ERRORS as exc:
                if attempt + 1 >= attempts:
                    log.warning("remote upstream unreachable after %d attempts", attempts)
                    raise AppError(
                        ErrorCode.ENGINE_UNAVAILABLE,
                        "The model server cannot be reached; please try again shortly.",
                        headers={"Retry-After": str(self.default_retry_s)},
                    ) from exc
                await asyncio.sleep(self.settings.retry_backoff_s * 2**attempt)
        raise AssertionError("unreachable")

    def _status_error(self, response: httpx.Response, body: bytes) -> AppError:
        return map_status(
            response.status_code,
            upstream_message(body),
            model=self.model,
            retry_after=response.headers.get("retry-after"),
            default_retry_s=self.default_retry_s,
        )

    async def _deltas(self, response: httpx.Response, request: EngineRequest) -> AsyncIterator[Delta]:
        """Upstream chunks → Delta pieces, GLM markup parsed out (engines.glm_output) as they stream.

        Thinking arrives in `content` (`<think>…</think>`) or, with vLLM/SGLang's `--reasoning-parser
        glm45`, in `reasoning` (vLLM ≥ 0.12) / `reasoning_content` deltas: never answer text, kept
        only when `keep_reasoning` asks. Usage, finish_reason and a visdesk upstream's evidence pass through.
        """
        image, keep = request.query.image, self.settings.keep_reasoning
        parser = GlmOutputParser()
        finish = "stop"
        upstream_evidence: tuple[Evidence, ...] = ()
        async for payload in sse_payloads(response):
            error = in_band_error(payload)
            if error is not None:
                raise error
            extra = visdesk_extra(payload.get("visdesk"), image)
            if extra is not None:
                upstream_evidence = extra.evidence or ()
                yield extra
            usage = payload.get("usage")
            for choice in payload.get("choices") or ():
                delta = choice.get("delta") or {}
                finish = choice.get("finish_reason") or finish
                thought = delta.get("reasoning") or delta.get("reasoning_content") or ""
                piece = parser.feed(str(delta.get("content") or ""))
                if piece.text or (keep and (piece.reasoning or thought)):
                    yield Delta(text=piece.text, reasoning=piece.reasoning + str(thought) if keep else "")
            if isinstance(usage, dict) and "completion_tokens" in usage:
                yield Delta(usage={k: int(v) for k, v in usage.items() if isinstance(v, int)})
        tail = parser.finish()
        if tail.text or (keep and tail.reasoning):
            yield Delta(text=tail.text, reasoning=tail.reasoning if keep else "")
        seen = request.grounding.seen if self.settings.send_grounding else None
        own = answer_evidence(parser, image, seen)
        answer = parser.answer
        if not answer and parser.boxes and own:  # the reply was only a box: say what it marks
            answer = box_only_answer(own, request.query.language)
            yield Delta(text=answer)
        named = {e.text for e in upstream_evidence}
        evidence = upstream_evidence + tuple(e for e in own if e.text not in named) if own else None
        yield Delta(finish_reason=finish, evidence=evidence, structured=check_reply(answer, request.query.options))


def create(settings: Settings, argument: str) -> RemoteEngine:
    return RemoteEngine(settings, argument)
