"""Typed value parsing: money currencies, numbers with units, percents, dates in the document's order."""

from __future__ import annotations

import datetime as dt

import pytest

from visdesk.perception.values import decide_date_order, find_values, language_of, parse_value


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("¥1,299.00", 1299.0, "CNY"),
        ("￥88", 88.0, "CNY"),
        ("1299元", 1299.0, "CNY"),
        ("$6.93", 6.93, "USD"),
        ("-$5.00", -5.0, "USD"),
        ("RM 12.50", 12.5, "MYR"),
        ("€178.00", 178.0, "EUR"),
        ("£3,000.00", 3000.0, "GBP"),
        ("USD 20", 20.0, "USD"),
        ("20 EUR", 20.0, "EUR"),
        ("RMB 45.6", 45.6, "CNY"),
        ("12.5万元", 125000.0, "CNY"),
    ],
)
def test_money_with_its_currency(text: str, amount: float, currency: str) -> None:
    value = parse_value(text)
    assert (value.kind, value.number, value.unit, value.raw) == ("money", amount, currency, text.replace("￥", "¥"))


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [("220V", 220.0, "V"), ("1500 W", 1500.0, "W"), ("3件", 3.0, "件"), ("x2", 2.0, "x"), ("2.5kg", 2.5, "kg"),
     ("12", 12.0, "")],
)  # fmt: skip
def test_numbers_carry_their_unit(text: str, number: float, unit: str) -> None:
    value = parse_value(text)
    assert (value.kind, value.number, value.unit) == ("number", number, unit)


def test_percent_code_phone_time_name_text() -> None:
    assert (parse_value("35%").kind, parse_value("35%").number) == ("percent", 35.0)
    assert parse_value("-2.5 ％").number == -2.5
    for code in ("E6591", "SF1234567890", "G11", "144031900111", "INV-2024-0012", "v2.3.1"):
        assert parse_value(code).kind == "code", code
    for phone in ("138-0013-8000", "13800138000", "+86 138 0013 8000", "(555) 123-4567", "400-820-8820"):
        assert parse_value(phone).kind == "phone", phone
    assert parse_value("2:30 PM").time == dt.time(14, 30)
    assert parse_value("14:05:09").time == dt.time(14, 5, 9)
    assert parse_value("Maria Lopez").kind == "name"
    assert parse_value("王小明", name_like=True).kind == "name"
    assert parse_value("王小明").kind == "text"  # without a name label, short CJK words are just text
    assert parse_value("已发货").kind == "text"
    assert parse_value("Total 3 items").kind == "text"  # a label with a number is not a number


@pytest.mark.parametrize(
    ("text", "order", "date"),
    [
        ("2024-05-18", "ymd", dt.date(2024, 5, 18)),
        ("2024年5月8日", "ymd", dt.date(2024, 5, 8)),
        ("2024.05.18", "dmy", dt.date(2024, 5, 18)),  # year first is unambiguous whatever the order
        ("03/04/2024", "dmy", dt.date(2024, 4, 3)),
        ("03/04/2024", "mdy", dt.date(2024, 3, 4)),
        ("25/03/2024", "mdy", dt.date(2024, 3, 25)),  # a day over 12 overrides the document's order
        ("18 May 2024", "mdy", dt.date(2024, 5, 18)),
        ("Mar 2, 2026", "dmy", dt.date(2026, 3, 2)),
        ("05-18-24", "ymd", dt.date(2024, 5, 18)),
    ],
)
def test_dates_in_the_documents_order(text: str, order: str, date: dt.date) -> None:
    value = parse_value(text, order)  # type: ignore[arg-type]
    assert (value.kind, value.date) == ("date", date)


def test_date_with_time_is_one_value() -> None:
    value = parse_value("2026-03-02 10:15")
    assert (value.kind, value.date, value.time) == ("date", dt.date(2026, 3, 2), dt.time(10, 15))


def test_date_order_is_decided_per_document_from_its_evidence() -> None:
    # one date with a day over 12 settles the others on the same page
    assert decide_date_order(["Issued 03/04/2024", "Due 17/04/2024"], "en") == "dmy"
    assert decide_date_order(["Issued 03/04/2024", "Due 04/17/2024"], "en") == "mdy"
    # month names: "18 May 2024" is day-first
    assert decide_date_order(["Printed 18 May 2024", "Paid 03/04/2024"], "en") == "dmy"
    assert decide_date_order(["Printed May 18, 2024", "Paid 03/04/2024"], "en") == "mdy"
    # the currency: dollars print month first, pounds day first
    assert decide_date_order(["Date 03/04/2024", "Total $12.00"], "en") == "mdy"
    assert decide_date_order(["Date 03/04/2024", "Total £12.00"], "en") == "dmy"
    assert decide_date_order(["日期 2024-03-04"], "zh") == "ymd"  # nothing ambiguous on the page


def test_values_found_inside_a_line_keep_their_place() -> None:
    text = "招商银行（尾号2010） 合计：¥120.00 共3件"
    spans = find_values(text)
    kinds = [(text[s:e], v.kind) for s, e, v in spans]
    assert kinds == [("2010", "number"), ("¥120.00", "money"), ("3件", "number")]


def test_language_of_the_printed_text() -> None:
    assert language_of(["订单详情", "Order No. 12345", "实付金额"]) == "zh"
    assert language_of(["Order details", "订单", "Total paid"]) == "en"
