"""Fixtures: the demo shop's knowledge base indexed once per session in a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from visdesk.domain import OcrLine, Perception, Query
from visdesk.knowledge import DEMO_DIR, KnowledgeIndex, KnowledgeService
from visdesk.language import detect_language


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeService:
    index = KnowledgeIndex(tmp_path_factory.mktemp("kb") / "demo.sqlite3")
    report = index.sync([DEMO_DIR], progress=False)
    assert not report.errors, report.errors
    return KnowledgeService(index)


def ask(question: str, image=None) -> Query:  # type: ignore[no-untyped-def]
    return Query(question=question, image=image, language=detect_language(question))


def seen(*lines: str, content_id: str = "test") -> Perception:
    """What OCR would report for a screenshot with these lines, one under the other."""
    ocr = tuple(
        OcrLine(text=t, box=(10.0, 10.0 + 30 * i, 400.0, 34.0 + 30 * i), score=0.98) for i, t in enumerate(lines)
    )
    return Perception(content_id=content_id, size=(420, 40 + 30 * len(lines)), lines=ocr)


def where(passage) -> str:  # type: ignore[no-untyped-def]
    return f"{passage.source}|{passage.title}|{passage.section}"


DEMO = Path(DEMO_DIR)
