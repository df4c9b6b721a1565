"""A bounded memo keyed by large values as sent (an upload, a request body), matched only exactly.

Why: a cache hit on a 1 MB upload should neither decode the image again (≈ 3 ms) nor hash or parse
the megabyte (encoding + BLAKE3 ≈ 0.3 ms, JSON parsing ≈ 0.2 ms: under load the largest costs of a
hit, since each pass over a megabyte competes for memory bandwidth). A value is looked up by a key
sampled from its start, middle and end, and a match is confirmed by comparing it in full (one
memcmp, ≈ 0.05 ms; none when it is the very object remembered), so nothing but the very same bytes
under the same tag is ever taken for a known value: no digest, so no value can be passed off as
another. One entry per key: a different value that shares a key replaces it (a miss, never a wrong
hit). Bounded by count and by the size of what it keeps, least recently used out first.

A hit on an equal value that is another object keeps the newer object, so the next request that
carries it (a body remembered since, whose image field is that string) is matched by identity. A
body that arrived in pieces is matched piece by piece (`get_parts`), without joining it: joining
1 MB and comparing it costs ≈ 0.09 ms, comparing the pieces in place ≈ 0.03 ms.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, NamedTuple, TypeVar

V = TypeVar("V")
Sent = bytes | str
_SAMPLE = 2048  # characters (or bytes) of the start, middle and end in the lookup key


def sampled_key(sent: Sent, tag: object = None) -> int:
    """Equal for equal values under equal tags; different values may share it (the memo compares in full)."""
    half = len(sent) // 2
    return hash((tag, len(sent), sent[:_SAMPLE], sent[half : half + _SAMPLE], sent[-_SAMPLE:]))


def _span(parts: Sequence[bytes], start: int, stop: int) -> bytes:
    """Bytes [start, stop) of the parts' concatenation, without building it."""
    pieces, offset = [], 0
    for part in parts:
        end = offset + len(part)
        if end > start and offset < stop:
            pieces.append(part[max(start - offset, 0) : stop - offset])
        if end >= stop:
            break
        offset = end
    return b"".join(pieces)


def parts_key(parts: Sequence[bytes], tag: object = None) -> int:
    """`sampled_key(b"".join(parts), tag)`, computed from the pieces."""
    size = sum(map(len, parts))
    half = size // 2
    samples = (_span(parts, 0, _SAMPLE), _span(parts, half, half + _SAMPLE), _span(parts, size - _SAMPLE, size))
    return hash((tag, size, *samples))


def _same_bytes(known: Sent, parts: Sequence[bytes]) -> bool:
    """known == b"".join(parts), one memcmp per part (`startswith` at an offset copies nothing)."""
    if type(known) is not bytes:
        return False
    offset = 0
    for part in parts:
        if not known.startswith(part, offset):
            return False
        offset += len(part)
    return offset == len(known)


class _Entry(NamedTuple, Generic[V]):
    sent: Sent
    tag: object
    value: V


class ExactMemo(Generic[V]):
    """At most `max_entries` values and `max_size` bytes (characters) of what was sent."""

    def __init__(self, max_entries: int, max_size: int) -> None:
        self.max_entries = max_entries
        self.max_size = max_size
        self._entries: OrderedDict[int, _Entry[V]] = OrderedDict()
        self._size = 0

    def get(self, sent: Sent, tag: object = None) -> V | None:
        """What was put for this very value under this tag, if it is still held."""
        key = sampled_key(sent, tag)
        entry = self._entries.get(key)
        if entry is None or entry.tag is not tag or type(entry.sent) is not type(sent) or entry.sent != sent:
            return None
        if entry.sent is not sent:
            entry = self._entries[key] = _Entry(sent, tag, entry.value)
        self._entries.move_to_end(key)
        return entry.value

    def get_parts(self, parts: Sequence[bytes], tag: object = None) -> V | None:
        """`get(b"".join(parts), tag)` for bytes that arrived in pieces, compared in place."""
        key = parts_key(parts, tag)
        entry = self._entries.get(key)
        if entry is None or entry.tag is not tag or not _same_bytes(entry.sent, parts):
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, sent: Sent, value: V, tag: object = None) -> V:
        if len(sent) <= self.max_size:
            key = sampled_key(sent, tag)
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.sent)
            self._entries[key] = _Entry(sent, tag, value)
            self._size += len(sent)
            while len(self._entries) > self.max_entries or self._size > self.max_size:
                _, oldest = self._entries.popitem(last=False)
                self._size -= len(oldest.sent)
        return value

    def __len__(self) -> int:
        return len(self._entries)
