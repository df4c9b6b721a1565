"""Registered explainers: domain answers (a crash, a card limit, a product's compatibility …).

Why a registry: the core of the embedded engine (parse → resolve → operate) never branches on a
document kind. Domain knowledge that needs more than a lookup registers here with a predicate;
the composer asks the registry first and falls back to the generic operations when no explainer
applies or an explainer finds nothing.

An explainer module calls `register(...)` at import; `BUILTIN` lists the modules the engine loads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from visdesk.domain import EngineRequest
from visdesk.engines.embedded.query import QuerySpec
from visdesk.engines.embedded.reply import Reply

Predicate = Callable[[QuerySpec, EngineRequest], bool]
Explain = Callable[[QuerySpec, EngineRequest], Reply | None]

BUILTIN: tuple[str, ...] = ("compat", "recommend", "troubleshoot", "table_reasoning", "chart_structure", "describe")
"""Module names under this package, imported once."""


@dataclass(frozen=True)
class Explainer:
    name: str
    applies: Predicate
    explain: Explain
    priority: int = 100  # lower runs first


_REGISTRY: dict[str, Explainer] = {}
_loaded = False


def register(name: str, applies: Predicate, explain: Explain, priority: int = 100) -> None:
    _REGISTRY[name] = Explainer(name, applies, explain, priority)


def registered() -> list[Explainer]:
    """Every explainer, the built-in modules imported once, in priority order."""
    global _loaded
    if not _loaded:
        for module in BUILTIN:
            importlib.import_module(f"{__name__}.{module}")
        _loaded = True
    return sorted(_REGISTRY.values(), key=lambda e: (e.priority, e.name))


def explain_first(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    """The reply of the first explainer that applies and finds an answer, else None."""
    for explainer in registered():
        if explainer.applies(spec, request):
            reply = explainer.explain(spec, request)
            if reply is not None:
                return reply
    return None
