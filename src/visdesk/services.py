"""The service contracts the pipeline depends on, and the container that holds one of each.

Why protocols here: the pipeline is written against these small interfaces, so each concern
(cache, safety, load, history, metrics, perception, knowledge) lives in its own module with its
own tests, and `app.build_services` chooses the implementations from Settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from visdesk.domain import (
    Answer,
    ImageInput,
    LoadLevel,
    Mode,
    Passage,
    Perception,
    Query,
    Turn,
)
from visdesk.engines.base import Engine
from visdesk.settings import Settings


class Cache(Protocol):
    """Answer cache. Failures never raise: a broken backend behaves as a miss."""

    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def set(self, key: str, value: dict[str, Any], ttl_s: int | None = None) -> None: ...
    async def close(self) -> None: ...


class Perceiver(Protocol):
    """OCR + layout for one image, cached per content id (follow-ups reuse it)."""

    async def see(self, image: ImageInput) -> Perception: ...
    def cached(self, content_id: str) -> Perception | None: ...


class KnowledgeBase(Protocol):
    def search(self, query: Query, seen: Perception | None, top_k: int) -> Sequence[Passage]:
        """Passages for the question and what was seen (product matches may use query.image pixels)."""
        ...


class SafetyFilter(Protocol):
    def check_question(self, question: str) -> str:
        """Return the cleaned question or raise AppError (empty, too long, control characters)."""
        ...

    async def check_image(self, image: ImageInput) -> None:
        """Raise AppError(UNSAFE_IMAGE) for images above the classifier threshold."""
        ...

    def untrusted_flags(self, seen: Perception | None) -> tuple[str, ...]:
        """Flags for text in the image that tries to instruct the assistant (never obeyed)."""
        ...

    def mask_pii(self, text: str) -> str: ...


class Ticket(Protocol):
    level: LoadLevel
    mode: Mode


class LoadGovernor(Protocol):
    def admit(self, client: str, deadline: float | None = None) -> AbstractAsyncContextManager[Ticket]:
        """Wait for a slot (bounded queue) until `deadline` (time.perf_counter), else AppError(TIMEOUT).

        Raises AppError(OVERLOADED) for API clients at EXTREME.
        """
        ...

    @property
    def level(self) -> LoadLevel: ...


class HistoryStore(Protocol):
    async def turns(self, session_id: str, limit: int, *, owner: str = ...) -> tuple[Turn, ...]:
        """Earlier turns of `owner`'s session, oldest first; AppError(UNKNOWN_SESSION) if absent or not theirs."""
        ...

    async def session_exists(self, session_id: str, *, owner: str = ...) -> bool: ...
    async def new_session_id(self, *, owner: str = ...) -> str: ...
    async def record(self, query: Query, answer: Answer, image: ImageInput | None) -> None:
        """Persist the exchange durably (a new session belongs to query.owner) before the reply is acknowledged."""
        ...

    async def load_image(self, content_id: str) -> ImageInput | None:
        """A session image kept in the database (settings.history.store_images), else None."""
        ...

    async def session_view(self, session_id: str, *, owner: str = ...) -> dict[str, Any]:
        """`owner`'s session and its messages for GET /sessions/{id}; AppError(UNKNOWN_SESSION) otherwise."""
        ...

    async def close(self) -> None: ...


class ImageStore(Protocol):
    """Recent normalised images by content id, so a follow-up without an image can reuse it."""

    def put(self, image: ImageInput) -> None: ...
    def get(self, content_id: str) -> ImageInput | None: ...


class Metrics(Protocol):
    def observe_request(self, *, route: str, status: int, latency_s: float, ttft_s: float | None) -> None: ...
    def cache_event(self, hit: bool) -> None: ...
    def cache_error(self) -> None: ...
    def engine_error(self, engine: str) -> None: ...
    def safety_refusal(self, reason: str) -> None: ...
    def safety_flag(self, flag: str) -> None: ...


@dataclass
class Services:
    settings: Settings
    engine: Engine
    perceiver: Perceiver
    knowledge: KnowledgeBase
    cache: Cache
    safety: SafetyFilter
    governor: LoadGovernor
    history: HistoryStore
    images: ImageStore
    metrics: Metrics

    async def close(self) -> None:
        await self.engine.close()
        await self.cache.close()
        await self.history.close()
