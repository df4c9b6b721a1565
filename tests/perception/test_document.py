"""The typed Document built from hand-placed OCR lines (no OCR): facts, tables, chart marks, statuses.

Lines go through the real layout (`layout.analyse`) so the pairings are the ones the engine sees.
Each mechanism is tested on a kind of page invented for the test, not on a dev-set layout.
"""

from __future__ import annotations

from visdesk.domain import OcrLine
from visdesk.perception.document import Document, Fact
from visdesk.perception.layout import analyse


def line(text: str, x: float, y: float, w: float | None = None, h: float = 24) -> OcrLine:
    width = w if w is not None else 14 * sum(1.0 if ch.isascii() else 1.9 for ch in text)
    return OcrLine(text, (x, y, x + width, y + h), 0.96)


def document(*lines: OcrLine, size: tuple[int, int] = (900, 700)) -> Document:
    seen = analyse("test", size, tuple(lines), None)
    assert seen.document is not None
    return seen.document


def facts_for(doc: Document, label: str) -> list[Fact]:
    return [f for f in doc.facts if f.label == label]


def test_label_value_pairings_are_typed_and_say_how_they_were_paired() -> None:
    doc = document(
        line("售后服务单", 20, 10, h=36),
        line("服务单号：AS20260302001", 20, 70),
        line("申请金额", 20, 120),
        line("RM 45.90", 400, 120),
        line("寄回地址", 20, 170),
        line("上门取件", 400, 170),
        line("预约时间", 20, 220),
        line("联系人", 400, 220),
        line("2026-03-05 09:30", 20, 256),
        line("李四", 400, 256),
    )
    (number,) = facts_for(doc, "服务单号")
    assert (number.pairing, number.value.kind, number.value.raw) == ("same_line", "code", "AS20260302001")
    (amount,) = facts_for(doc, "申请金额")
    assert (amount.pairing, amount.value.kind, amount.value.number, amount.value.unit) == (
        "label_left", "money", 45.9, "MYR",
    )  # fmt: skip
    (when,) = facts_for(doc, "预约时间")
    assert when.pairing == "label_above" and when.value.kind == "date" and when.value.time is not None
    (who,) = facts_for(doc, "联系人")
    assert (who.pairing, who.value.kind) == ("label_above", "name")  # a name label makes a short value a name
    # every fact carries boxes on the image and a score that ranks the pairing kinds
    assert amount.value_box[0] >= 400 and amount.label_box is not None and amount.label_box[0] == 20
    assert number.score > when.score
    assert doc.language == "zh" and doc.title == "售后服务单"


def test_value_inside_parentheses_is_a_fact_of_its_own() -> None:
    doc = document(
        line("退款去向", 20, 20), line("工商银行（尾号 8842）", 400, 20), line("Paid with Visa (ending 4417)", 20, 80)
    )
    zh = [f for f in doc.facts if f.pairing == "parenthesised" and "尾号" in f.label]
    assert [(f.label, f.value.raw) for f in zh] == [("工商银行 尾号", "8842")]
    en = [f for f in doc.facts if f.pairing == "parenthesised" and "ending" in f.label]
    assert [(f.label, f.value.raw) for f in en] == [("Paid with Visa ending", "4417")]
    assert all(f.value_box[0] > 400 for f in zh)  # boxed inside its line, right of the bank's name


def test_standalone_entities_are_candidates_too() -> None:
    doc = document(line("Your parcel arrives Tue 14 Oct 2025 between 2 PM and 4 PM", 20, 20, w=800))
    kinds = {(f.value.kind, f.value.raw) for f in doc.facts if f.pairing == "standalone"}
    # the weekday printed before a date is part of it
    assert ("date", "Tue 14 Oct 2025") in kinds and ("time", "2 PM") in kinds and ("time", "4 PM") in kinds


