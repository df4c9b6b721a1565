"""The input contract's rules without a server: text normaliser, schema guard, option caps, OCR padding."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from visdesk.domain import Ask, GenerationOptions, Turn
from visdesk.errors import AppError, ErrorCode
from visdesk.images import pad_for_ocr
from visdesk.input_contract import checked_ask
from visdesk.schema_guard import check_schema
from visdesk.settings import LimitsSettings
from visdesk.text_input import normalise_id, normalise_text

LIMITS = LimitsSettings()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  订单号？ ", "订单号？"),
        ("e\u0301", "é"),  # NFC
        ("a\u200bb\u200dc\u2060d\ufeff", "abcd"),  # zero-width and BOM
        ("\u202aab\u202e\u2066c\u2069", "abc"),  # bidi embeddings, overrides, isolates
        ("line1\nline2\tx\r", "line1\nline2\tx"),  # tab and newlines kept (inner), ends trimmed
        ("\x00a\x07b\x1b\x7f", "ab"),
        ("\x85x\x9f", "x"),  # C1 controls
        ("tag\U000e0041\U000e0042", "tag"),  # tag characters (ASCII smuggling)
        ("👩‍💻 ok", "👩💻 ok"),
    ],
)
def test_normalise_text(raw: str, clean: str) -> None:
    assert normalise_text(raw, "question") == clean


@pytest.mark.parametrize("raw", ["\ud800", "ab\udfffc", "\ud83d?"])
def test_lone_surrogates_are_refused_with_their_position(raw: str) -> None:
    with pytest.raises(AppError) as caught:
        normalise_text(raw, "question")
    assert caught.value.code is ErrorCode.INVALID_TEXT
    assert caught.value.details["position"] == next(i for i, ch in enumerate(raw) if 0xD800 <= ord(ch) <= 0xDFFF)


def test_ids_are_bounded_and_printable() -> None:
    assert normalise_id("  abc  ", "session_id", 8) == "abc"
    assert normalise_id("", "session_id", 8) is None
    for bad in ["a" * 9, "ab\x00", "ab\u200b", "ab\ud800"]:
        with pytest.raises(AppError) as caught:
            normalise_id(bad, "session_id", 8)
        assert caught.value.code is ErrorCode.INVALID_TEXT


ACCEPTED: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": {"type": "string"}}},
    {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}},
    {"$defs": {"a": {"type": "string"}}, "type": "object", "properties": {"x": {"$ref": "#/$defs/a"}}},
    {"$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}}}}, "$ref": "#/$defs/n"},
    {"definitions": {"a/b": {"type": "integer"}}, "properties": {"x": {"$ref": "#/definitions/a~1b"}}},
]
REFUSED: dict[str, Any] = {
    "self": {"$ref": "#"},
    "defs_loop": {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    "any_of_loop": {"$defs": {"a": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"},
    "not_loop": {"not": {"$ref": "#"}},
    "remote": {"$ref": "https://example.com/s.json"},
    "relative": {"$ref": "other.json#/a"},
    "anchor": {"$ref": "#node"},
    "dangling": {"$ref": "#/$defs/none"},
    "dynamic": {"$dynamicRef": "#meta"},
    "not_an_object": ["type", "object"],
}


@pytest.mark.parametrize("schema", ACCEPTED)
def test_self_contained_schemas_pass(schema: dict[str, Any]) -> None:
    check_schema(schema, max_bytes=LIMITS.max_schema_bytes, max_depth=LIMITS.max_schema_depth)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_unbounded_or_remote_schemas_are_refused(name: str) -> None:
    with pytest.raises(AppError) as caught:
        check_schema(REFUSED[name], max_bytes=LIMITS.max_schema_bytes, max_depth=LIMITS.max_schema_depth)
    assert caught.value.status == 400 and caught.value.details["field"] == "response_format"


def test_a_long_defs_chain_is_checked_without_recursion_errors() -> None:
    defs = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(3000)}
    defs["d3000"] = {"$ref": "#/$defs/d0"}
    with pytest.raises(AppError, match="loop"):
        check_schema({"$defs": defs, "$ref": "#/$defs/d0"}, max_bytes=10**7, max_depth=32)


def test_checked_ask_normalises_turns_and_dedupes_choices() -> None:
    ask = Ask(
        question="q",
        session_id=" s1 ",
        history=(Turn(question="a\u200b", answer="b\u202e"),),
        options=GenerationOptions(choices=("yes", "yes\u200b", "no")),
    )
    checked = checked_ask(ask, LIMITS)
    assert checked.session_id == "s1"
    assert checked.history == (Turn(question="a", answer="b"),)
    assert checked.options.choices == ("yes", "no")


@pytest.mark.parametrize(
    "options",
    [
        GenerationOptions(choices=("x",) * 65),
        GenerationOptions(choices=("x" * 201,)),
        GenerationOptions(choices=("\u200b",)),
        GenerationOptions(regex="a" * 513),
        GenerationOptions(regex="(?P<"),
        GenerationOptions(stop=("a",) * 5),
        GenerationOptions(stop=("\udc00",)),
    ],
)
def test_option_caps(options: GenerationOptions) -> None:
    with pytest.raises(AppError) as caught:
        checked_ask(Ask(question="q", options=options), LIMITS)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("size", "padded"), [((2048, 1), (2048, 69)), ((1, 1), (32, 32)), ((3, 900), (32, 900)), ((640, 480), (640, 480))]
)
def test_pad_for_ocr_keeps_the_pixels_top_left(size: tuple[int, int], padded: tuple[int, int]) -> None:
    image = Image.new("RGB", size, (10, 20, 30))
    out = pad_for_ocr(image)
    assert out.size == padded
    assert out.crop((0, 0, *size)).tobytes() == image.tobytes()
    assert out.getpixel((padded[0] - 1, padded[1] - 1)) == (10, 20, 30)  # edge colour, no new edges
