"""The transformers engine's decoding keeps GLM's special markup until the GLM parser has read it.

The tiny tokenizer carries `<|begin_of_box|>`, `<|end_of_box|>`, `<think>` and `</think>` as added
special tokens, as GLM-4.6V's does: decoding with `skip_special_tokens=True` would drop them and the
box would be lost (its coordinates would even leak into the answer as text).
"""

from __future__ import annotations

import pytest

from tests.engines.transformers.helpers import request
from visdesk.domain import Mode
from visdesk.engines.glm_output import MARKERS, GlmOutputParser
from visdesk.engines.hf.generation import Job, _BatchStreamer, _RowText, drop_tokens

pytestmark = pytest.mark.vlm

REPLY = "<think>total</think>The total is printed here <|begin_of_box|>[[120, 40, 380, 90]]<|end_of_box|>."


def _decode_as_generate_does(engine, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Feed `text`'s token ids through the engine's own per-row streamer, one generate() step at a time."""
    import torch

    tokenizer = engine.loaded.tokenizer
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    pieces: list[str] = []
    job = Job(prompt="", image=None, max_new_tokens=len(ids) + 1)
    job.emit = lambda item: pieces.append(item[1]) if item[0] == "text" else None
    row = _RowText(job, tokenizer, engine.generator.drop)
    streamer = _BatchStreamer([row], engine.generator.eos_ids)
    streamer.put(torch.tensor([[0]]))  # the prompt, which the streamer skips
    for token in ids:
        streamer.put(torch.tensor([token]))
    streamer.end()
    return pieces


def test_the_markers_are_special_tokens_of_the_tiny_tokenizer(engine) -> None:  # type: ignore[no-untyped-def]
    tokenizer = engine.loaded.tokenizer
    for marker in ("<|begin_of_box|>", "<|end_of_box|>", "<think>", "</think>"):
        ids = tokenizer(marker, add_special_tokens=False)["input_ids"]
        assert len(ids) == 1 and tokenizer.decode(ids, skip_special_tokens=True) == ""  # skipping would lose it


def test_decoding_keeps_the_markers_and_the_parser_turns_them_into_a_box(engine) -> None:  # type: ignore[no-untyped-def]
    pieces = _decode_as_generate_does(engine, REPLY + "<|endoftext|>")
    raw = "".join(pieces)
    assert "<|begin_of_box|>" in raw and "</think>" in raw  # kept for the parser
    assert "<|endoftext|>" not in raw  # other special tokens still go
    parser = GlmOutputParser()
    shown = "".join(parser.feed(piece).text for piece in pieces) + parser.finish().text
    assert shown == "The total is printed here."
    assert [b.box for b in parser.boxes] == [(120.0, 40.0, 380.0, 90.0)]


def test_other_special_tokens_are_dropped_and_markers_are_not(engine) -> None:  # type: ignore[no-untyped-def]
    drop = engine.generator.drop
    assert "<|endoftext|>" in drop and "<|user|>" in drop
    assert not set(MARKERS) & set(drop)
    assert drop_tokens("a<|image|>b<|begin_of_box|>", drop) == "ab<|begin_of_box|>"


async def test_random_answers_never_show_markup(engine) -> None:  # type: ignore[no-untyped-def]
    """Whatever the random model emits (markers included), the customer sees no special token."""
    specials = set(engine.generator.drop) | set(MARKERS)
    for question in ("What is the total?", "Where is the box?", "Is the battery low?"):
        deltas = [d async for d in engine.stream(request(question, Mode.FAST))]
        text = "".join(d.text for d in deltas)
        assert not any(token in text for token in specials), text
        assert deltas[-1].finish_reason in ("stop", "length")


async def test_a_bad_pattern_is_refused_before_any_generation(engine) -> None:  # type: ignore[no-untyped-def]
    from visdesk.domain import GenerationOptions
    from visdesk.errors import AppError, ErrorCode

    before = engine.stats.generate_calls
    with pytest.raises(AppError) as caught:
        [d async for d in engine.stream(request(options=GenerationOptions(mode=Mode.FAST, regex="(unclosed")))]
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert engine.stats.generate_calls == before


async def test_choices_are_checked_on_the_parsed_answer(engine) -> None:  # type: ignore[no-untyped-def]
    from visdesk.domain import GenerationOptions

    options = GenerationOptions(mode=Mode.FAST, choices=("shipped", "pending"))
    deltas = [d async for d in engine.stream(request("Which status?", options=options))]
    answer = "".join(d.text for d in deltas).strip()
    structured = deltas[-1].structured
    assert structured == {"choice": answer if answer in options.choices else None, "valid": answer in options.choices}