def test_table_cells_are_typed_and_named_by_row_and_column_headers() -> None:
    xs = (40, 180, 420, 600)
    header = ("No.", "Test", "Result", "Range")
    rows = (
        ("1", "Ferritin", "312 ng/mL", "30-400"),
        ("2", "Glucose", "5.4 mmol/L", "3.9-6.1"),
        ("3", "CRP", "12 mg/L", "0-5"),
    )
    lines = [line(text, xs[c], 40) for c, text in enumerate(header)]
    for r, row in enumerate(rows):
        lines += [line(text, xs[c], 100 + 50 * r) for c, text in enumerate(row)]
    doc = document(*lines)
    (table,) = doc.tables
    assert table.columns == header
    assert table.label_column == 1  # the wordy column names the rows, not the running number
    cell = table.cells[1][2]
    assert (cell.row_header, cell.column_header, cell.value.kind, cell.value.number, cell.value.unit) == (
        "Glucose", "Result", "number", 5.4, "mmol/L",
    )  # fmt: skip
    (fact,) = [f for f in doc.facts if f.pairing == "table_cell" and f.label == "CRP Result"]
    assert fact.value.raw == "12 mg/L"


def test_dd_mm_order_decided_by_one_unambiguous_date_on_the_page() -> None:
    doc = document(line("Statement date: 04/03/2025", 20, 20, w=360), line("Payment due: 28/03/2025", 20, 80, w=330))
    (statement,) = facts_for(doc, "Statement date")
    assert doc.date_order == "dmy" and statement.value.date is not None
    assert (statement.value.date.month, statement.value.date.day) == (3, 4)


def test_bar_chart_marks_from_value_labels_above_bars() -> None:
    """Value labels over the bars, categories under them, y-axis ticks at the left (not marks)."""
    months = {"Jan": 42, "Feb": 58, "Mar": 35, "Apr": 71, "May": 64}
    lines = [line("Tickets opened per month", 200, 10, h=32)]
    lines += [line(str(tick), 20, 400 - tick * 4 - 10, w=30, h=20) for tick in (0, 20, 40, 60, 80)]
    for i, (month, value) in enumerate(months.items()):
        x = 120 + 140 * i
        lines.append(line(month, x + 10, 410, w=42, h=22))
        lines.append(line(str(value), x + 14, 400 - value * 4 - 30, w=28, h=22))
    doc = document(*lines, size=(900, 460))
    (chart,) = doc.charts
    assert [(m.kind, m.category, m.value.number if m.value else None) for m in chart.marks] == [
        ("bar", month, float(value)) for month, value in months.items()
    ]
    assert chart.title == "Tickets opened per month"
    assert all(m.label_box is not None for m in chart.marks)


def test_grouped_bars_take_the_legends_series_in_order() -> None:
    legend = [line("Online", 300, 40, w=70, h=20), line("In store", 420, 40, w=80, h=20)]
    values = {"North": (30, 22), "South": (45, 18), "West": (25, 40)}
    lines = [line("Orders by region", 250, 5, h=30), *legend]
    for i, (region, (a, b)) in enumerate(values.items()):
        x = 120 + 220 * i
        lines.append(line(region, x + 20, 420, w=60, h=22))
        lines.append(line(str(a), x, 400 - a * 6 - 26, w=24, h=22))
        lines.append(line(str(b), x + 70, 400 - b * 6 - 26, w=24, h=22))
    doc = document(*lines, size=(900, 460))
    (chart,) = doc.charts
    assert chart.series == ("Online", "In store")
    got = {(m.category, m.series): m.value.number if m.value else None for m in chart.marks}
    assert got[("South", "Online")] == 45 and got[("South", "In store")] == 18 and got[("West", "In store")] == 40


def test_numbers_above_words_that_do_not_follow_heights_are_not_a_chart() -> None:
    """A form's values in a row above their captions: no bar order, so no chart."""
    lines = []
    for i, (caption, value, y) in enumerate((("Points", "920", 100), ("Coupons", "3", 60), ("Level", "12", 140))):
        lines += [line(value, 100 + 200 * i, y, w=40), line(caption, 90 + 200 * i, 200, w=80)]
    assert document(*lines).charts == ()


def test_horizontal_bars_end_where_their_values_are_printed() -> None:
    shares = {"Email": 120, "Chat": 310, "Phone": 205, "App": 80}
    lines = [line(name, 20, 60 + 50 * i, w=70) for i, name in enumerate(shares)]
    lines += [line(str(v), 110 + v * 2, 60 + 50 * i, w=36) for i, v in enumerate(shares.values())]
    (chart,) = document(*lines).charts
    assert [(m.category, m.value.number if m.value else None) for m in chart.marks] == [
        (k, float(v)) for k, v in shares.items()
    ]


