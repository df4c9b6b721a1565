"""Constrained outputs: choices, JSON schema, regex, token budget."""

from __future__ import annotations

import json

import pytest

from tests.engines.embedded.helpers import ask
from visdesk.errors import AppError

LAB_SCHEMA = {
    "type": "object",
    "properties": {
        "指标": {"type": "string"},
        "数值": {"type": "number"},
        "单位": {"type": "string"},
        "状态": {"type": "string", "enum": ["偏高", "正常", "偏低"]},
    },
    "required": ["指标", "数值", "单位", "状态"],
}


async def test_choices_pick_the_label_the_evidence_supports() -> None:
    choices = ("物流问题", "支付问题", "质量问题")
    result = await ask("order_page_zh", "这是什么问题？", choices=choices)
    assert result.text == "支付问题"
    assert result.last.structured is not None and result.last.structured["choice"] == "支付问题"
    english = await ask("order_page_zh", "Route this ticket", choices=("shipping", "payment", "refund"))
    assert english.text in ("shipping", "payment", "refund")
    assert english.last.structured is not None and 0 <= english.last.structured["confidence"] <= 1


async def test_json_schema_is_filled_from_the_table_and_validated() -> None:
    result = await ask("lab_report", "提取化验结果", response_format=LAB_SCHEMA)
    data = json.loads(result.text)
    assert data == {"指标": "血糖", "数值": 6.8, "单位": "mmol/L", "状态": "偏高"}
    assert result.last.structured == {"data": data, "valid": True, "errors": []}
    assert {e.text for e in result.last.evidence} >= {"血糖", "6.8", "mmol/L", "偏高"}
    row = await ask("lab_report", "血红蛋白的结果", response_format=LAB_SCHEMA)
    assert json.loads(row.text)["数值"] == 135


async def test_json_schema_reports_what_is_missing() -> None:
    schema = {"type": "object", "properties": {"invoice_code": {"type": "string"}, "phone": {"type": "string"}},
              "required": ["invoice_code", "phone"]}  # fmt: skip
    result = await ask("invoice_zh", "extract", response_format=schema)
    structured = result.last.structured
    assert structured is not None and structured["data"]["invoice_code"] == "044031900111"
    assert structured["valid"] is False and structured["errors"]


async def test_regex_returns_the_matching_value_or_says_it_does_not_match() -> None:
    ok = await ask("nameplate_en", "What is the serial?", regex=r"SN\d{7}")
    assert ok.text == "SN7741209" and ok.last.structured == {"valid": True, "value": "SN7741209"}
    assert ok.last.evidence
    miss = await ask("nameplate_en", "What is the serial?", regex=r"XX\d{9}")
    assert miss.last.structured is not None and miss.last.structured["valid"] is False
    assert "SN7741209" not in miss.text
    with pytest.raises(AppError):
        await ask("nameplate_en", "serial?", regex="([unclosed")


async def test_max_new_tokens_truncates_with_length_finish() -> None:
    full = await ask("order_page_zh", "图里是什么？")
    short = await ask("order_page_zh", "图里是什么？", max_new_tokens=6)
    assert short.last.finish_reason == "length"
    assert len(short.text) < len(full.text) and full.text.startswith(short.text)
    roomy = await ask("order_page_zh", "订单号是多少？", max_new_tokens=500)
    assert roomy.last.finish_reason == "stop"
