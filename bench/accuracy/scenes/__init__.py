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


def renderer(category: str) -> Render:
    module = importlib.import_module(f"bench.accuracy.scenes.{CATEGORIES[category]}")
    return module.render  # type: ignore[no-any-return]


__all__ = ["CATEGORIES", "QA", "Scene", "renderer"]
