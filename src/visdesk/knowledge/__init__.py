"""Knowledge base: the shop's manuals, FAQ, error codes and catalog, searchable with citations.

`build_knowledge(settings)` ingests the configured folders (or the bundled demo shop) into the
SQLite index incrementally and returns the service the pipeline calls once per request.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from visdesk.knowledge.index import KnowledgeIndex, SyncReport
from visdesk.knowledge.service import KnowledgeService
from visdesk.settings import Settings

log = logging.getLogger("visdesk.knowledge")

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo_kb"


def knowledge_dirs(settings: Settings) -> list[Path]:
    """The folders to ingest: settings.knowledge.dirs, else the bundled demo when use_demo."""
    if settings.knowledge.dirs:
        return list(settings.knowledge.dirs)
    return [DEMO_DIR] if settings.knowledge.use_demo else []


def open_index(settings: Settings) -> KnowledgeIndex:
    return KnowledgeIndex(settings.knowledge.index_path, settings.knowledge.analyzer)


def build_knowledge(settings: Settings) -> KnowledgeService:
    """Sync the index with its folders (only changed files are re-read) and serve it."""
    index = open_index(settings)
    report = index.sync(knowledge_dirs(settings), progress=False)
    log.info(
        "knowledge base ready",
        extra={"fields": {"chunks": report.chunks, "products": report.products, "changed": report.changed}},
    )
    for problem in report.errors:
        log.warning("knowledge file skipped", extra={"fields": {"problem": problem}})
    # Load the segmenter's dictionary now, off the start-up path, rather than on the first question.
    threading.Thread(target=index.analyzer.warm_up, name="kb-warm-up", daemon=True).start()
    return KnowledgeService(index, product_match=settings.knowledge.product_match)


__all__ = ["DEMO_DIR", "KnowledgeIndex", "KnowledgeService", "SyncReport", "build_knowledge", "knowledge_dirs"]
