"""Run model.generate for a batch of jobs: per-row streaming, stop strings, limits and cancellation.

Why per-row state: requests batched together differ in length limit and stop strings, and a
client may leave mid-answer. `model.generate` decodes the whole batch greedily; a StoppingCriteria
answers per row (done when its limit, a stop string, EOS or a cancel is reached) so finished rows
stop costing work and the batch ends when every row is done. Text is decoded per row with
TextIteratorStreamer's word/CJK-aware incremental decoding.

Beam search (quality mode) cannot stream token by token (the best beam is known only at the end),
so a beam job runs alone and its answer arrives in one piece.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PIL import Image

from visdesk.engines.glm_output import MARKERS
from visdesk.engines.hf.loading import LoadedModel

if TYPE_CHECKING:  # transformers is imported lazily (the vlm extra is optional)
    from transformers import TextIteratorStreamer

Emit = Callable[[tuple[str, Any]], None]
"""Called from the generation thread: ("text", str), ("end", None) or ("error", Exception)."""


@dataclass(eq=False)
class Job:
    """One request's generation: its inputs, limits, and what actually happened."""

    prompt: str
    image: Image.Image | None
    max_new_tokens: int
    num_beams: int = 1
    stop: tuple[str, ...] = ()
    emit: Emit = lambda item: None
    cancelled: threading.Event = field(default_factory=threading.Event)
    # filled in by the generation thread
    prompt_tokens: int = 0
    generated: int = 0
    finish_reason: str = "stop"
    batch_size: int = 0
    generate_kwargs: dict[str, Any] = field(default_factory=dict)  # the scalar kwargs given to generate()
    started_at: float = 0.0
    ended: bool = False  # its ("end") was already emitted (the row finished before the batch)

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.generated,
            "num_beams": int(self.generate_kwargs.get("num_beams", self.num_beams)),
            "max_new_tokens": self.max_new_tokens,
            "batch_size": self.batch_size,
        }


@dataclass
class GenerationStats:
    """Counters the tests and the benchmark read (how work was really batched)."""

    generate_calls: int = 0
    batch_sizes: list[int] = field(default_factory=list)
    last_prompts: list[str] = field(default_factory=list)
    recent: deque[Job] = field(default_factory=lambda: deque(maxlen=64))  # jobs, newest last
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, jobs: list[Job]) -> None:
        with self.lock:
            self.generate_calls += 1
            self.batch_sizes.append(len(jobs))
            self.last_prompts = [job.prompt for job in jobs]
            self.recent.extend(jobs)


def special_tokens_to_drop(tokenizer: Any) -> tuple[str, ...]:
    """The tokenizer's special tokens except GLM's answer markup (box, think), which the parser reads.

    Why not `skip_special_tokens=True`: GLM's `<|begin_of_box|>`/`<|end_of_box|>` (and `<think>`
    where a tokenizer marks it special) would vanish before engines.glm_output could turn them
    into evidence and hidden reasoning.
    """
    decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    specials = {str(t) for t in getattr(tokenizer, "all_special_tokens", ())}
    specials |= {t.content for t in decoder.values() if getattr(t, "special", False)}
    return tuple(sorted(specials - set(MARKERS), key=len, reverse=True))


def drop_tokens(text: str, tokens: tuple[str, ...]) -> str:
    for token in tokens:
        if token in text:
            text = text.replace(token, "")
    return text


