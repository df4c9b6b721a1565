"""Engine v2 lookups on hand-built Documents (no OCR): rows selected by a state, values marked inside a
line, a page's issuer / title / status as a field's value, the grand total among totals, the label
printed as asked, a status outcome deciding a yes/no, a chart's categories counted, and OCR's
traditional characters read as the simplified label asked for. Kinds and wordings are invented here,
not taken from the dev set."""

from __future__ import annotations

import pytest

from tests.engines.embedded.docs import document, fact, table
from visdesk.domain import OcrLine
from visdesk.engines.embedded.query import Operation, parse_question
from visdesk.engines.embedded.resolve import norm, similarity
from visdesk.engines.embedded.row_states import row_state
from visdesk.engines.embedded.solve import solve
from visdesk.perception.document import Chart, ChartMark, Document
from visdesk.perception.hanzi import simplified
from visdesk.perception.values import parse_value


def answer(doc: Document, question: str) -> str:
    spec = parse_question(question, "en" if question.isascii() else "zh")
    reply = solve(doc, spec)
    return reply.text if reply is not None else ""


# ---------------------------------------------------------------- rows selected by a state


def tolerance_sheet() -> Document:
    """A machining inspection sheet (a kind no rule was written for): value, tolerance band, no flag column."""
    return document(
        tables=(
            table(
                ("Feature", "Measured", "Tolerance"),
                [("Bore A", "12.04", "11.95-12.05"), ("Shaft B", "8.11", "7.90-8.10"), ("Slot C", "3.48", "3.50-3.70")],
            ),
        )
    )


def kpi_board() -> Document:
    """A zh KPI table that flags rows with arrows instead of ranges."""
    return document(
        tables=(
            table(("指标", "本月", "标记"), [("退货率", "3.2%", ""), ("投诉量", "41", "↑"), ("好评率", "96%", "")]),
        )
    )


@pytest.mark.parametrize(
    ("question", "expected", "not_expected"),
    [
        ("Which feature is above the tolerance range?", "Shaft B", "Bore A"),
        ("Which feature is too low?", "Slot C", "Shaft B"),
        ("Which features are out of range?", "Shaft B", "Bore A"),
    ],
)
def test_rows_by_state_on_a_tolerance_sheet(question: str, expected: str, not_expected: str) -> None:
    text = answer(tolerance_sheet(), question)
    assert text.startswith(expected) and not_expected not in text


def test_rows_by_state_reads_a_flag_column_in_chinese() -> None:
    assert answer(kpi_board(), "哪个指标偏高？").startswith("投诉量")


def test_how_many_rows_are_in_a_state() -> None:
    spec = parse_question("How many features are out of range?", "en")
    assert spec.operation is Operation.COUNT and spec.row_state == "abnormal"
    assert "2" in answer(tolerance_sheet(), "How many features are out of range?")


def test_row_state_prefers_the_range_to_a_slipped_flag() -> None:
    grid = table(("Test", "Result", "Range", "Flag"), [("ALT", "13", "9-50", "H")])
    assert row_state(grid.cells[0]) is None  # 13 lies in 9-50: the H belongs to a neighbouring row


def test_a_plain_which_question_selects_no_rows() -> None:
    assert parse_question("Which feature has the largest tolerance?", "en").row_state == ""


# ---------------------------------------------------------------- values marked inside a line


def test_a_coach_marked_inside_a_line() -> None:
    doc = document(lines=("D3105", "杭州东 → 南京南", "11车07A号", "二等座"))
    assert "11" in answer(doc, "我在几号车厢？")
    assert "11" in answer(doc, "Which coach am I in?")


def test_two_different_marked_values_answer_nothing() -> None:
    doc = document(lines=("11车07A号", "12车01B号"))
    assert answer(doc, "我在几号车厢？") == ""


# ---------------------------------------------------------------- issuer, title and status lines


def lines_at(*rows: tuple[str, float, float]) -> tuple[OcrLine, ...]:
    """(text, y, height) each: OCR lines stacked down the page."""
    return tuple(OcrLine(text, (10.0, y, 10.0 + 12 * len(text), y + h), 0.98) for text, y, h in rows)


def test_the_issuer_is_the_company_line_not_the_address_above_it() -> None:
    lines = lines_at(("baskin robbins", 10, 30), ("GOLDEN SCOOP SDN BHD", 50, 20), ("No 12, Jalan Maju 3", 80, 16))
    doc = Document(lines=lines, title="baskin robbins", emphasised=(0,))
    assert "GOLDEN SCOOP SDN BHD" in answer(doc, "Which company issued this receipt?")


def test_a_title_wrapped_onto_a_second_line_is_said_whole() -> None:
    lines = lines_at(("Households that recycle more", 10, 24), ("than they did in 2019", 38, 24), ("42%", 120, 14))
    doc = Document(lines=lines, title="Households that recycle more", emphasised=(0,))
    text = answer(doc, "What is the title of this chart?")
    assert "Households that recycle more than they did in 2019" in text


def test_a_status_question_is_answered_by_the_status_line() -> None:
    lines = lines_at(("Claim #88213", 10, 16), ("Under review", 40, 22), ("Submitted 3 May", 70, 14))
    doc = Document(lines=lines, facts=(fact("Claim #", "88213"),), statuses=(1,), status_outcomes=("pending",))
    assert "Under review" in answer(doc, "What's the status of my claim?")


