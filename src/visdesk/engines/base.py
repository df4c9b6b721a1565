"""The Engine protocol: every answer engine (embedded, transformers, remote) implements it.

Why a protocol with declared capabilities (after simonw/llm): the pipeline asks an engine what it
can do (beams? batching? sees pixels?) instead of testing its type, and new engines plug in
through the registry without an if/elif chain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from visdesk.domain import Delta, EngineRequest


@dataclass(frozen=True)
class Capabilities:
    streaming: bool = True
    sees_pixels: bool = False  # receives the image itself, not only the Grounding
    beams: bool = False  # supports quality mode with beam search
    batching: bool = False
    constrained: bool = False  # enforces choices / JSON schema / regex itself
    needs_ocr: bool = True  # wants the Perception in its Grounding


@runtime_checkable
class Engine(Protocol):
    name: str
    capabilities: Capabilities

    async def start(self) -> None:
        """Load weights / open connections. Called once by the app lifespan; may be slow."""

    def stream(self, request: EngineRequest) -> AsyncIterator[Delta]:
        """Yield the answer as it is produced. Cancelling the iteration must stop the work."""
        ...

    async def close(self) -> None:
        """Release resources."""

    def ready(self) -> bool:
        """True once start() has completed and the engine can answer."""
        ...


class ReadyAfterStart:
    """start / close / ready for engines with nothing to load or release: ready from start() to close()."""

    _ready = False

    async def start(self) -> None:
        self._ready = True

    async def close(self) -> None:
        self._ready = False

    def ready(self) -> bool:
        return self._ready
