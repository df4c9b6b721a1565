"""Issue #12 part B on hand-built Documents (no OCR): values with no label (tickets, passes), zh↔en
labels through the lexicon, a row named by a word glued to the field, polite questions routed as lookups."""

from __future__ import annotations

import pytest

from tests.engines.embedded.docs import document, fact, table
from visdesk.domain import OcrLine
from visdesk.engines.embedded.query import Operation, parse_question
from visdesk.engines.embedded.solve import solve
from visdesk.perception.document import Document, Fact
from visdesk.perception.layout import find_key_values
from visdesk.perception.values import parse_value


def lone(raw: str, line: int) -> Fact:
    """A value the builder found alone on its line (pairing 'standalone', no label)."""
    return Fact("", parse_value(raw), (0.0, 20.0 * line, 100.0, 20.0 * line + 15), "standalone", line, None, 0.5)


def answer(doc: Document, question: str) -> str:
    spec = parse_question(question, "en" if question.isascii() else "zh")
    reply = solve(doc, spec)
    return reply.text if reply is not None else ""


def train_ticket() -> Document:
    lines = ("G1234", "北京南站 → 上海虹桥站", "2026年03月15日 08:00开", "05车12F号", "¥553.0元", "张三")
    found = (("G1234", 0), ("2026年03月15", 2), ("08:00", 2), ("05", 3), ("12F", 3), ("¥553.0", 4))
    facts = tuple(lone(raw, line) for raw, line in found)
    return document(lines=lines, facts=facts)


def boarding_pass() -> Document:
    """A second kind, in English: an airline pass that prints no labels either."""
    lines = ("SKYWAYS", "CA1833", "PEK → HGH", "Seat 14C", "Gate B22", "21:35", "WANG/LEI")
    return document(lines=lines, facts=(lone("CA1833", 1), lone("21:35", 5)))


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("几点发车？", "08:00"),
        ("座位号是多少？", "12F"),
        ("车次是多少？", "G1234"),
        ("出发站是哪里？", "北京南站"),
        ("到达站是哪里？", "上海虹桥站"),
        ("乘客姓名？", "张三"),
        ("票价多少？", "¥553.0"),
        ("What is the departure time?", "08:00"),
    ],
)
def test_a_ticket_without_labels_answers_by_shape_route_and_type(question: str, value: str) -> None:
    assert value in answer(train_ticket(), question)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("What is the flight number?", "CA1833"),
        ("Which seat am I in?", "14C"),
        ("What is the gate?", "B22"),
        ("Where does the flight depart from?", "PEK"),
        ("What is the destination?", "HGH"),
        ("登机口是几号？", "B22"),
    ],
)
def test_a_second_kind_a_boarding_pass_without_labels(question: str, value: str) -> None:
    assert value in answer(boarding_pass(), question)


def test_the_reply_names_the_field_not_a_verb() -> None:
    assert answer(boarding_pass(), "Where am I sitting?").startswith("The seat is 14C")
    assert answer(train_ticket(), "What is the departure time?").startswith("The departure time is 08:00")


def test_a_threshold_compares_the_one_amount_on_a_label_less_page() -> None:
    assert answer(train_ticket(), "Is the ticket more than 500 yuan?").startswith("Yes")
    assert answer(train_ticket(), "Is the ticket more than 600 yuan?").startswith("No")


def test_an_unlabelled_value_is_no_answer_when_the_page_has_two_of_its_type() -> None:
    two_times = document(lines=("08:00", "10:30"), facts=(lone("08:00", 0), lone("10:30", 1)))
    assert answer(two_times, "几点发车？") == ""
    two_names = document(lines=("退款详情", "张三"), facts=())
    assert answer(two_names, "乘客姓名？") == ""  # two short Chinese lines: neither is taken for the name


def test_a_value_a_label_names_elsewhere_is_not_taken_for_another_field() -> None:
    doc = document(lines=("Return ID BJ7610226357", "BJ7610226357"),
                   facts=(fact("Return ID", "BJ7610226357"), lone("BJ7610226357", 1)))  # fmt: skip
    assert answer(doc, "What are the last digits of the card?") == ""


