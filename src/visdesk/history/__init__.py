"""Sessions, messages and feedback: the SQL store (SQLite WAL or PostgreSQL) and an in-memory one."""

from __future__ import annotations

import asyncio
import logging

from visdesk.history.database import open_engine, upgrade_to_head
from visdesk.history.memory import MemoryHistory
from visdesk.history.store import RATINGS, Mask, SqlHistory
from visdesk.settings import Settings

log = logging.getLogger("visdesk.history")

__all__ = ["RATINGS", "MemoryHistory", "SqlHistory", "build_history", "pii_masker"]


def pii_masker(settings: Settings) -> Mask | None:
    """visdesk.safety's mask_pii when settings.safety.mask_pii_in_history, else None (store as given)."""
    if not settings.safety.mask_pii_in_history:
        return None
    from visdesk.safety.pii import mask_pii

    return mask_pii


async def build_history(settings: Settings, mask: Mask | None = None) -> SqlHistory:
    """Open settings.history.database_url, migrate it to head (Alembic), and return the store."""
    engine = open_engine(
        settings.history.database_url,
        pool_size=settings.history.pool_size,
        sqlite_synchronous=settings.history.sqlite_synchronous,
    )
    try:
        await asyncio.to_thread(upgrade_to_head, engine)
    except Exception:
        engine.dispose()
        raise
    return SqlHistory(
        engine,
        store_images=settings.history.store_images,
        max_side=settings.images.max_side,
        mask=mask or pii_masker(settings),
        workers=settings.history.pool_size,
    )
