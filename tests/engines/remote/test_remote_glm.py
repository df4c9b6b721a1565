"""The remote engine against a vLLM/SGLang-style upstream on loopback: GLM replies and structured outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.engines.remote.conftest import request_for, started
from tests.engines.remote.fake_upstream import GLM_THOUGHT, FakeUpstream
from tests.support.render import png_bytes, render_lines
from visdesk.domain import Delta, EngineRequest, Grounding, OcrLine, Passage, Perception
from visdesk.engines.glm_output import box_to_pixels
from visdesk.errors import AppError, ErrorCode
from visdesk.images import intake
from visdesk.settings import ImageSettings

Fake = tuple[str, FakeUpstream]
BOX = (100, 200, 500, 300)
SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}, "required": ["total"]}


def _image() -> Any:
    return intake(png_bytes(render_lines(["Order: Z9", "Shipped"], size=20, width=1400)), ImageSettings())


async def _collect(engine: Any, request: EngineRequest) -> list[Delta]:
    return [delta async for delta in engine.stream(request)]


async def test_glm_reply_streams_clean_text_a_box_in_pixels_and_no_thinking(
    fake_upstream: Fake, tmp_path: Path
) -> None:
    url, fake = fake_upstream
    image = _image()
    model = "glm-box:" + ",".join(map(str, BOX))
    async with started(url, tmp_path, model=model) as engine:
        deltas = await _collect(engine, request_for("What is the order number?", image=image))
    texts = [d.text for d in deltas if d.text]
    assert len(texts) > 3  # still streamed piece by piece
    assert not any(marker in text for text in texts for marker in ("<|", "|>", "<think", "[["))
    assert "".join(texts) == "The order number is printed here. It has shipped."  # the boxed restatement is gone
    assert all(not d.reasoning for d in deltas)  # thinking is never shown, and not kept unless asked
    final = deltas[-1]
    assert final.finish_reason == "stop" and final.evidence
    assert final.evidence[0].box == box_to_pixels(BOX, image.original_size)
    assert final.evidence[0].box[2] == pytest.approx(0.5 * image.original_size[0])
    assert fake.received[-1]["chat_template_kwargs"] == {"enable_thinking": False}  # GLM thinking off by default


async def test_kept_reasoning_arrives_beside_the_answer(fake_upstream: Fake, tmp_path: Path) -> None:
    url, _ = fake_upstream
    async with started(url, tmp_path, model="glm-box:1,2,3,4", keep_reasoning=True) as engine:
        deltas = await _collect(engine, request_for("Order number?", image=_image()))
    assert "".join(d.reasoning for d in deltas) == GLM_THOUGHT
    assert GLM_THOUGHT not in "".join(d.text for d in deltas)


@pytest.mark.parametrize(
    ("options", "reply", "sent", "structured"),
    [
        ({"choices": ("shipped", "pending")}, "shipped", {"choice": ["shipped", "pending"]}, {"choice": "shipped"}),
        ({"regex": r"Z9-\d{4}"}, "Z9-1234", {"regex": r"Z9-\d{4}"}, {"value": "Z9-1234"}),
        ({"response_format": SCHEMA}, '{"total": 12.5}', {"json": SCHEMA}, {"data": {"total": 12.5}}),
    ],
)
async def test_vllm_gets_structured_outputs_and_the_reply_is_checked(
    fake_upstream: Fake, tmp_path: Path, options: dict, reply: str, sent: dict, structured: dict
) -> None:
    url, fake = fake_upstream
    async with started(url, tmp_path, model=f"say:{reply}") as engine:  # server_kind defaults to vllm
        deltas = await _collect(engine, request_for("Which status?", **options))
    body = fake.received[-1]
    assert body["structured_outputs"] == sent
    assert not {"guided_json", "guided_regex", "guided_choice", "response_format", "regex"} & set(body)
    assert deltas[-1].structured is not None
    assert deltas[-1].structured["valid"] is True and structured.items() <= deltas[-1].structured.items()


async def test_a_reply_outside_the_constraint_is_marked_invalid(fake_upstream: Fake, tmp_path: Path) -> None:
    url, _ = fake_upstream
    async with started(url, tmp_path, model="say:maybe later") as engine:
        choice = await _collect(engine, request_for("Which status?", choices=("shipped", "pending")))
        schema = await _collect(engine, request_for("Total?", response_format=SCHEMA))
    assert choice[-1].structured == {"choice": None, "valid": False}
    assert schema[-1].structured is not None and schema[-1].structured["valid"] is False


@pytest.mark.parametrize(
    ("options", "sent"),
    [
        ({"choices": ("a.b", "c|d")}, {"regex": r"(a\.b|c\|d)"}),
        ({"regex": r"\d+"}, {"regex": r"\d+"}),
        (
            {"response_format": SCHEMA},
            {"response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA}}},
        ),
    ],
)
async def test_sglang_gets_its_own_fields(fake_upstream: Fake, tmp_path: Path, options: dict, sent: dict) -> None:
    url, fake = fake_upstream
    async with started(url, tmp_path, model="say:x", server_kind="sglang") as engine:
        await _collect(engine, request_for("q", **options))
    body = fake.received[-1]
    assert sent.items() <= body.items() and "structured_outputs" not in body
    assert body["chat_template_kwargs"] == {"enable_thinking": False}


async def test_openai_kind_sends_only_response_format(fake_upstream: Fake, tmp_path: Path) -> None:
    url, fake = fake_upstream
    async with started(url, tmp_path, model="say:x", server_kind="openai") as engine:
        await _collect(engine, request_for("q", choices=("yes", "no")))
        choices_body = fake.received[-1]
        await _collect(engine, request_for("q", response_format=SCHEMA))
        schema_body = fake.received[-1]
    assert not {"structured_outputs", "regex", "chat_template_kwargs", "response_format"} & set(choices_body)
    assert "Answer with exactly one of: yes | no" in json.dumps(choices_body["messages"])  # the prompt still says so
    assert schema_body["response_format"]["json_schema"]["schema"] == SCHEMA


async def test_extra_body_template_kwargs_are_merged_over_ours(fake_upstream: Fake, tmp_path: Path) -> None:
    url, fake = fake_upstream
    extra = {"chat_template_kwargs": {"enable_thinking": True, "custom": 1}, "top_k": 5}
    async with started(url, tmp_path, model="say:x", extra_body=extra) as engine:
        await _collect(engine, request_for("q"))
    body = fake.received[-1]
    assert body["chat_template_kwargs"] == {"enable_thinking": True, "custom": 1} and body["top_k"] == 5


@pytest.mark.parametrize("options", [{"regex": "(unclosed"}, {"response_format": {"type": "no-such-type"}}])
async def test_a_bad_constraint_is_a_400_and_never_reaches_the_server(
    fake_upstream: Fake, tmp_path: Path, options: dict
) -> None:
    url, fake = fake_upstream
    before = len(fake.received)
    async with started(url, tmp_path, model="say:x") as engine:
        with pytest.raises(AppError) as caught:
            await _collect(engine, request_for("q", **options))
    assert caught.value.code is ErrorCode.INVALID_REQUEST and caught.value.status == 400
    assert len(fake.received) == before


async def test_what_repeats_across_requests_comes_first(fake_upstream: Fake, tmp_path: Path) -> None:
    """Two customers, two images, the same policy passage: the bodies share their prefix up to the image."""
    url, fake = fake_upstream
    passage = Passage("returns", "Returns policy", "Refunds", "Refunds are issued within 7 days.", 1.0)
    bodies = []
    async with started(url, tmp_path, model="say:x") as engine:
        for text, question in (("Order: A1", "Where is my refund?"), ("Order: B2", "When do I get my money?")):
            image = intake(png_bytes(render_lines([text], size=20, width=300)), ImageSettings())
            seen = Perception(image.content_id, image.original_size, (OcrLine(text, (0, 0, 10, 10), 0.9),))
            request = request_for(question, image=image)
            request = EngineRequest(query=request.query, grounding=Grounding(seen=seen, passages=(passage,)))
            await _collect(engine, request)
            bodies.append(fake.received[-1]["messages"])
    first, second = bodies
    assert first[0] == second[0] and first[0]["role"] == "system"
    kinds = [part["type"] for part in first[-1]["content"]]
    assert kinds == ["text", "image_url", "text"]
    assert first[-1]["content"][0] == second[-1]["content"][0]  # the policy text, before the image
    assert "Refunds are issued within 7 days." in first[-1]["content"][0]["text"]
    assert "Order: A1" in first[-1]["content"][2]["text"] and "Where is my refund?" in first[-1]["content"][2]["text"]


async def test_a_visdesk_upstream_honours_structured_outputs(upstream_visdesk: str, tmp_path: Path) -> None:
    """visdesk's own /v1/chat/completions reads `structured_outputs`, so a chain of two keeps the constraint."""
    image = intake(png_bytes(render_lines(["Order status: Shipped", "Order: Z9"], size=24, width=500)), ImageSettings())
    labels = ("Pending", "Shipped", "Cancelled")
    async with started(upstream_visdesk, tmp_path, send_grounding=False) as engine:
        deltas = await _collect(engine, request_for("What is the order status?", image=image, choices=labels))
    answer = "".join(d.text for d in deltas).strip()
    assert answer in labels
    assert deltas[-1].structured == {"choice": answer, "valid": True}


async def test_a_box_only_reply_gets_a_pointer_and_its_box(fake_upstream: Fake, tmp_path: Path) -> None:
    url, _ = fake_upstream
    image = _image()
    async with started(url, tmp_path, model="say:<|begin_of_box|>[[100, 200, 500, 300]]<|end_of_box|>") as engine:
        deltas = await _collect(engine, request_for("Where is the serial number?", image=image))
    assert "".join(d.text for d in deltas) == "It is marked on the image."
    assert deltas[-1].evidence and deltas[-1].evidence[0].box == box_to_pixels(BOX, image.original_size)
