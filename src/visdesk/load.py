"""Load governor: bounded in-flight work, a bounded queue, and the NORMAL/HIGH/EXTREME level."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from visdesk.domain import LoadLevel, Mode
from visdesk.errors import AppError, ErrorCode
from visdesk.settings import LoadSettings


@dataclass
class Admission:
    level: LoadLevel
    mode: Mode


class LoadGovernor:
    def __init__(self, settings: LoadSettings) -> None:
        self.settings = settings
        self._slots = asyncio.Semaphore(settings.max_in_flight)
        self._waiting = 0

    @property
    def level(self) -> LoadLevel:
        if self._waiting >= self.settings.extreme_queue_depth:
            return LoadLevel.EXTREME
        if self._waiting >= self.settings.high_queue_depth:
            return LoadLevel.HIGH
        return LoadLevel.NORMAL

    @asynccontextmanager
    async def admit(self, client: str) -> AsyncIterator[Admission]:
        level = self.level
        if level is LoadLevel.EXTREME:
            if client != "web":
                raise AppError(
                    ErrorCode.OVERLOADED,
                    "The service is overloaded; retry after a few seconds.",
                    headers={"Retry-After": str(self.settings.retry_after_s)},
                )
            yield Admission(level, Mode.FAST)
            return
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            yield Admission(level, Mode.FAST if level is LoadLevel.HIGH else Mode.QUALITY)
        finally:
            self._slots.release()
