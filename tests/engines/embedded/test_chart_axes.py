"""Chart structure on rendered charts: axis labels (rotated too), tick arithmetic, colours and legends."""

from __future__ import annotations

import pytest

from tests.engines.embedded.helpers import ask
from visdesk.perception.colour import colour_names


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many countries are there on the horizontal axis in this chart?", "10"),
        ("What is the leftmost labeled tick on the horizontal axis?", "Norway"),
        ("What is the rightmost labeled tick on the horizontal axis?", "Mexico"),
        ("What is the difference between consecutive tick values on the vertical axis?", "25k"),
        ("What is the difference between the maximum and minimum tick labels on the vertical axis?", "100k"),
        ("横轴最右边的标签是什么？", "Mexico"),
    ],
)
async def test_axis_questions_on_rotated_labels(question: str, expected: str) -> None:
    result = await ask("rotated_axis_chart", question)
    assert expected in result.text, result.text
    assert result.last.evidence


@pytest.mark.parametrize(
    ("question", "expected", "not_expected"),
    [
        ("What does the color purple indicate in this chart?", "Belgium", "Brazil"),
        ("What does the color green indicate in this chart?", "United Kingdom", "Brazil"),
        ("What does the dark green line stand for?", "Brazil", "United Kingdom"),
        ("What is the dark green label in the legend of this chart?", "Major threat", "Minor threat"),
        ("紫色代表什么？", "Belgium", "Brazil"),
    ],
)
async def test_colour_questions_name_the_series(question: str, expected: str, not_expected: str) -> None:
    result = await ask("series_chart_en", question)
    assert expected in result.text and not_expected not in result.text, result.text


async def test_a_value_question_about_a_coloured_bar_is_not_answered_with_a_label() -> None:
    result = await ask("series_chart_en", "What is the value of the green bar?")
    assert "stands for" not in result.text


def test_colour_names() -> None:
    assert {"purple"} <= colour_names((128, 60, 170))
    assert {"dark", "green"} <= colour_names((25, 70, 20))
    assert "dark" not in colour_names((40, 140, 110)) and "green" in colour_names((40, 140, 110))
    assert colour_names((128, 128, 128)) >= {"grey"} and colour_names((10, 10, 10)) == {"black"}
    assert "red" in colour_names((220, 30, 40))
