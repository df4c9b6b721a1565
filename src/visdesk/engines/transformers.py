"""Transformers VLM engine: GLM-4.6V-Flash (or any AutoModelForImageTextToText model) from disk.

Spec: `transformers` (settings.transformers.model) or `transformers:<model id or local dir>`.
The model sees the image itself plus the shared Grounding (OCR hints and knowledge passages,
fenced as untrusted data by engines.prompt). Modes:

- fast: greedy, streamed token by token, at most `fast_max_new_tokens`; batched with other
  concurrent greedy requests.
- quality: beam search with `num_beams` (the answer arrives in one piece at the end: beams cannot
  stream); with `num_beams <= 1` quality is streamed, batched greedy with `max_new_tokens`.

Generation runs on one worker thread (engines.hf.batching); closing the async stream (client gone,
deadline passed) marks the job cancelled and its row stops at the next token.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from visdesk.domain import Delta, EngineRequest, Mode, Source
from visdesk.engines.base import Capabilities
from visdesk.engines.constraints import check_reply, compiled_regex, schema_of
from visdesk.engines.glm_output import THINK_BEGIN, GlmOutputParser, answer_evidence, box_only_answer
from visdesk.engines.hf.batching import Batcher
from visdesk.engines.hf.generation import GenerationStats, Generator, Job
from visdesk.engines.hf.loading import LoadedModel, load_model, resolve_model_dir, weights_available
from visdesk.engines.prompt import build_messages
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import Settings


class TransformersEngine:
    name = "transformers"
    capabilities = Capabilities(streaming=True, sees_pixels=True, beams=True, batching=True, needs_ocr=True)

    def __init__(self, settings: Settings, model: str, *, loaded: LoadedModel | None = None) -> None:
        """`loaded` lets a caller hand over a model already in memory (benchmarks); otherwise start() loads it."""
        self.settings = settings
        self.config = settings.transformers
        self.model_name = model
        self.loaded = loaded
        self.generator: Generator | None = None
        self._batcher: Batcher | None = None

    async def start(self) -> None:
        if self.loaded is None:
            self.loaded = await asyncio.to_thread(load_model, self.config, self.model_name)
        self.generator = Generator(self.loaded)
        self._batcher = Batcher(
            self.generator.run, batch_size=self.config.batch_size, wait_s=self.config.batch_wait_ms / 1000
        )
        self._batcher.start()

    async def close(self) -> None:
        if self._batcher is not None:
            await asyncio.to_thread(self._batcher.close)
            self._batcher = None

    def ready(self) -> bool:
        return self._batcher is not None

    @property
    def stats(self) -> GenerationStats:
        if self.generator is None:
            raise AppError(ErrorCode.ENGINE_UNAVAILABLE, "The transformers engine is not started.")
        return self.generator.stats

    def render_prompt(self, request: EngineRequest) -> str:
        """The chat-template text for `request` (image slot included), exactly as the tokenizer receives it."""
        assert self.loaded is not None
        image = request.query.image
        placeholder = {"type": "image", "image": image.image} if image is not None else None
        messages = build_messages(request, image_placeholder=placeholder)
        prompt: Any = self.loaded.processor.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=False, enable_thinking=self.config.enable_thinking
        )
        return prompt if isinstance(prompt, str) else prompt[0]

    def make_job(self, request: EngineRequest) -> Job:
        """Generation parameters for the request's mode (see the module docstring)."""
        options = request.query.options
        schema_of(options), compiled_regex(options)  # a bad schema or pattern is a 400 before any generation
        fast = request.mode is Mode.FAST
        limit = self.config.fast_max_new_tokens if fast else self.config.max_new_tokens
        if options.max_new_tokens:
            limit = min(limit, options.max_new_tokens)
        beams = 1 if fast else max(1, self.config.num_beams)
        image = request.query.image
        return Job(
            prompt=self.render_prompt(request),
            image=image.image if image is not None else None,
            max_new_tokens=limit,
            num_beams=beams,
            stop=tuple(options.stop),
        )

    async def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        if self._batcher is None:
            raise AppError(ErrorCode.ENGINE_UNAVAILABLE, "The transformers engine is not started.")
        job = self.make_job(request)
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def emit(item: tuple[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(events.put_nowait, item)
            except RuntimeError:  # the loop is gone (client and server left); nothing to deliver to
                job.cancelled.set()

        job.emit = emit
        keep = self.config.keep_reasoning
        # GLM markup (boxes, thinking) is parsed out as it streams; a prompt ending in <think> starts in thought.
        parser = GlmOutputParser(in_think=job.prompt.rstrip().endswith(THINK_BEGIN))
        self._batcher.submit(job)
        try:
            while True:
                kind, value = await events.get()
                if kind == "text":
                    piece = parser.feed(value)
                elif kind == "error":
                    raise AppError(ErrorCode.ENGINE_ERROR, "The transformers engine failed to answer.") from value
                else:
                    piece = parser.finish()
                if piece.text or (keep and piece.reasoning):
                    yield Delta(text=piece.text, reasoning=piece.reasoning if keep else "")
                if kind == "end":
                    break
            evidence = answer_evidence(parser, request.query.image, request.grounding.seen)
            answer = parser.answer
            if not answer and parser.boxes and evidence:  # the reply was only a box: say what it marks
                answer = box_only_answer(evidence, request.query.language)
                yield Delta(text=answer)
            yield Delta(
                evidence=evidence,
                sources=tuple(Source(p.title, p.section, p.source) for p in request.grounding.passages),
                structured=check_reply(answer, request.query.options),
                finish_reason=job.finish_reason,
                usage=job.usage(),
            )
        finally:
            job.cancelled.set()


def create(settings: Settings, argument: str) -> TransformersEngine:
    """Registry factory: `argument` (after 'transformers:') overrides settings.transformers.model."""
    model = argument or settings.transformers.model
    resolve_model_dir(model)  # fail fast, before the app starts, when the weights are not on disk
    return TransformersEngine(settings, model)


__all__ = ["TransformersEngine", "create", "weights_available"]
