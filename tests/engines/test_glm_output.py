"""The GLM output parser on literal GLM-4.xV replies: boxes, nested markers, thinking, split markers."""

from __future__ import annotations

import pytest
from PIL import Image

from visdesk.domain import ImageInput, OcrLine, Perception
from visdesk.engines.glm_output import (
    MARKERS,
    GlmOutputParser,
    answer_evidence,
    box_to_pixels,
    parse_reply,
)


def _stream(chunks: list[str], *, in_think: bool = False) -> tuple[list[str], str, GlmOutputParser]:
    """Feed chunks one by one; the visible pieces as released, the reasoning, and the parser."""
    parser = GlmOutputParser(in_think=in_think)
    pieces, reasoning = [], []
    for chunk in chunks:
        piece = parser.feed(chunk)
        pieces.append(piece.text)
        reasoning.append(piece.reasoning)
    tail = parser.finish()
    pieces.append(tail.text)
    reasoning.append(tail.reasoning)
    return pieces, "".join(reasoning), parser


def _image(size: tuple[int, int]) -> ImageInput:
    small = Image.new("RGB", (size[0] // 2, size[1] // 2), "white")  # the engine copy is scaled down
    return ImageInput("t", small, small, size, "image/png", 1)


def test_grounding_box_leaves_the_text_and_becomes_a_box() -> None:
    text, reasoning, boxes = parse_reply(
        "The order number is printed here <|begin_of_box|>[[102, 40, 598, 95]]<|end_of_box|>."
    )
    assert text == "The order number is printed here."
    assert reasoning == ""
    assert [b.box for b in boxes] == [(102.0, 40.0, 598.0, 95.0)]
    assert boxes[0].label == "The order number is printed here"


@pytest.mark.parametrize(
    "content",
    [
        "[100, 200, 300, 400]",
        "[[100,200,300,400]]",
        "(100, 200, 300, 400)",
        "<100,200,300,400>",
        "[[100, 200, 300, 400], [500, 600, 700, 800]]",
    ],
)
def test_every_bracket_style_glm_uses_is_read(content: str) -> None:
    text, _, boxes = parse_reply(f"Here: <|begin_of_box|>{content}<|end_of_box|>")
    assert text == "Here:"
    assert boxes[0].box == (100.0, 200.0, 300.0, 400.0)
    assert len(boxes) == content.count(",") // 3


def test_a_boxed_answer_is_shown_without_its_markers() -> None:
    text, _, boxes = parse_reply("<|begin_of_box|>The refund was approved on 3 May.<|end_of_box|>")
    assert text == "The refund was approved on 3 May." and boxes == []


def test_nested_markers_and_answer_tags_are_removed() -> None:
    reply = "<answer>It is option <|begin_of_box|><|begin_of_box|>B<|end_of_box|><|end_of_box|></answer>"
    text, _, boxes = parse_reply(reply)
    assert text == "It is option B" and boxes == []
    assert not any(marker in text for marker in MARKERS)


def test_thinking_is_separated_and_never_shown() -> None:
    reply = (
        "<think>The user asks for the total. The receipt shows Total: 12.50 at the bottom.</think>\n"
        "<answer>The total is 12.50.</answer>"
    )
    text, reasoning, _ = parse_reply(reply)
    assert text == "The total is 12.50."
    assert reasoning.startswith("The user asks for the total.") and "12.50" in reasoning


def test_a_prompt_that_opened_the_think_block_starts_in_thought() -> None:
    text, reasoning, _ = parse_reply("Looking at the label…</think>The warranty is 2 years.", in_think=True)
    assert text == "The warranty is 2 years." and reasoning == "Looking at the label…"


def test_a_trailing_restated_answer_is_dropped() -> None:
    text, _, _ = parse_reply("The total amount due is 12.50 USD.\n\n<|begin_of_box|>12.50 USD<|end_of_box|>")
    assert text == "The total amount due is 12.50 USD."
    cjk, _, _ = parse_reply("您的订单已发货，预计三天内送达。<|begin_of_box|>三天内送达<|end_of_box|>")
    assert cjk == "您的订单已发货，预计三天内送达。"


def test_a_short_boxed_answer_is_not_mistaken_for_a_restatement() -> None:
    """ "A" appears inside "a box", but not as the answer: whole words only."""
    text, _, _ = parse_reply("The label is on a box, so the answer is <|begin_of_box|>A<|end_of_box|>")
    assert text == "The label is on a box, so the answer is A"


def test_a_marker_split_across_two_chunks_is_held_back_and_nothing_else() -> None:
    pieces, _, parser = _stream(
        ["Your parcel ", "number is <|begin_", "of_box|>[[120, 40, 380, 90]]<|end_of", "_box|> and it has shipped."]
    )
    assert pieces[0] == "Your parcel"  # streamed at once (only the trailing space waits)
    assert pieces[1] == " number is"  # "<|begin_" is held back: it may be a marker
    assert pieces[2] == ""  # inside an open box
    assert pieces[3] == " and it has shipped."
    assert "".join(pieces) == "Your parcel number is and it has shipped."
    assert [b.box for b in parser.boxes] == [(120.0, 40.0, 380.0, 90.0)]


def test_a_think_marker_split_across_chunks() -> None:
    pieces, reasoning, _ = _stream(["<thi", "nk>checking the", " screen</th", "ink>Restart the router."])
    assert "".join(pieces) == "Restart the router." and reasoning == "checking the screen"


def test_a_lone_angle_bracket_is_text_once_it_cannot_be_a_marker() -> None:
    pieces, _, _ = _stream(["Use size <", "10 cm> only <"])
    assert pieces[0] == "Use size"
    assert "".join(pieces) == "Use size <10 cm> only <"  # the final "<" is released at the end


def test_an_unclosed_box_is_closed_at_the_end() -> None:
    text, _, boxes = parse_reply("It is here <|begin_of_box|>[10, 20, 30, 40]")
    assert text == "It is here" and boxes[0].box == (10.0, 20.0, 30.0, 40.0)


def test_boxes_map_to_the_customers_pixels_and_name_the_ocr_line_they_cover() -> None:
    parser = GlmOutputParser()
    parser.feed("The code is <|begin_of_box|>[100, 100, 500, 200]<|end_of_box|> and see <|begin_of_box|>")
    parser.feed("[600, 800, 900, 900]<|end_of_box|>")
    parser.finish()
    image = _image((2000, 1000))
    seen = Perception("t", (2000, 1000), (OcrLine("Code: K7Q2M9", (220.0, 110.0, 980.0, 190.0), 0.99),))
    evidence = answer_evidence(parser, image, seen)
    assert evidence[0].text == "Code: K7Q2M9" and evidence[0].box == (200.0, 100.0, 1000.0, 200.0)
    assert evidence[1].text == "and see" and evidence[1].box == (1200.0, 800.0, 1800.0, 900.0)  # no OCR line there


def test_box_corners_are_ordered_and_clamped() -> None:
    assert box_to_pixels((500, 600, 100, 1200), (100, 50)) == (10.0, 30.0, 50.0, 50.0)


def test_quoted_ocr_lines_are_evidence_too() -> None:
    parser = GlmOutputParser()
    parser.feed("Your Order: Z9 has shipped.")
    parser.finish()
    seen = Perception("t", (100, 100), (OcrLine("Order: Z9", (1, 2, 3, 4), 0.9), OcrLine("Other", (5, 6, 7, 8), 0.9)))
    assert [e.text for e in answer_evidence(parser, _image((100, 100)), seen)] == ["Order: Z9"]


def test_a_box_list_without_box_markers_is_read_too() -> None:
    pieces, _, parser = _stream(["The button is at [", "[120, 40, 380", ", 90]", "] on top."])
    assert "".join(pieces) == "The button is at on top."
    assert pieces[0] == "The button is at"  # only the "[" that may open a box list waits
    assert [b.box for b in parser.boxes] == [(120.0, 40.0, 380.0, 90.0)]


@pytest.mark.parametrize("text", ["See [[wiki link]] here.", "array a[i] and [[1, 2]]", "open [[ never closed"])
def test_double_brackets_that_are_not_boxes_stay_text(text: str) -> None:
    shown, _, boxes = parse_reply(text)
    assert shown == text and boxes == []


def test_a_reply_that_is_only_a_box_still_gets_words() -> None:
    from visdesk.domain import Evidence
    from visdesk.engines.glm_output import box_only_answer

    named = (Evidence("Serial: 4417", (1, 2, 3, 4)), Evidence("Serial: 4417", (1, 2, 3, 5)))
    assert box_only_answer(named, "en") == "Serial: 4417"
    assert box_only_answer((Evidence("", (1, 2, 3, 4)),), "zh") == "已在图中标出。"