def test_pie_slice_labels() -> None:
    doc = document(
        line("Budget split", 300, 10, h=30),
        line("Rent 45%", 500, 80),
        line("Food 30%", 520, 300),
        line("Other", 80, 200),
        line("25%", 88, 228),
    )
    (chart,) = doc.charts
    assert {(m.kind, m.category, m.value.number if m.value else None) for m in chart.marks} == {
        ("slice", "Rent", 45.0), ("slice", "Food", 30.0), ("slice", "Other", 25.0),
    }  # fmt: skip


def test_status_lines_and_their_outcomes() -> None:
    doc = document(
        line("退款进度", 20, 10),
        line("商家已拒绝您的退款申请", 20, 60),
        line("Return request: not approved", 20, 110, w=420),
        line("包裹运输中", 20, 160),
        line("Delivered", 20, 210),
        line("退回账户 招商银行", 20, 260),  # a label that merely contains a status-like word
    )
    stated = {doc.lines[i].text: outcome for i, outcome in zip(doc.statuses, doc.status_outcomes, strict=True)}
    assert stated == {
        "商家已拒绝您的退款申请": "negative",
        "Return request: not approved": "negative",
        "包裹运输中": "pending",
        "Delivered": "positive",
    }


def test_extras_still_feed_the_old_handlers() -> None:
    seen = analyse("test", (600, 200), (line("订单编号：2024051812345", 20, 20),), None)
    assert seen.extras["facts"]["long_number"][0]["text"] == "2024051812345"
    assert seen.document is not None and seen.document.lines == seen.lines


def test_a_form_of_small_labels_over_larger_values_is_not_a_table() -> None:
    """A concert ticket: label rows alternate with value rows, each value under its own label."""
    rows = [
        (("SECTION", "ROW", "SEAT"), ("B", "14", "22")),
        (("DOORS", "SHOW", "PRICE"), ("18:30", "19:30", "€45.00")),
        (("VENUE", "CITY", "ORDER"), ("Apollo Hall", "Leeds", "TK55102")),
    ]
    lines = []
    y = 40
    for labels, values in rows:
        lines += [line(text, 40 + 300 * k, y, w=11 * len(text), h=16) for k, text in enumerate(labels)]
        lines += [line(text, 40 + 300 * k, y + 22, h=28) for k, text in enumerate(values)]
        y += 90
    doc = document(*lines)
    assert doc.tables == ()
    got = {f.label: f.value.raw for f in doc.facts if f.pairing == "label_above"}
    assert got["ROW"] == "14" and got["SHOW"] == "19:30" and got["ORDER"] == "TK55102" and got["CITY"] == "Leeds"
    (price,) = facts_for(doc, "PRICE")
    assert (price.value.kind, price.value.number, price.value.unit) == ("money", 45.0, "EUR")


def test_dated_events_are_labelled_by_their_caption() -> None:
    """A support-ticket history: the caption beside, after or above each timestamp labels it."""
    doc = document(
        line("2025-11-03 09:12", 20, 20, w=200),
        line("Ticket opened by customer via email", 260, 20, w=420),
        line("2025-11-04 16:40 Engineer visit scheduled", 20, 80, w=520),
        line("Replacement part dispatched from Rotterdam warehouse", 20, 140, w=560),
        line("2025-11-06 08:05", 20, 170, w=200),
    )
    dated = {f.label: f.value.date.isoformat() for f in doc.facts if f.value.date and f.label}
    assert dated["Ticket opened by customer via email"] == "2025-11-03"
    assert dated["Engineer visit scheduled"] == "2025-11-04"
    assert dated["Replacement part dispatched from Rotterdam warehouse"] == "2025-11-06"