def _cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    cuts = [text.find(stop) for stop in stops if stop and stop in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


class _RowText:
    """Incremental text of one batch row: holds back a possible stop-string prefix, cuts at a stop."""

    def __init__(self, job: Job, tokenizer: Any, drop: tuple[str, ...] = ()) -> None:
        from transformers import TextIteratorStreamer

        self.job = job
        self._drop = drop
        self.done = False
        self.hit_stop = False
        self._pending = ""
        self._hold = max((len(s) for s in job.stop), default=1) - 1
        row = self

        class _Streamer(TextIteratorStreamer):
            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                row.accept(text, stream_end)

        self.streamer: TextIteratorStreamer = _Streamer(tokenizer, skip_prompt=False, skip_special_tokens=False)

    def accept(self, text: str, final: bool) -> None:
        if self.hit_stop:
            return
        self._pending += drop_tokens(text, self._drop)
        kept, self.hit_stop = _cut_at_stop(self._pending, self.job.stop)
        if self.hit_stop or final or not self._hold:
            self._send(kept)
            self._pending = ""
        elif len(self._pending) > self._hold:
            self._send(self._pending[: -self._hold])
            self._pending = self._pending[-self._hold :]

    def _send(self, text: str) -> None:
        if text:
            self.job.emit(("text", text))


class _BatchStreamer:
    """Receives each step's tokens (shape [batch]) from generate() and feeds the rows' decoders.

    The streamer, not the stopping criteria, decides where a row's answer ends (EOS, its own limit,
    a stop string, a cancel): on CUDA transformers hands tokens to the streamer one step late, so
    only here are a row's tokens seen in order without forcing a device sync every step.
    """

    def __init__(self, rows: list[_RowText], eos_ids: frozenset[int]) -> None:
        self.rows = rows
        self.eos_ids = eos_ids
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # the first call carries the prompt ids
            self._prompt_seen = True
            return
        for row, token in zip(self.rows, value.reshape(-1).tolist(), strict=True):
            if row.done:
                continue
            job = row.job
            if job.cancelled.is_set():
                self._finish(row, "cancelled")
                continue
            job.generated += 1
            if token in self.eos_ids:
                self._finish(row, "stop")
                continue
            row.streamer.put(value.new_tensor([token]))
            if row.hit_stop:
                self._finish(row, "stop")
            elif job.generated >= job.max_new_tokens:
                self._finish(row, "length")

    @staticmethod
    def _finish(row: _RowText, reason: str) -> None:
        """End this row's answer now: a short answer need not wait for the batch's longest one."""
        row.done = True
        row.job.finish_reason = reason
        row.streamer.end()  # flush the words held back by the incremental decoder
        row.job.ended = True
        row.job.emit(("end", None))

    def end(self) -> None:
        for row in self.rows:
            if not row.done:
                row.streamer.end()


def _row_stops(rows: list[_RowText], prompt_width: int) -> Any:
    import torch
    from transformers import StoppingCriteria

    limits = [row.job.max_new_tokens for row in rows]

    class RowStops(StoppingCriteria):
        """Rows past their own limit, cut at a stop string, or cancelled stop; EOS is generate()'s own.

        Stays on the device: the limits are compared there, and host flags (stop string, cancel) are
        copied over only on the step they change (a finished row stays finished inside generate()).
        """

        def __init__(self) -> None:
            self.limits: Any = None
            self.reported: set[int] = set()

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            if self.limits is None:
                self.limits = torch.tensor(limits, device=input_ids.device)
            stop = self.limits <= input_ids.shape[1] - prompt_width
            newly = [
                i
                for i, row in enumerate(rows)
                if i not in self.reported and (row.hit_stop or row.job.cancelled.is_set())
            ]
            if newly:
                self.reported.update(newly)
                flags = torch.zeros(len(rows), dtype=torch.bool)
                flags[newly] = True
                stop = stop | flags.to(input_ids.device)
            return stop

    return RowStops()


def _cancel_criteria(job: Job) -> Any:
    import torch
    from transformers import StoppingCriteria

    class Cancelled(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), job.cancelled.is_set(), dtype=torch.bool, device=input_ids.device)

    return Cancelled()


