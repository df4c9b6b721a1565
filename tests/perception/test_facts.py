"""Typed fact patterns and OCR digit corrections on plain strings (no image needed)."""

from __future__ import annotations

import pytest

from visdesk.domain import OcrLine
from visdesk.perception.facts import extract_facts, fix_digit_confusions, parse_amount


def facts_of(text: str) -> dict[str, list[str]]:
    found = extract_facts((OcrLine(text, (0, 0, 10, 10), 1.0),))
    return {kind: [str(f["text"]) for f in items] for kind, items in found.items()}


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("TOTAL RM 1,234.56", "money", "RM 1,234.56"),
        ("合计 568.00元", "money", "568.00元"),
        ("Error 0x80070005 occurred", "error_code", "0x80070005"),
        ("ERR_CONNECTION_RESET", "error_code", "ERR_CONNECTION_RESET"),
        ("HTTP 503 Service Unavailable", "http_status", "503"),
        ("日期 2024年5月8日", "date", "2024年5月8日"),
        ("Date: 03 Jan 2019", "date", "03 Jan 2019"),
        ("Traceback: ValueError: bad input", "exception", "ValueError"),
        ('  File "app/cart.py", line 42, in total', "stack_frame", 'File "app/cart.py", line 42'),
        ("App v2.10.3-beta", "version", "v2.10.3-beta"),
        ("运单 YT1234567890123", "tracking", "YT1234567890123"),
    ],
)
def test_fact_kinds(text: str, kind: str, expected: str) -> None:
    assert expected in facts_of(text).get(kind, [])


def test_amounts_are_not_versions_or_codes() -> None:
    facts = facts_of("实付 ¥1,299.00")
    assert "version" not in facts and "error_code" not in facts
    assert parse_amount("¥1,299.00") == 1299.0
    assert parse_amount("no number") is None


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [("2O24O518123", "20240518123"), ("SF1234567890", "SF1234567890"), ("Total 6l.5", "Total 6l.5"), ("1O0S", "1O0S")],
)
def test_digit_confusions_only_inside_numbers(raw: str, fixed: str) -> None:
    assert fix_digit_confusions(raw) == fixed
