"""The new document kinds (issue #12) render valid items in their own set; the classic set is unchanged."""

from __future__ import annotations

from pathlib import Path

from bench.accuracy.generate import generate
from bench.accuracy.scenes import CATEGORIES, NEW_CATEGORIES
from PIL import Image


def test_new_kinds_render_items_of_every_new_category(tmp_path: Path) -> None:
    items = generate(16, seed=5, out_dir=tmp_path, kinds="new")
    assert {it["category"] for it in items} == set(NEW_CATEGORIES)
    assert not set(NEW_CATEGORIES) & set(CATEGORIES)
    for item in items:
        assert item["question"].strip() and all(a.strip() for a in item["answers"])
        with Image.open(tmp_path / item["image"]) as image:
            assert min(image.size) >= 200


def test_the_classic_set_draws_only_the_classic_categories(tmp_path: Path) -> None:
    items = generate(20, seed=5, out_dir=tmp_path)
    assert {it["category"] for it in items} <= set(CATEGORIES)
