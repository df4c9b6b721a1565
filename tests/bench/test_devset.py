"""The dev-set generator renders valid, deterministic items, and the scorer tells right from wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.accuracy.generate import generate
from bench.accuracy.scenes import CATEGORIES
from bench.accuracy.score import is_correct, summarise, yes_no
from PIL import Image

N = 10
REQUIRED = {"id", "image", "question", "answers", "category", "subcategory", "question_lang", "doc_lang", "condition"}


@pytest.fixture(scope="module")
def devset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("devset")
    generate(N, seed=3, out_dir=out)
    with (out / "items.jsonl").open(encoding="utf-8") as f:
        return out, [json.loads(line) for line in f]


def test_items_are_complete_and_images_decode(devset: tuple[Path, list[dict]]) -> None:
    root, items = devset
    assert len(items) == N
    assert len({it["id"] for it in items}) == N
    for item in items:
        assert item.keys() >= REQUIRED
        assert item["category"] in CATEGORIES
        assert item["question"].strip() and all(a.strip() for a in item["answers"])
        assert item["condition"] in ("clean", "degraded", "photo")
        with Image.open(root / item["image"]) as image:
            image.load()
            assert min(image.size) >= 200


def test_generation_is_deterministic(devset: tuple[Path, list[dict]], tmp_path: Path) -> None:
    root, items = devset
    again = generate(4, seed=3, out_dir=tmp_path)
    assert [it["question"] for it in again] == [it["question"] for it in items[:4]]
    first = items[0]["image"]
    assert (tmp_path / first).read_bytes() == (root / first).read_bytes()


def test_perfect_predictions_score_100_and_empty_score_0(devset: tuple[Path, list[dict]]) -> None:
    _, items = devset
    perfect = [is_correct(it["answers"][0], it) for it in items]
    empty = [is_correct("", it) for it in items]
    assert all(perfect)
    assert not any(empty)
    summary = summarise(items, perfect, ["category", "condition"])
    assert summary["overall"] == {"right": N, "n": N, "accuracy": 1.0}
    assert sum(c["n"] for c in summary["category"].values()) == N


def test_scorer_rules() -> None:
    item = {"answers": ["1,299.00"], "wrong": []}
    assert is_correct("实付款为 ¥1299.00。", item)
    assert not is_correct("实付款为 ¥129.00", item)
    which = {"answers": ["Yoga Mat"], "wrong": ["Desk Lamp"]}
    assert is_correct("The Yoga Mat ships last.", which)
    assert not is_correct("Yoga Mat, Desk Lamp", which)  # listing every candidate is not an answer
    assert yes_no("不是，图中没有CE标志") == "no"
    assert yes_no("是的，有CE标志") == "yes"
    assert yes_no("No — the mark is not shown") == "no"
    assert yes_no("Yes, it shows one") == "yes"
    assert is_correct("否", {"answers": ["否"], "answer_type": "yesno"})
    assert not is_correct("Yes, it is shown on the box", {"answers": ["no"], "answer_type": "yesno"})
