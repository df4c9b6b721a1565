"""Layout on real RapidOCR output of rendered scenes: key-values, tables, emphasis, facts, reading order."""

from __future__ import annotations

from tests.support.scenes import perceived, scene
from visdesk.domain import Box


def close_to(box: Box, truth: Box, tolerance: float = 12.0) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(box, truth, strict=True))


def key_values(name: str) -> dict[str, tuple[str, Box, Box]]:
    _, seen = perceived(name)
    return {kv.key: (kv.value, kv.key_box, kv.value_box) for kv in seen.key_values}


def test_value_right_of_label_and_after_colon() -> None:
    kvs = key_values("order_page_zh")
    truth = scene("order_page_zh").boxes
    value, key_box, value_box = kvs["快递单号"]
    assert value == "SF1357924680"
    assert close_to(value_box, truth["SF1357924680"]) and close_to(key_box, truth["快递单号"])
    assert kvs["订单编号"][0] == "2024051812345"
    # the value part of "订单编号：2024051812345" is boxed inside the line, right of the label
    value_box = kvs["订单编号"][2]
    line = truth["订单编号：2024051812345"]
    assert line[0] + 80 < value_box[0] < value_box[2] <= line[2] + 12
    assert kvs["实付金额"][0] == "¥1,299.00"
    assert kvs["下单时间"][0] == "2024-05-18 14:32"  # the space OCR drops between date and time is restored


def test_values_under_a_row_of_labels() -> None:
    kvs = key_values("invoice_zh")
    truth = scene("invoice_zh").boxes
    assert kvs["发票代码"][0] == "044031900111"
    assert kvs["发票号码"][0] == "08865432"
    assert close_to(kvs["发票号码"][2], truth["08865432"])
    assert "增值税普通发票" not in kvs  # a title is not a label of the line under it


def test_table_with_header_and_cell_boxes() -> None:
    _, seen = perceived("product_table_zh")
    truth = scene("product_table_zh").boxes
    assert len(seen.tables) == 1
    table = seen.tables[0]
    assert table.header == ("商品", "库存", "单价", "发货日期")
    assert [row[0] for row in table.rows] == ["蓝牙耳机", "充电宝", "数据线"]
    assert table.rows[1] == ("充电宝", "120", "¥89", "2024-06-10")
    assert close_to(table.cell_boxes[1][3], truth["2024-06-10"])
    assert not seen.key_values  # table cells are not mistaken for label/value pairs


def test_emphasis_title_and_red_warning() -> None:
    _, seen = perceived("order_page_zh")
    emphasis = seen.extras["emphasis"]
    texts = {seen.lines[i].text: kinds for i, kinds in emphasis.items()}
    assert "red" in texts["支付失败：超出单笔支付限额"]
    assert "large" in texts["订单详情"]
    assert seen.lines[seen.extras["title"]].text == "订单详情"
    assert all("red" not in kinds for text, kinds in texts.items() if text != "支付失败：超出单笔支付限额")


def test_typed_facts() -> None:
    _, order = perceived("order_page_zh")
    facts = {kind: [f["text"] for f in found] for kind, found in order.extras["facts"].items()}
    assert facts["tracking"] == ["SF1357924680"]
    assert facts["money"] == ["¥1,299.00"]
    assert facts["error_code"] == ["E1024"]
    assert "2024-05-18" in facts["date"]
    _, crash = perceived("crash_log")
    facts = {kind: [f["text"] for f in found] for kind, found in crash.extras["facts"].items()}
    assert facts["exception"] == ["java.lang.NullPointerException"]
    assert facts["version"] == ["3.2.1"]
    assert len(facts["stack_frame"]) == 2
    assert "http_status" not in facts  # "build 415" is not an HTTP status


def test_reading_order_and_boxes_in_original_pixels() -> None:
    image, seen = perceived("receipt_en")
    tops = [line.box[1] for line in seen.lines]
    assert tops == sorted(tops, key=lambda t: round(t / 20))  # top to bottom (rows), left to right within
    assert seen.size == image.original_size
    truth = scene("receipt_en").boxes
    total = next(line for line in seen.lines if line.text == "$6.93")
    assert close_to(total.box, truth["$6.93"])


def test_dark_background_is_read() -> None:
    _, seen = perceived("nameplate_en")
    kvs = {kv.key: kv.value for kv in seen.key_values}
    assert kvs.get("Serial No") == "SN7741209"
    assert kvs.get("Model") == "XR-200"
