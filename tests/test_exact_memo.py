"""Large values (uploads, request bodies) are recognised as sent, and only the very same value is:
ExactMemo, and the pipeline's upload memo end to end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import make_settings
from tests.support.render import bmp_with_block
from visdesk import Assistant
from visdesk.api.common import decode_image_field
from visdesk.exact_memo import ExactMemo, parts_key, sampled_key

SIZE = 10_000


def test_the_same_value_sent_again_is_found() -> None:
    memo: ExactMemo[str] = ExactMemo(max_entries=8, max_size=1 << 20)
    first = "A" * SIZE
    memo.put(first, "content-1")
    again = "".join(["A" * 10, "A" * (SIZE - 10)])  # equal text, another object
    assert again is not first
    assert memo.get(again) == "content-1"
    assert memo.get(again.encode()) is None  # the same characters as bytes are another value


def test_a_value_sharing_the_key_but_not_the_content_is_not_taken_for_it() -> None:
    memo: ExactMemo[str] = ExactMemo(max_entries=8, max_size=1 << 20)
    original = "A" * SIZE
    altered = original[:3000] + "B" + original[3001:]  # outside the sampled start, middle and end
    assert sampled_key(altered) == sampled_key(original)
    memo.put(original, "content-1")
    assert memo.get(altered) is None
    memo.put(altered, "content-2")  # one entry per key: the newer replaces it
    assert memo.get(altered) == "content-2"
    assert memo.get(original) is None


def test_the_same_value_under_another_tag_is_another_entry() -> None:
    memo: ExactMemo[str] = ExactMemo(max_entries=8, max_size=1 << 20)
    memo.put(b"QUJD", "file-bytes", bytes)
    assert memo.get(b"QUJD", decode_image_field) is None
    assert memo.get(b"QUJD") is None
    assert memo.get(b"QUJD", bytes) == "file-bytes"


def test_the_memo_is_bounded_by_count_and_by_size() -> None:
    by_count: ExactMemo[str] = ExactMemo(max_entries=3, max_size=1 << 20)
    for i in range(5):
        by_count.put(f"{i}" * 100, f"c{i}")
    assert len(by_count) == 3
    assert by_count.get("0" * 100) is None and by_count.get("4" * 100) == "c4"
    by_size: ExactMemo[str] = ExactMemo(max_entries=100, max_size=2500)
    for i in range(5):
        by_size.put(f"{i}" * 1000, f"c{i}")
    assert len(by_size) == 2 and by_size.get("4" * 1000) == "c4"
    by_size.put("x" * 3000, "too-big")  # larger than the whole budget: not kept, nothing evicted
    assert by_size.get("x" * 3000) is None and len(by_size) == 2


def pieces(data: bytes, sizes: list[int]) -> list[bytes]:
    """`data` cut after each of `sizes` bytes (the rest in one last piece)."""
    out, start = [], 0
    for size in sizes:
        out.append(data[start : start + size])
        start += size
    return [*out, data[start:]]


@pytest.mark.parametrize("size", [0, 5, 2047, 2048, 4096, 5000, 70_000])
@pytest.mark.parametrize("cuts", [[], [1], [3, 2000, 1], [4096] * 3, [65536], [100] * 40])
def test_a_value_in_pieces_has_the_key_and_the_match_of_the_whole(size: int, cuts: list[int]) -> None:
    data = bytes(i * 7 % 251 for i in range(size))
    parts = pieces(data, cuts)
    assert b"".join(parts) == data
    assert parts_key(parts) == sampled_key(data) and parts_key(parts, bytes) == sampled_key(data, bytes)
    memo: ExactMemo[str] = ExactMemo(max_entries=8, max_size=1 << 20)
    memo.put(data, "whole")
    assert memo.get_parts(parts) == "whole"
    assert memo.get_parts(parts, bytes) is None  # another tag
    if size:
        changed = bytearray(data)
        changed[size // 3] ^= 1
        assert memo.get_parts(pieces(bytes(changed), cuts)) is None
        assert memo.get_parts(pieces(data + b"x", cuts)) is None
        assert memo.get_parts(pieces(data[:-1], cuts)) is None


def test_pieces_are_not_matched_against_text() -> None:
    memo: ExactMemo[str] = ExactMemo(max_entries=8, max_size=1 << 20)
    memo.put("QUJD", "text")
    assert memo.get_parts([b"QU", b"JD"]) is None


def test_an_equal_value_that_is_another_object_is_kept_in_its_place() -> None:
    """The next request carrying the newer object (a body remembered since) then matches by identity."""
    memo: ExactMemo[str] = ExactMemo(max_entries=8, max_size=1 << 20)
    first, second = "A" * SIZE, "".join(["A", "A" * (SIZE - 1)])
    memo.put(first, "content-1")
    assert memo.get(second) == "content-1"
    assert memo._entries[sampled_key(second)].sent is second


def test_a_value_read_again_is_kept_longest() -> None:
    memo: ExactMemo[str] = ExactMemo(max_entries=2, max_size=1 << 20)
    memo.put("a" * 10, "a")
    memo.put("b" * 10, "b")
    assert memo.get("a" * 10) == "a"
    memo.put("c" * 10, "c")  # the least recently used, "b", goes
    assert memo.get("b" * 10) is None and memo.get("a" * 10) == "a" and memo.get("c" * 10) == "c"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with Assistant.from_pretrained("embedded", settings=make_settings(tmp_path_factory.mktemp("uploads"))) as a:
        yield a


def test_two_images_whose_files_differ_only_between_the_samples_are_two_images(assistant: Assistant) -> None:
    black, red = bmp_with_block((0, 0, 0)), bmp_with_block((255, 0, 0))
    assert len(black) == len(red) and sampled_key(black) == sampled_key(red) and black != red
    first = assistant.ask(image=black, text="图片里有什么？")
    second = assistant.ask(image=red, text="图片里有什么？")
    again = assistant.ask(image=bytes(bytearray(black)), text="图片里有什么？")
    assert first.image_content_id and second.image_content_id
    assert first.image_content_id != second.image_content_id
    assert again.image_content_id == first.image_content_id and again.cached