def test_currency_letters_glued_to_a_long_number_are_an_id() -> None:
    doc = document(line("Parcel ID: RM482913377", 20, 20, w=300), line("Postage: RM 8.50", 20, 70, w=220))
    (parcel,) = facts_for(doc, "Parcel ID")
    (postage,) = facts_for(doc, "Postage")
    assert parcel.value.kind == "code" and (postage.value.kind, postage.value.unit) == ("money", "MYR")


def test_a_label_that_contains_a_status_word_states_nothing() -> None:
    doc = document(
        line("Shipped with: Parcelforce", 20, 20, w=330),
        line("Paid by", 20, 70, w=90),
        line("Mastercard (ending 0091)", 300, 70, w=300),
        line("Status: Cancelled", 20, 120, w=230),
    )
    assert [doc.lines[i].text for i in doc.statuses] == ["Status: Cancelled"]
    assert doc.status_outcomes == ("negative",)


def test_a_feed_of_dated_captions_is_read_as_a_two_column_table() -> None:
    """An account's activity list (no header, no columns): one row per dated record, countable."""
    events = ("Password changed", "New device signed in — Lyon", "Email address verified", "Account created")
    lines = []
    for k, caption in enumerate(events):
        lines.append(line(caption, 60, 40 + 80 * k, w=14 * len(caption)))
        lines.append(line(f"2025-0{9 - k}-1{k} 10:0{k}", 60, 72 + 80 * k, w=200, h=20))
    doc = document(*lines)
    (feed,) = doc.tables
    assert len(feed.cells) == 4 and feed.label_column == 1
    assert [(row[1].text, row[0].value.date.isoformat() if row[0].value.date else None) for row in feed.cells] == [
        (caption, f"2025-0{9 - k}-1{k}") for k, caption in enumerate(events)
    ]


def test_bullet_columns_are_dropped_from_tables() -> None:
    lines = []
    for r, (when, what) in enumerate((("09:10", "Order placed"), ("11:45", "Packed"), ("16:20", "Handed to courier"))):
        lines += [line("•", 20, 40 + 50 * r, w=10), line(when, 60, 40 + 50 * r, w=60), line(what, 200, 40 + 50 * r)]
    lines.append(line("Time", 60, 0, w=50))
    lines.append(line("Event", 200, 0, w=60))
    (table,) = document(*lines).tables
    assert table.columns == ("Time", "Event")
    assert [c.text for c in table.cells[2]] == ["16:20", "Handed to courier"]


def test_a_word_glued_to_its_digits_by_ocr_is_split() -> None:
    doc = document(line("Refund to", 20, 20, w=120), line("Visa (ending1652)", 300, 20, w=200))
    (tail,) = [f for f in doc.facts if f.pairing == "parenthesised"]
    assert (tail.label, tail.value.raw) == ("Visa ending", "1652")


def test_form_entries_that_ocr_ran_into_their_labels() -> None:
    doc = document(
        line("INSPECTOR Jane Okafor", 20, 20, w=300),
        line("BATCH_Lot 7 / East line", 20, 80, w=300),
        line("ShiftNight", 20, 140, w=140),
        line("检验结论 合格", 20, 200, w=200),
    )
    got = {f.label: f.value.raw for f in doc.facts if f.pairing == "same_line"}
    assert got["INSPECTOR"] == "Jane Okafor" and got["BATCH"] == "Lot 7 / East line"
    assert got["Shift"] == "Night" and got["检验结论"] == "合格"


def test_each_label_in_a_row_of_entries_is_proposed_with_its_right_neighbour() -> None:
    """ "申请人 王磊 审批人 赵敏": every entry looks like a label, so each pair is a (weak) candidate."""
    doc = document(line("申请人", 20, 20), line("王磊", 160, 20), line("审批人", 300, 20), line("赵敏", 440, 20))
    (approver,) = facts_for(doc, "审批人")
    assert (approver.value.raw, approver.pairing) == ("赵敏", "label_left")
    assert approver.score < 0.7  # weaker than a pairing the layout is sure of


def test_a_page_without_a_larger_line_is_named_by_its_first_wordy_line() -> None:
    doc = document(
        line("12/05/2025", 20, 10, w=120), line("HARBOUR VIEW CAFE", 20, 40, w=240), line("Latte 4.50", 20, 80)
    )
    assert doc.title == "HARBOUR VIEW CAFE"