def test_a_yes_no_follows_the_status_outcome_when_its_words_are_not_printed() -> None:
    lines = lines_at(("Warranty claim", 10, 16), ("Claim completed", 40, 22))
    doc = Document(lines=lines, statuses=(1,), status_outcomes=("positive",))
    assert answer(doc, "Has my claim gone through?").startswith("Yes")
    pending = Document(lines=lines, statuses=(1,), status_outcomes=("pending",))
    assert answer(pending, "Has my claim gone through?").startswith("No")


# ---------------------------------------------------------------- totals and labels as printed


def utility_bill() -> Document:
    """A water bill: a subtotal, a levy and the amount due last (labels invented for this test)."""
    facts = (
        fact("Water charges total", "$48.20", line=0),
        fact("Sewer levy", "$12.00", line=1),
        fact("Total amount payable", "$60.20", line=2),
    )
    return document(
        facts=facts, lines=("Water charges total $48.20", "Sewer levy $12.00", "Total amount payable $60.20")
    )


def test_the_grand_total_is_the_total_printed_last() -> None:
    assert "$60.20" in answer(utility_bill(), "What's the total?")


def test_a_label_printed_as_asked_beats_a_broader_alias() -> None:
    facts = (
        fact("合计", "¥354.00", line=0),
        fact("价税合计（小写）", "¥375.24", line=1),
        fact("合计税额", "¥21.24", line=2),
    )
    doc = document(facts=facts, lines=("合计 ¥354.00", "价税合计（小写） ¥375.24", "合计税额 ¥21.24"))
    assert "375.24" in answer(doc, "价税合计是多少？")


def test_a_label_missing_part_of_the_asked_phrase_scores_below_one_that_holds_it() -> None:
    assert similarity("order status", "Order #") < similarity("status", "Order status")


def test_traditional_characters_read_by_ocr_match_the_simplified_label() -> None:
    assert simplified("稅額 金額 號碼") == "税额 金额 号码"
    assert norm("稅額") == norm("税额")
    doc = document(
        facts=(fact("稅額", "¥93.42"), fact("金額", "¥1557.00", line=1)), lines=("稅額 ¥93.42", "金額 ¥1557.00")
    )
    assert "93.42" in answer(doc, "税额是多少？")


def test_a_bracketed_qualifier_beside_an_amount_is_decoration() -> None:
    value = parse_value("（小写）¥375.24")
    assert value.kind == "money" and value.number == 375.24 and value.raw == "¥375.24"


def test_an_unnamed_comparison_uses_the_page_s_one_amount() -> None:
    doc = document(facts=(fact("Amount refunded", "RM59.00"),), lines=("Amount refunded RM59.00",))
    spec = parse_question("Is it over RM50?", "en")
    assert spec.rows == () and spec.threshold == 50.0
    assert answer(doc, "Is it over RM50?").startswith("Yes")
    assert answer(doc, "Is it more than RM500?").startswith("No")


def test_a_digit_string_fits_a_code_question() -> None:
    doc = document(facts=(fact("Visa ending", "4417", "parenthesised"),), lines=("Refund to Visa (ending 4417)",))
    assert "4417" in answer(doc, "What are the last digits of the card?")


# ---------------------------------------------------------------- charts


def donut() -> Document:
    marks = tuple(
        ChartMark("slice", name, parse_value(share), (10.0 * i, 0.0, 10.0 * i + 8, 8.0))
        for i, (name, share) in enumerate([("Rent", "41%"), ("Food", "27%"), ("Travel", "20%"), ("Other", "12%")])
    )
    chart = Chart("Where the money went", marks, (0.0, 0.0, 50.0, 50.0))
    return Document(lines=lines_at(("Where the money went", 0, 20)), charts=(chart,))


@pytest.mark.parametrize("question", ["How many slices does the donut have?", "图里一共有几类？", "分成了几个部分？"])
def test_a_chart_s_categories_are_counted(question: str) -> None:
    assert "4" in answer(donut(), question)


# ---------------------------------------------------------------- yes/no by what the page shows


def spec_sheet() -> Document:
    """A power-bank spec sheet (invented here): marks, a capacity, a stock table."""
    lines = ("PowerCore 20K", "Capacity 20000mAh", "USB-C PD 30W", "CE", "FCC", "Stock: 14")
    stock = table(("Model", "Stock"), [("PowerCore 20K", "14"), ("PowerCore 10K", "0")])
    return document(lines=lines, tables=(stock,), facts=(fact("Capacity", "20000mAh"),))


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Does it have a CE mark?", "Yes"),
        ("Is there an RoHS logo?", "No"),
        ("Does the label mention CCC?", "No"),  # "FCC" holds "CC" but is no CCC mark
        ("有CE标志吗？只回答是或否", "是"),
    ],
)
def test_presence_of_a_mark(question: str, first: str) -> None:
    assert answer(spec_sheet(), question).startswith(first)


def test_a_named_row_decides_a_stock_yes_no() -> None:
    assert answer(spec_sheet(), "Is PowerCore 20K in stock?").startswith("Yes")
    assert answer(spec_sheet(), "Is PowerCore 10K in stock?").startswith("No")


def test_a_claimed_value_is_checked_against_the_field() -> None:
    doc = document(facts=(fact("Gate", "B22"),), lines=("Gate B22",))
    assert answer(doc, "Is my gate B22?").startswith("Yes")
    assert answer(doc, "Is my gate C7?").startswith("No")


def test_a_cause_is_yes_when_the_page_states_it() -> None:
    lines = ("支付失败", "本次支付已超出单笔限额", "错误码 E1024")
    doc = document(lines=lines)
    assert answer(doc, "是不是因为超过限额？只回答是或否").startswith("是")
    assert answer(doc, "Did it fail because of an expired card?").startswith("No")
