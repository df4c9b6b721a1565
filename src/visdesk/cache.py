"""Answer cache: in-process LRU with TTL (default) or Redis shared across replicas."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any


class MemoryCache:
    """LRU + TTL in this process. Cheap: a dict lookup and a move-to-end."""

    def __init__(self, max_entries: int = 10_000, ttl_s: int = 3600) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._data: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    async def get(self, key: str) -> dict[str, Any] | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    async def set(self, key: str, value: dict[str, Any], ttl_s: int | None = None) -> None:
        self._data[key] = (time.monotonic() + (ttl_s or self.ttl_s), value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    async def close(self) -> None:
        self._data.clear()


class NoCache:
    async def get(self, key: str) -> dict[str, Any] | None:
        return None

    async def set(self, key: str, value: dict[str, Any], ttl_s: int | None = None) -> None:
        return None

    async def close(self) -> None:
        return None