def test_a_named_label_outranks_a_shaped_line() -> None:
    doc = document(lines=("G1234", "车次 D301"), facts=(lone("G1234", 0), fact("车次", "D301", line=1)))
    assert "D301" in answer(doc, "车次是多少？")


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("What is the electricity charge?", "¥128.50"),
        ("How much is the water bill?", "¥36.20"),
        ("账号是多少？", "3300817726"),
        ("What is the account number?", "3300817726"),
    ],
)
def test_lexicon_aliases_reach_the_resolver_across_languages(question: str, value: str) -> None:
    bill = document(facts=(fact("户号", "3300817726", line=0), fact("电费", "¥128.50", line=1),
                           fact("水费", "¥36.20", line=2), fact("应缴金额", "¥164.70", line=3)))  # fmt: skip
    assert value in answer(bill, question)


@pytest.mark.parametrize(
    ("question", "value"),
    [("When was the refund processed?", "2026-03-02"), ("When did I apply for the refund?", "2026-03-01")],
)
def test_which_date_is_named_by_the_question(question: str, value: str) -> None:
    refund = document(facts=(fact("退款状态", "已拒绝"), fact("申请时间", "2026-03-01", line=1),
                             fact("处理时间", "2026-03-02", line=2)))  # fmt: skip
    assert value in answer(refund, question)


def test_a_row_word_glued_to_the_field_names_the_row() -> None:
    shop = table(("商品", "数量", "单价"), [("笔记本", "3", "¥5.00"), ("钢笔", "12", "¥2.50"), ("橡皮", "4", "¥1.00")])
    assert "¥5.00" in answer(document(tables=(shop,)), "笔记本单价是多少？")
    parts = table(("Part", "Qty", "Unit price"), [("Washer", "8", "$0.20"), ("Bolt", "12", "$0.50")])
    assert "$0.50" in answer(document(tables=(parts,)), "What is the Bolt unit price?")


def test_a_measure_word_asks_for_a_number_and_a_share_for_a_percent() -> None:
    assert parse_question("钢笔几支？", "zh").expected == "number"
    share = parse_question("服装占多少？", "zh")
    assert share.target == "服装" and share.expected == "percent"


@pytest.mark.parametrize(
    "question",
    ["能不能告诉我订单号？", "能不能帮我查一下订单号", "可以帮我看看错误码吗？", "Can you tell me the order number?"],
)
def test_polite_requests_are_lookups_not_troubleshooting(question: str) -> None:
    assert parse_question(question, "en" if question.isascii() else "zh").operation is Operation.LOOKUP


def test_trouble_is_still_trouble_and_a_polite_claim_still_yes_no() -> None:
    assert parse_question("能告诉我为什么不能付款吗？", "zh").operation is Operation.EXPLAIN
    assert parse_question("为什么支付失败？", "zh").operation is Operation.EXPLAIN
    assert parse_question("帮我看看，我的座位是19B吗？", "zh").operation is Operation.VERIFY
    assert parse_question("帮我看看我的座位是19B吗？只回答是或否", "zh").operation is Operation.VERIFY
    assert parse_question("能告诉我订单号吗？", "zh").operation is Operation.LOOKUP


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("错误码 E1024", "错误码", "E1024"),
        ("Order ID SO12345", "Order ID", "SO12345"),
        ("订单号A20260301", "订单号", "A20260301"),
        ("Voucher GX88", "Voucher", "GX88"),
        ("Total 45.90", "Total", "45.90"),
        ("TAX 4.20", "TAX", "4.20"),
    ],
)
def test_a_code_after_its_label_stays_whole(text: str, key: str, value: str) -> None:
    lines = [OcrLine(text, (0.0, 0.0, 300.0, 20.0), 0.99)]
    pairs = find_key_values(lines, [[0]])
    assert [(kv.key, kv.value) for kv in pairs] == [(key, value)]


def test_a_lone_code_is_no_label_value_pair() -> None:
    assert find_key_values([OcrLine("G1234", (0.0, 0.0, 100.0, 20.0), 0.99)], [[0]]) == []
