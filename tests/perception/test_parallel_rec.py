"""Parallel text recognition reads the same text, with the same boxes, as serial recognition."""

from __future__ import annotations

from tests.support.render import png_bytes, render_lines
from visdesk.images import intake
from visdesk.perception.ocr import OcrReader
from visdesk.settings import ImageSettings, OcrSettings

LINES = [
    "订单详情 Order details",
    "订单编号：20261122001",
    "快递单号：SF1357924680",
    "收货人：张先生",
    "Total paid: ¥ 5,999.00",
    "Status: shipped 已发货",
    "Payment: credit card",
    "下单时间：2026-11-20 10:32",
]


def test_parallel_recognition_matches_serial() -> None:
    image = intake(png_bytes(render_lines(LINES)), ImageSettings())
    serial = OcrReader(OcrSettings(rec_workers=1))
    parallel = OcrReader(OcrSettings(rec_workers=2))
    serial_lines, parallel_lines = serial.read(image), parallel.read(image)
    assert parallel.parallel_recognition and not serial.parallel_recognition
    assert len(parallel_lines) == len(serial_lines) >= len(LINES)
    for a, b in zip(serial_lines, parallel_lines, strict=True):
        # Batches pad lines to their widest member, so a space may come or go; the characters may not.
        assert a.text.replace(" ", "") == b.text.replace(" ", "")
        assert a.box == b.box
    assert any("SF1357924680" in line.text for line in parallel_lines)