class Generator:
    """Turns jobs into model.generate calls on one LoadedModel (called from one thread only)."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded
        self.stats = GenerationStats()
        config_eos = loaded.model.generation_config.eos_token_id
        if config_eos is None:
            config_eos = loaded.tokenizer.eos_token_id
        self.eos_ids = frozenset([config_eos] if isinstance(config_eos, int) else (config_eos or []))
        pad = loaded.tokenizer.pad_token_id
        self.pad_token_id = pad if pad is not None else next(iter(self.eos_ids), 0)
        self.drop = special_tokens_to_drop(loaded.tokenizer)

    def encode(self, jobs: list[Job]) -> Any:
        """Left-padded model inputs for the jobs' prompts and images, on the model's device."""
        images = [job.image for job in jobs if job.image is not None]
        inputs = self.loaded.processor(
            text=[job.prompt for job in jobs], images=images or None, padding=True, return_tensors="pt"
        )
        inputs = inputs.to(self.loaded.device)
        if "pixel_values" in inputs:
            inputs["pixel_values"] = inputs["pixel_values"].to(self.loaded.model.dtype)
        lengths = inputs["attention_mask"].sum(dim=1).tolist()
        for job, length in zip(jobs, lengths, strict=True):
            job.prompt_tokens = int(length)
        return inputs

    def run(self, jobs: list[Job]) -> None:
        """Generate for `jobs` (a greedy batch, or one beam job); every job gets an ("end") or ("error")."""
        started = time.perf_counter()
        for job in jobs:
            job.batch_size, job.started_at = len(jobs), started
        try:
            self.stats.record(jobs)
            if len(jobs) == 1 and jobs[0].num_beams > 1:
                self._run_beams(jobs[0])
            else:
                self._run_greedy(jobs)
        except Exception as exc:
            for job in jobs:
                if not job.ended:
                    job.emit(("error", exc))
            return
        finally:
            for job in jobs:
                job.image = None  # stats.recent keeps jobs; not their pixels
        for job in jobs:
            if not job.ended:
                job.ended = True
                job.emit(("end", None))

    def _run_greedy(self, jobs: list[Job]) -> None:
        import torch
        from transformers import StoppingCriteriaList

        inputs = self.encode(jobs)
        tokenizer = self.loaded.tokenizer
        rows = [_RowText(job, tokenizer, self.drop) for job in jobs]
        streamer = _BatchStreamer(rows, self.eos_ids)
        scalars = {"do_sample": False, "num_beams": 1, "max_new_tokens": max(job.max_new_tokens for job in jobs)}
        for job in jobs:
            job.generate_kwargs = {**scalars, "max_new_tokens": job.max_new_tokens}
        with torch.inference_mode():
            self.loaded.model.generate(
                **inputs,
                **scalars,
                streamer=streamer,
                stopping_criteria=StoppingCriteriaList([_row_stops(rows, inputs["input_ids"].shape[1])]),
                pad_token_id=self.pad_token_id,
            )

    def _run_beams(self, job: Job) -> None:
        import torch
        from transformers import StoppingCriteriaList

        inputs = self.encode([job])
        tokenizer = self.loaded.tokenizer
        kwargs: dict[str, Any] = {
            "do_sample": False,
            "num_beams": job.num_beams,
            "max_new_tokens": job.max_new_tokens,
            "early_stopping": True,
        }
        job.generate_kwargs = dict(kwargs)
        extra: dict[str, Any] = {}
        if job.stop:
            extra = {"stop_strings": list(job.stop), "tokenizer": tokenizer}
        with torch.inference_mode():
            output = self.loaded.model.generate(
                **inputs,
                **kwargs,
                **extra,
                stopping_criteria=StoppingCriteriaList([_cancel_criteria(job)]),
                pad_token_id=self.pad_token_id,
            )
        new_tokens = [t for t in output[0, inputs["input_ids"].shape[1] :].tolist() if t != self.pad_token_id]
        job.generated = len(new_tokens)
        decoded = drop_tokens(tokenizer.decode(new_tokens, skip_special_tokens=False), self.drop)
        text, hit_stop = _cut_at_stop(decoded, job.stop)
        ended_by_eos = bool(new_tokens) and new_tokens[-1] in self.eos_ids
        if job.cancelled.is_set():
            job.finish_reason = "cancelled"
        elif not hit_stop and not ended_by_eos and job.generated >= job.max_new_tokens:
            job.finish_reason = "length"
        if text and not job.cancelled.is_set():
            job.emit(("text", text))
