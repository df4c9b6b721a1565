"""Document recall judges whether the answer is among the builder's candidates (hand-built lines, no OCR)."""

from __future__ import annotations

from bench.accuracy.recall import judge

from visdesk.domain import OcrLine
from visdesk.perception.layout import analyse


def test_recall_sees_a_labelled_fact_and_misses_an_unpaired_answer() -> None:
    lines = (
        OcrLine("Inspector: Jane Okafor", (20, 20, 320, 44), 0.95),
        OcrLine("Serial SN-20931", (20, 80, 240, 104), 0.95),
    )
    doc = analyse("t", (400, 200), lines, None).document
    assert doc is not None
    hit = judge(doc, {"question": "What is entered for “Inspector”?", "answers": ["Jane Okafor"]})
    assert hit == {"ocr": True, "value": True, "inside": True, "labelled": True, "quoted": True}
    miss = judge(doc, {"question": "Who signed?", "answers": ["J. Smith"]})
    assert not any(miss.values())
