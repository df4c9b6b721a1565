"""Per-request work that depends only on what was sent, remembered for the next request that sends it.

Why: a cache hit on a 1 MB upload cost ≈0.5 ms of the app's own time, and after the upload's digest
the largest part was Python that gives the same result every time the same question and options
arrive: the question's normalisation, keyed log digest and language, the options' contract check
and cache-key text, the cache key itself, and rebuilding the cached answer's evidence, sources and
replayed text pieces (docs/performance.md, "Serving: cache hits and overload"). Each is a pure
function of its key (and of settings, fixed for a pipeline's life), so remembering it changes no
result: only successes are remembered, and input that is refused is checked, and refused, afresh.

The memos are bounded (oldest entry out first) and hold only small values: questions are capped by
`safety.max_question_chars`, and a cached answer's entry is dropped when the cache hands back a
different object for its key (a new answer, or a cache that deserialises on every read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from visdesk.domain import (
    Delta,
    Evidence,
    GenerationOptions,
    ImageInput,
    Language,
    Mode,
    Recommendation,
    Source,
    Turn,
)
from visdesk.input_contract import checked_options
from visdesk.language import detect_language
from visdesk.services import Services
from visdesk.settings import LimitsSettings

K = TypeVar("K")
V = TypeVar("V")
_CHUNK = 24  # characters per streamed piece when replaying a cached or canned answer


def cache_key(
    image: ImageInput | None, question: str, engine: str, mode: Mode, options_key: str, history: tuple[Turn, ...]
) -> str:
    """image content id + normalised question + engine + generation options (+ turns it depends on)."""
    normalised = " ".join(question.split()).casefold()
    turns = "|".join(f"{t.question}\x1f{t.answer}" for t in history)
    raw = "\x1e".join([image.content_id if image else "-", normalised, engine, mode.value, options_key, turns])
    return "answer:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def replay(text: str) -> list[Delta]:
    """A finished answer's text as the pieces a stream of it sends."""
    return [Delta(text=text[i : i + _CHUNK]) for i in range(0, len(text), _CHUNK)] or [Delta(text="")]


class Memo(Generic[K, V]):
    """A bounded dict: at most `size` entries, the oldest put evicted first (cheaper than LRU on a hit)."""

    __slots__ = ("_data", "_size")

    def __init__(self, size: int) -> None:
        self._data: dict[K, V] = {}
        self._size = size

    def get(self, key: K) -> V | None:
        return self._data.get(key)

    def put(self, key: K, value: V) -> V:
        data = self._data
        if key not in data and len(data) >= self._size:
            del data[next(iter(data))]
        data[key] = value
        return value

    def __len__(self) -> int:
        return len(self._data)


OptionsKey = tuple[object, ...]


def options_memo_key(options: GenerationOptions) -> OptionsKey | None:
    """A key under which equal keys mean the same checked options and the same cache-key text, or None
    (a JSON schema is a dict: not remembered). `repr` keeps apart what compares equal but is written
    differently in the cache key (1 and True, 0.0 and -0.0)."""
    if options.response_format is not None:
        return None
    return (
        options.mode,
        repr(options.max_new_tokens),
        options.choices,
        options.regex,
        options.stop,
        repr(options.temperature),
    )


class CachedReply:
    """What a cached answer's dict turns into, once per dict: its evidence, sources, recommendations
    and the text pieces it is replayed as (all immutable, so every hit can share them)."""

    __slots__ = ("deltas", "evidence", "hit", "recommendations", "sources")

    def __init__(
        self,
        hit: dict[str, Any],
        evidence: tuple[Evidence, ...],
        sources: tuple[Source, ...],
        recommendations: tuple[Recommendation, ...],
        deltas: tuple[Delta, ...],
    ) -> None:
        self.hit = hit  # the dict it was built from: an entry is used only for this very object
        self.evidence = evidence
        self.sources = sources
        self.recommendations = recommendations
        self.deltas = deltas


class RequestMemo:
    """The pipeline's memos (see the module docstring); one per Pipeline, so settings are fixed."""

    def __init__(self, services: Services, digest: Callable[[str], str]) -> None:
        self._services = services
        self._digest = digest
        self._questions: Memo[str, tuple[str, str, Language]] = Memo(1024)
        self._checked: Memo[OptionsKey, GenerationOptions] = Memo(256)
        self._option_keys: Memo[OptionsKey, str] = Memo(256)
        self._keys: Memo[tuple[str | None, str, Mode, str], str] = Memo(4096)  # cache keys without earlier turns
        self._replies: Memo[str, CachedReply] = Memo(1024)  # by cache key

    def question(self, raw: str) -> tuple[str, str, Language]:
        """The checked question (400s from safety.check_question), its keyed log digest and language."""
        known = self._questions.get(raw)
        if known is None:
            question = self._services.safety.check_question(raw)
            known = self._questions.put(raw, (question, self._digest(question), detect_language(question)))
        return known

    def checked_options(self, options: GenerationOptions, limits: LimitsSettings) -> GenerationOptions:
        """input_contract.checked_options (its 400s), remembered."""
        memo_key = options_memo_key(options)
        known = self._checked.get(memo_key) if memo_key is not None else None
        if known is None:
            known = checked_options(options, limits)
            if memo_key is not None:
                self._checked.put(memo_key, known)
        return known

    def options_key(self, options: GenerationOptions) -> str:
        """GenerationOptions.cache_key_part, remembered."""
        memo_key = options_memo_key(options)
        known = self._option_keys.get(memo_key) if memo_key is not None else None
        if known is None:
            known = options.cache_key_part()
            if memo_key is not None:
                self._option_keys.put(memo_key, known)
        return known

    def cache_key(
        self, image: ImageInput | None, question: str, mode: Mode, options_key: str, history: tuple[Turn, ...]
    ) -> str:
        engine = self._services.engine.name
        if history:
            return cache_key(image, question, engine, mode, options_key, history)
        memo_key = (image.content_id if image else None, question, mode, options_key)
        known = self._keys.get(memo_key)
        if known is None:
            known = self._keys.put(memo_key, cache_key(image, question, engine, mode, options_key, ()))
        return known

    def cached_reply(self, key: str, hit: dict[str, Any]) -> CachedReply:
        """The immutable parts of the cached answer `hit` (stored under `key`), built once per dict."""
        known = self._replies.get(key)
        if known is not None and known.hit is hit:
            return known
        evidence = tuple(
            Evidence(text=e["text"], box=tuple(e["box"]) if e.get("box") else None) for e in hit["evidence"]
        )
        sources = tuple(Source(**src) for src in hit["sources"])
        recommendations = tuple(Recommendation(**r) for r in hit.get("recommendations", ()))
        return self._replies.put(
            key, CachedReply(hit, evidence, sources, recommendations, tuple(replay(hit["answer"])))
        )
