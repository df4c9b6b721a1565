"""Engine registry: a name maps to a factory; heavy engines import their libraries lazily.

Spec strings: "embedded", "transformers" or "transformers:<model id or dir>", "remote" or
"remote:<base_url>", and "auto" (transformers when its weights are on disk, else embedded).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from visdesk.engines.base import Capabilities, Engine
from visdesk.errors import AppError, ErrorCode

if TYPE_CHECKING:
    from visdesk.settings import Settings

EngineFactory = Callable[["Settings", str], Engine]
"""factory(settings, argument) -> Engine; `argument` is what follows the ':' in the spec."""

_FACTORIES: dict[str, str] = {
    # name -> "module:function" (imported on first use so torch/httpx load only when needed)
    "embedded": "visdesk.engines.embedded:create",
    "transformers": "visdesk.engines.transformers:create",
    "remote": "visdesk.engines.remote:create",
}


def register(name: str, target: str) -> None:
    """Register an engine factory given as "module:function" (plugins call this)."""
    _FACTORIES[name] = target


def available() -> list[str]:
    return sorted(_FACTORIES)


def parse_spec(spec: str) -> tuple[str, str]:
    name, _, argument = spec.partition(":")
    return name.strip().lower(), argument.strip()


def create_engine(spec: str, settings: Settings) -> Engine:
    """Build the engine named by `spec` (not started)."""
    name, argument = parse_spec(spec)
    if name == "auto":
        name, argument = _resolve_auto(settings)
    target = _FACTORIES.get(name)
    if target is None:
        raise AppError(
            ErrorCode.ENGINE_UNAVAILABLE,
            f"Unknown engine {name!r}. Available: {', '.join(available())}.",
        )
    module_name, _, func_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise AppError(
            ErrorCode.ENGINE_UNAVAILABLE,
            f"Engine {name!r} needs optional packages that are not installed ({exc.name}). "
            "Install them with: pip install 'visdesk[vlm]'.",
        ) from exc
    factory: EngineFactory = getattr(module, func_name)
    return factory(settings, argument)


def _resolve_auto(settings: Settings) -> tuple[str, str]:
    """Pick the best engine whose requirements are met on this machine."""
    if settings.remote.base_url:
        return "remote", settings.remote.base_url
    try:
        from visdesk.engines.transformers import weights_available
    except ImportError:
        return "embedded", ""
    if weights_available(settings.transformers.model):
        return "transformers", settings.transformers.model
    return "embedded", ""


__all__ = ["Capabilities", "Engine", "available", "create_engine", "parse_spec", "register"]
