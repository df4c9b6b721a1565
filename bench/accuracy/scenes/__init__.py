"""Scene registry: category name -> render(rng, doc_lang, q_lang, dark) -> Scene."""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable

from bench.accuracy.scenes.base import QA, Scene

Render = Callable[[random.Random, str, str, bool], Scene]

# category -> module under bench.accuracy.scenes (each exposes `render`)
CATEGORIES: dict[str, str] = {
    "order": "orders",
    "payment": "payment",
    "invoice": "invoice",
    "receipt": "receipt",
    "product_table": "products",
    "chart": "charts",
    "nameplate": "nameplate",
    "lab_report": "lab",
    "crash_log": "crashlog",
    "certification": "certification",
}

# kinds the first engine never had a handler for (issue #12): a separate set, so the classic
# dev set above renders byte-identically and old and new numbers stay comparable
NEW_CATEGORIES: dict[str, str] = {
    "logistics": "logistics",
    "refund": "refund",
    "ticket": "ticket",
    "pie_chart": "pie",
}
KIND_SETS: dict[str, tuple[str, ...]] = {
    "classic": tuple(CATEGORIES),
    "new": tuple(NEW_CATEGORIES),
    "all": (*CATEGORIES, *NEW_CATEGORIES),
}


def renderer(category: str) -> Render:
    module_name = CATEGORIES.get(category) or NEW_CATEGORIES[category]
    module = importlib.import_module(f"bench.accuracy.scenes.{module_name}")
    return module.render  # type: ignore[no-any-return]


__all__ = ["CATEGORIES", "KIND_SETS", "NEW_CATEGORIES", "QA", "Scene", "renderer"]
