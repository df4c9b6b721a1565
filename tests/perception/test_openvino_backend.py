"""OCR on OpenVINO reads what onnxruntime reads, from concurrent threads too, and falls back cleanly."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.render import png_bytes, render_lines
from visdesk.images import intake
from visdesk.perception.ocr import OcrReader
from visdesk.settings import ImageSettings, OcrSettings

PAGES = [
    ["订单详情 Order details", "订单编号：20261122001", "快递单号：SF1357924680", "实付款：¥ 5,999.00"],
    ["Invoice No. INV-2026-0042", "Date: 2026-11-20", "Subtotal: $1,240.50", "Tax (8%): $99.24"],
    ["错误代码：E1031", "银行卡单笔限额 ¥3,000.00", "请更换支付方式", "Payment failed"],
    ["Model: VX-220", "Serial No: SN8847-2291", "Rated power: 1500W", "220-240V ~ 50/60Hz"],
]


def _texts(lines: tuple) -> list[str]:  # type: ignore[type-arg]
    return [line.text.replace(" ", "") for line in lines]


@pytest.fixture(scope="module")
def images() -> list:  # type: ignore[type-arg]
    return [intake(png_bytes(render_lines(page)), ImageSettings()) for page in PAGES]


def test_openvino_reads_what_onnxruntime_reads(images: list) -> None:  # type: ignore[type-arg]
    openvino = OcrReader(OcrSettings(backend="openvino"))
    onnx = OcrReader(OcrSettings(backend="onnxruntime"))
    for image in images:
        ov_lines, ort_lines = openvino.read(image), onnx.read(image)
        assert _texts(ov_lines) == _texts(ort_lines)
        for a, b in zip(ov_lines, ort_lines, strict=True):  # bf16 detection may move an edge by a pixel or two
            assert max(abs(p - q) for p, q in zip(a.box, b.box, strict=True)) <= 4
    assert openvino.backend.startswith("openvino/") and onnx.backend == "onnxruntime"
    assert any("SF1357924680" in text for text in _texts(openvino.read(images[0])))


def test_concurrent_reads_do_not_mix_outputs(images: list) -> None:  # type: ignore[type-arg]
    """Each thread has its own infer request: results under concurrency equal the serial ones."""
    reader = OcrReader(OcrSettings(backend="openvino"))
    serial = [_texts(reader.read(image)) for image in images]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(lambda image: _texts(reader.read(image)), images)) == serial


def test_auto_falls_back_to_onnxruntime_without_openvino(
    images: list,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if the package were not installed
    reader = OcrReader(OcrSettings(backend="auto"))
    assert any("E1031" in text for text in _texts(reader.read(images[2])))
    assert reader.backend == "onnxruntime"


def test_openvino_required_but_missing_fails_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)
    with pytest.raises(RuntimeError, match="OpenVINO could not be loaded"):
        OcrReader(OcrSettings(backend="openvino")).warm_up()
