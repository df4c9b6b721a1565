"""The transformers engine on a tiny random GLM-4V: streaming, modes, batching, cancel, stops, prompt."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.engines.transformers.conftest import ENGINE_LIMITS
from tests.engines.transformers.helpers import INJECTION, image_input, request
from visdesk.domain import Delta, GenerationOptions, Mode

pytestmark = pytest.mark.vlm


async def _collect(engine, req) -> list[Delta]:  # type: ignore[no-untyped-def]
    return [delta async for delta in engine.stream(req)]


async def test_capabilities_declare_a_pixel_seeing_batching_engine(engine) -> None:  # type: ignore[no-untyped-def]
    caps = engine.capabilities
    assert (caps.sees_pixels, caps.beams, caps.batching, caps.needs_ocr) == (True, True, True, True)
    assert engine.ready() and engine.name == "transformers"


async def test_fast_mode_streams_several_deltas_then_finishes(engine) -> None:  # type: ignore[no-untyped-def]
    deltas = await _collect(engine, request(mode=Mode.FAST))
    texts = [d.text for d in deltas if d.text]
    assert len(texts) >= 3, texts
    final = deltas[-1]
    assert final.finish_reason in ("stop", "length") and final.usage is not None
    assert 0 < final.usage["completion_tokens"] <= ENGINE_LIMITS["fast_max_new_tokens"]
    assert final.usage["num_beams"] == 1
    assert final.usage["prompt_tokens"] > 20  # system prompt + image tokens + question


async def test_quality_uses_beams_and_fast_uses_greedy(engine) -> None:  # type: ignore[no-untyped-def]
    quality = await _collect(engine, request("How long is the warranty?", Mode.QUALITY))
    fast = await _collect(engine, request("How long is the warranty?", Mode.FAST))
    q_job, f_job = quality[-1].usage, fast[-1].usage
    assert q_job["num_beams"] == ENGINE_LIMITS["num_beams"]
    assert q_job["max_new_tokens"] == ENGINE_LIMITS["max_new_tokens"]
    assert f_job["num_beams"] == 1 and f_job["max_new_tokens"] == ENGINE_LIMITS["fast_max_new_tokens"]
    # beams cannot stream: the quality answer arrives in one piece
    assert len([d for d in quality if d.text]) <= 1 < len([d for d in fast if d.text])
    recent = {id(job): job for job in engine.stats.recent}
    kwargs = [job.generate_kwargs for job in recent.values()][-2:]
    assert kwargs[0]["num_beams"] == ENGINE_LIMITS["num_beams"] and kwargs[1]["num_beams"] == 1


async def test_request_max_new_tokens_caps_the_answer(engine) -> None:  # type: ignore[no-untyped-def]
    deltas = await _collect(engine, request(options=GenerationOptions(mode=Mode.FAST, max_new_tokens=3)))
    assert deltas[-1].usage["completion_tokens"] <= 3


async def test_concurrent_requests_share_generate_calls(engine) -> None:  # type: ignore[no-untyped-def]
    before = engine.stats.generate_calls
    questions = [f"Question {i}: where is my parcel?" + " please" * i for i in range(6)]
    images = [image_input((112 + 28 * (i % 3), 112)) for i in range(6)]
    results = await asyncio.gather(
        *(_collect(engine, request(q, Mode.FAST, image=img)) for q, img in zip(questions, images, strict=True))
    )
    calls = engine.stats.generate_calls - before
    assert calls < len(questions)
    assert max(r[-1].usage["batch_size"] for r in results) > 1
    for deltas in results:  # every row got its own answer back
        assert deltas[-1].finish_reason in ("stop", "length") and deltas[-1].usage["completion_tokens"] > 0


async def test_mixed_modes_and_text_only_requests_are_all_served(engine) -> None:  # type: ignore[no-untyped-def]
    reqs = [
        request("Where is my parcel?", Mode.FAST),
        request("And the refund?", Mode.FAST, text_only=True),  # a follow-up without an image
        request("Explain the error.", Mode.QUALITY),  # beams: runs alone, never blocks the greedy batch
        request("Is the battery low?", Mode.FAST, image=image_input((224, 112))),
    ]
    results = await asyncio.gather(*(_collect(engine, r) for r in reqs))
    usages = [r[-1].usage for r in results]
    assert [u["num_beams"] for u in usages] == [1, 1, ENGINE_LIMITS["num_beams"], 1]
    assert usages[2]["batch_size"] == 1 and max(usages[i]["batch_size"] for i in (0, 1, 3)) > 1
    assert usages[1]["prompt_tokens"] < usages[0]["prompt_tokens"]  # no image tokens
    assert all(u["completion_tokens"] > 0 for u in usages)


@pytest.fixture(scope="module")
def long_engine(tiny_glm_dir, tmp_path_factory):  # type: ignore[no-untyped-def]
    """An engine allowing long answers (cancellation and early row ends need room to show)."""
    from tests.conftest import make_settings
    from visdesk.engines import create_engine

    limits = {"fast_max_new_tokens": 300, "batch_wait_ms": 150.0}
    settings = make_settings(tmp_path_factory.mktemp("long"), transformers=limits)
    built = create_engine(f"transformers:{tiny_glm_dir}", settings)
    asyncio.run(built.start())
    yield built
    asyncio.run(built.close())


async def test_closing_the_stream_cancels_generation(long_engine) -> None:  # type: ignore[no-untyped-def]
    stream = long_engine.stream(request(mode=Mode.FAST))
    received = 0
    async for delta in stream:
        received += bool(delta.text)
        if received == 2:
            break
    await stream.aclose()
    job = long_engine.stats.recent[-1]
    deadline = time.monotonic() + 10
    while job.finish_reason != "cancelled" and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert job.finish_reason == "cancelled"
    assert job.generated < 300


async def test_a_short_row_ends_before_its_batch(long_engine) -> None:  # type: ignore[no-untyped-def]
    """The short answer's stream ends while the long row is still decoding (not at the batch's end)."""
    long_progress_when_short_ended: list[int] = []

    async def run(name: str, limit: int) -> list[Delta]:
        options = GenerationOptions(mode=Mode.FAST, max_new_tokens=limit)
        deltas = await _collect(long_engine, request(f"{name}: where is my parcel?", options=options))
        if name == "short":
            long_job = next(job for job in long_engine.stats.recent if "long: where" in job.prompt)
            long_progress_when_short_ended.append(long_job.generated)
        return deltas

    short, long = await asyncio.gather(run("short", 3), run("long", 40))
    assert short[-1].usage["batch_size"] == long[-1].usage["batch_size"] == 2  # generated together
    assert short[-1].usage["completion_tokens"] <= 3
    assert long_progress_when_short_ended[0] < long[-1].usage["completion_tokens"]


async def test_stop_strings_cut_the_answer(engine) -> None:  # type: ignore[no-untyped-def]
    full = "".join(d.text for d in await _collect(engine, request("Is the battery low?", Mode.FAST)))
    assert len(full) >= 4, full
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    cut = await _collect(
        engine, request("Is the battery low?", options=GenerationOptions(mode=Mode.FAST, stop=(stop,)))
    )
    text = "".join(d.text for d in cut)
    assert text == full[: full.index(stop)]
    assert cut[-1].finish_reason == "stop"


async def test_grounding_is_fenced_in_the_prompt_fed_to_the_processor(engine) -> None:  # type: ignore[no-untyped-def]
    await _collect(engine, request("What is the total?", Mode.FAST, with_grounding=True))
    prompt = engine.stats.last_prompts[-1]
    ocr_start = prompt.index('<untrusted source="ocr">')
    ocr_block = prompt[ocr_start : prompt.index("</untrusted>", ocr_start)]
    assert "Total: 12.50" in ocr_block and INJECTION in ocr_block
    assert '<untrusted source="kb" title="Refund policy › Returns">' in prompt
    assert "Refunds are issued within 7 days." in prompt
    # what repeats across customers (policy text) before the image, what is theirs (OCR, question) after it
    assert prompt.index("Refunds are issued") < prompt.index("<|image|>") < ocr_start
    assert ocr_start < prompt.index("Question: What is the total?")
    assert prompt.startswith("[gMASK]<sop>") and prompt.endswith("<think></think>")  # non-thinking mode


async def test_answer_evidence_points_at_quoted_ocr_lines(engine) -> None:  # type: ignore[no-untyped-def]
    deltas = await _collect(engine, request(with_grounding=True))
    final = deltas[-1]
    answer = "".join(d.text for d in deltas)
    assert final.sources and final.sources[0].title == "Refund policy"
    assert all(e.text in answer for e in final.evidence or ())
