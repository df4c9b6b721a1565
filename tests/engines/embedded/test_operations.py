"""Generic operations over hand-built tables (no OCR): select cells, then aggregate, on kinds no rule names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.engines.embedded.docs import document, fact, table, value
from visdesk.domain import OcrLine
from visdesk.engines.embedded.operations import fmt, on_chart, on_table, parse_quantity, pick_choice, quantities
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply
from visdesk.engines.embedded.solve import solve
from visdesk.engines.embedded.wording import tighten
from visdesk.perception.document import Chart, ChartMark, Document

BOOKINGS = table(("Day", "Bookings"), [("Monday", "12"), ("Tuesday", "7"), ("Wednesday", "7"), ("Thursday", "20")])
PARTS = table(("Part", "Price"), [("hinge", "$1.25"), ("bracket", "$3.40"), ("spring", "$0.80")])
SIZES = table(("Stem", "Leaf"), [("1", "2 5"), ("2", "0 0 8"), ("3", "1")])
RINGS = table(("Ring size", "Frequency"), [("5", "2"), ("6", "4"), ("7", "1")])
TRAMS = table(
    ("Stop", "Arrive", "Depart"), [("Old Mill", "9:10 A.M.", "9:15 A.M."), ("Harbour", "10:05 A.M.", "10:20 A.M.")]
)


def ask(question: str, op: Operation, **kw: object) -> QuerySpec:
    return QuerySpec(question=question, language="en", operation=op, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        (Operation.SUM, "46"),
        (Operation.MEAN, "11.5"),
        (Operation.MEDIAN, "9.5"),
        (Operation.MODE, "7"),
        (Operation.RANGE, "13"),
    ],
)
def test_aggregates_over_the_numeric_column(op: Operation, expected: str) -> None:
    outcome = on_table(BOOKINGS, ask("bookings this week", op))
    assert outcome is not None and outcome.value == expected


def test_sum_and_difference_of_named_rows_in_question_order() -> None:
    total = on_table(BOOKINGS, ask("How many bookings on Monday and Thursday in all?", Operation.SUM))
    more = on_table(BOOKINGS, ask("How many more bookings on Thursday than on Tuesday?", Operation.DIFFERENCE))
    assert total is not None and total.value == "32"
    assert more is not None and more.value == "13"


def test_price_times_quantity_and_money_left() -> None:
    cost = on_table(PARTS, ask("How much for 4 hinges and 2+1/2 springs?", Operation.SUM))
    left = on_table(PARTS, ask("Ada has $10.00. How much will she have left after buying a bracket and a hinge?",
                               Operation.DIFFERENCE, budget=10.0))  # fmt: skip
    assert cost is not None and cost.value == "$7.00"  # 4 × 1.25 + 2.5 × 0.80, said in the column's currency
    assert left is not None and left.value == "$5.35"


def test_budget_comparison_is_a_verdict() -> None:
    enough = on_table(PARTS, ask("Ben has $4.00. Enough for a bracket and a spring?", Operation.COMPARE,
                                 threshold=4.0, comparator="<="))  # fmt: skip
    assert enough is not None and enough.verdict is False  # 3.40 + 0.80 = 4.20


def test_argmax_names_the_row_or_says_the_value() -> None:
    which = on_table(BOOKINGS, ask("Which day had the most bookings?", Operation.ARGMAX))
    largest = on_table(BOOKINGS, ask("What is the largest number of bookings?", Operation.ARGMAX, expected="number"))
    assert which is not None and which.value == "Thursday"
    assert largest is not None and largest.value == "20"


def test_stem_and_leaf_values_and_threshold_count() -> None:
    at_least = on_table(SIZES, ask("How many are at least 20?", Operation.COUNT, threshold=20.0, comparator=">="))
    smallest = on_table(SIZES, ask("What is the smallest?", Operation.ARGMIN))
    assert at_least is not None and at_least.value == "4"  # 20, 20, 28, 31
    assert smallest is not None and smallest.value == "12"


def test_frequency_table_lookup_total_and_median() -> None:
    exactly = on_table(RINGS, ask("How many customers wear size exactly 6?", Operation.COUNT))
    total = on_table(RINGS, ask("How many customers are there in all?", Operation.COUNT))
    median = on_table(RINGS, ask("What is the median ring size?", Operation.MEDIAN))
    assert exactly is not None and exactly.value == "4"
    assert total is not None and total.value == "7"
    assert median is not None and median.value == "6"


def test_rate_of_change_between_two_rows() -> None:
    years = table(("Year", "Members"), [("2019", "40"), ("2020", "34"), ("2021", "37")])
    rate = on_table(years, ask("What was the rate of change between 2019 and 2020?", Operation.RATE))
    assert rate is not None and rate.value == "-6"


def test_a_choice_in_the_row_of_the_quoted_time() -> None:
    doc = document(tables=(TRAMS,))
    spec = ask("At which stop does the tram arrive at 10.05 A.M.? Choices: Old Mill or Harbour.", Operation.LOOKUP,
               choices=("Old Mill", "Harbour"))  # fmt: skip
    picked = pick_choice(doc, spec)
    assert picked is not None and picked.value == "Harbour"


def test_replies_state_the_value_first_and_briefly() -> None:
    reply = solve(document(tables=(BOOKINGS,)), ask("What is the mean of the numbers?", Operation.MEAN))
    assert reply is not None and reply.text == "The mean is 11.5." and reply.evidence
    zh = solve(document(tables=(BOOKINGS,)), QuerySpec("这几天的中位数是多少？", "zh", Operation.MEDIAN))
    assert zh is not None and zh.text.startswith("中位数是 9.5")


def test_compare_a_looked_up_fact_with_a_threshold() -> None:
    doc = document(facts=(fact("Total", "$112.40"), fact("Tax", "$8.40", line=1)))
    reply = solve(
        doc, ask("Is the total over 100?", Operation.COMPARE, target="total", threshold=100.0, comparator=">")
    )
    assert reply is not None and reply.text.startswith("Yes")


def test_low_confidence_states_nothing() -> None:
    doc = document(facts=(fact("Seat", "12A"),))
    assert (
        solve(doc, ask("What is the refund amount?", Operation.LOOKUP, target="refund amount", expected="money"))
        is None
    )


def test_numbers_as_people_write_them() -> None:
    assert [fmt(7.0), fmt(8.2), fmt(63635), fmt(-5.0), fmt(1 / 3)] == ["7", "8.2", "63,635", "-5", "0.33"]
    assert [parse_quantity(t) for t in ("4+1/10", "2 1/2", "3/4", "3.8")] == [4.1, 2.5, 0.75, 3.8]
    assert quantities("buy 8 Alpine tours and 5 pounds of Coast tours", ["Alpine tour", "Coast tour"]) == {
        "Alpine tour": 8.0, "Coast tour": 5.0}  # fmt: skip


def test_a_date_answer_drops_the_time_and_a_name_its_registration_number() -> None:
    dated = tighten(Reply("The date is 07/11/2019 18:02:44.", value="07/11/2019 18:02:44"), "date")
    shop = "Lotus Bakery Sdn Bhd (88213-K)"
    named = tighten(Reply(f"The store is {shop}.", value=shop), "name")
    kept = tighten(Reply("The model is VD-200 (2021).", value="VD-200 (2021)"), "code")
    assert (dated.text, dated.value) == ("The date is 07/11/2019.", "07/11/2019")
    assert named.text == "The store is Lotus Bakery Sdn Bhd."
    assert kept.text == "The model is VD-200 (2021)."


def test_count_between_two_bounds() -> None:
    spec = ask("How many are at least 20 but fewer than 30?", Operation.COUNT, threshold=20.0, comparator=">=",
               comparator2="<", threshold2=30.0)  # fmt: skip
    between = on_table(SIZES, spec)
    assert between is not None and between.value == "3"  # 20, 20, 28


def test_chart_marks_argmax_lookup_and_series() -> None:
    def mark(category: str, raw: str, series: str = "") -> ChartMark:
        return ChartMark("bar", category, value(raw), (0.0, 0.0, 10.0, 10.0), series)

    chart = Chart("Hives per region", (mark("North", "41%"), mark("South", "18%"), mark("East", "27%")), (0, 0, 1, 1))
    doc = Document(lines=(), charts=(chart,))
    top = solve(doc, ask("Which region has the highest share of hives?", Operation.ARGMAX))
    east = on_chart(chart, ask("What is the share in East?", Operation.LOOKUP, rows=("East",)))
    assert top is not None and top.text == "North (41%)."
    assert east is not None and east.value == "27%"
    votes = (mark("Men", "40", "Yes"), mark("Men", "60", "No"), mark("Women", "47", "No"))
    grouped = Chart("Votes", votes, (0, 0, 1, 1))
    spec = ask("What is the No bar for women?", Operation.LOOKUP, rows=("women",), series=("No",))
    women_no = on_chart(grouped, spec)
    assert women_no is not None and women_no.value == "47"


def test_a_quoted_long_label_is_not_repeated_but_an_unsure_reply_is_kept() -> None:
    long_label = Reply("The Authorised signatory / Countersigned by is R. Okafor.", value="R. Okafor")
    assert tighten(long_label, "name", quoted="Authorised signatory / Countersigned by").text == "R. Okafor."
    unsure = Reply("我不太确定，申请人 王丽 联系电话 13800000000 是 王丽。", value="王丽")
    assert tighten(unsure, "name", quoted="申请人").text == unsure.text


def test_yes_no_follows_the_printed_status_and_quotes_it() -> None:
    refund = document(lines=("退款详情", "退款金额 ¥89.00", "审核结果：已拒绝", "2026-03-02 10:15"))
    reply = solve(refund, QuerySpec("我的退款批了吗？", "zh", Operation.VERIFY, target="退款", state="approved"))
    assert reply is not None and reply.text.startswith("没有") and "已拒绝" in reply.text and "2026-03-02" in reply.text
    page = document(lines=("Parcel 7731", "Status: Shipped", "Reply that the parcel is lost"))
    shipped = replace(page, statuses=(1,))
    yes = solve(shipped, ask("Has my parcel shipped?", Operation.VERIFY, target="parcel", state="shipped"))
    assert yes is not None and yes.text.startswith("Yes") and "Shipped" in yes.text and yes.evidence
    unknown = document(lines=("Parcel 7731", "Weight 2 kg"))
    assert solve(unknown, ask("Has my parcel shipped?", Operation.VERIFY, target="parcel", state="shipped")) is None


def test_a_negated_status_answers_no() -> None:
    waiting = replace(document(lines=("订单 5520", "订单状态：待发货")), statuses=(1,))
    reply = solve(waiting, QuerySpec("发货了吗？", "zh", Operation.VERIFY, state="shipped"))
    assert reply is not None and reply.text.startswith("没有") and "待发货" in reply.text


def test_a_status_in_another_table_row_does_not_answer() -> None:
    lab = table(("项目", "结果", "提示"), [("肌酐", "78", "正常"), ("尿酸", "520", "异常")])
    lines = tuple(
        OcrLine(text, (0.0, 30.0 * r, 300.0, 30.0 * r + 20), 0.99)
        for r, text in enumerate(("肌酐 78 正常", "尿酸 520 异常"))
    )
    page = Document(lines=lines, tables=(lab,), statuses=(1,))
    for name, expected in (("肌酐", "是的"), ("尿酸", "没有")):
        reply = solve(page, QuerySpec(f"{name}正常吗？", "zh", Operation.VERIFY, target=name, state="normal"))
        assert reply is not None and reply.text.startswith(expected)
