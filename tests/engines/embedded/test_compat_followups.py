"""Compatibility verdicts and recommendations found wrong by the acceptance probe of a running server (issue 10):
a DC voltage in a question read as a mains socket, a pending device question lost after one turn in
between, and a short follow-up ("and on 110V?") after a verdict not read as a compatibility question,
and a charger asked "what charger goes with this?" listing everything as a charger."""

from __future__ import annotations

import pytest

from tests.engines.embedded.test_product_explainers import _boxed, _reply
from tests.knowledge.conftest import demo_kb as demo_kb  # the session fixture: the demo shop indexed once
from visdesk.domain import Turn
from visdesk.knowledge import KnowledgeService


@pytest.mark.parametrize("question", ["Is the output 20V?", "Does it support 12V?", "输出有20V吗？"])
def test_a_dc_voltage_is_not_a_mains_socket(demo_kb: KnowledgeService, question: str) -> None:
    reply, _ = _reply(demo_kb, "VD-CH65", question)
    # the label prints 20V⎓3.25A as an output: "No, it needs 100–240 V mains" would be wrong
    assert "mains" not in reply.text and "电源" not in reply.text, reply.text
    assert not (reply.structured and "verdict" in reply.structured), reply.structured


def test_a_mains_voltage_in_the_question_still_decides(demo_kb: KnowledgeService) -> None:
    assert _reply(demo_kb, "VD-SK7", "Is it OK on 110V?")[0].text.startswith("No")


def _turn(kb: KnowledgeService, model: str, question: str, history: tuple[Turn, ...] = ()) -> tuple[Turn, ...]:
    reply, _ = _reply(kb, model, question, history)
    return (*history, Turn(question=question, answer=reply.text, image_content_id=model))


def test_the_pending_device_question_survives_a_turn_in_between(demo_kb: KnowledgeService) -> None:
    history = _turn(demo_kb, "VD-CH65", "This works?")
    history = _turn(demo_kb, "VD-CH65", "What cable should I buy for this?", history)
    assert history[-1].answer.startswith("For the VD-CH65 we recommend")
    reply, label = _reply(demo_kb, "VD-CH65", "an iPhone 15", history)
    assert reply.text.startswith("Yes") and "iPhone 15" in reply.text, reply.text
    _boxed(reply, label, "Power")


def test_a_verdict_answers_the_pending_question_once(demo_kb: KnowledgeService) -> None:
    history = _turn(demo_kb, "VD-CH65", "This works?")
    history = _turn(demo_kb, "VD-CH65", "an iPhone 15", history)
    # the question was answered: "an iPad" is now a new device, not "This works? an iPhone 15 an iPad"
    reply, _ = _reply(demo_kb, "VD-CH65", "what about an iPad?", history)
    assert reply.text.startswith("Yes") and "tablet" in reply.text and "iPhone" not in reply.text, reply.text


@pytest.mark.parametrize(
    ("model", "first", "follow", "expected"),
    [
        ("VD-CH65", "Does it work with iPhone 15?", "and on 110V?", "Yes"),
        ("VD-CH65", "能给笔记本充电吗？", "那110V呢？", "可以"),
        ("VD-SK7", "Will it work in Germany?", "How about in the US?", "No"),
    ],
)
def test_a_short_turn_after_a_verdict_continues_it(
    demo_kb: KnowledgeService, model: str, first: str, follow: str, expected: str
) -> None:
    history = _turn(demo_kb, model, first)
    reply, label = _reply(demo_kb, model, follow, history)
    assert reply.text.startswith(expected), reply.text
    _boxed(reply, label, "Input")


def test_a_short_turn_without_an_earlier_verdict_is_no_verdict(demo_kb: KnowledgeService) -> None:
    history = _turn(demo_kb, "VD-CH65", "What cable should I buy for this?")
    assert not _reply(demo_kb, "VD-CH65", "and on 110V?", history)[0].text.startswith("Yes")


@pytest.mark.parametrize(
    ("question", "starts"),
    [
        ("这个配什么充电器？", "VD-CH65 本身就是充电器。"),
        ("What charger should I buy for this?", "The VD-CH65 is itself a charger."),
    ],
)
def test_asking_for_the_products_own_kind_says_what_it_is(
    demo_kb: KnowledgeService, question: str, starts: str
) -> None:
    # the probe got a list of a cable, a power bank, earbuds and an SSD as "chargers for this charger"
    reply, _ = _reply(demo_kb, "VD-CH65", question)
    assert reply.text.startswith(starts), reply.text
    assert reply.recommendations  # what the catalog lists as working with it still comes as cards


def test_a_kind_besides_the_products_own_is_still_filtered(demo_kb: KnowledgeService) -> None:
    reply, _ = _reply(demo_kb, "VD-PB20", "这个充电宝配什么线？")
    assert reply.text.startswith("适合 VD-PB20 的推荐") and [r.sku for r in reply.recommendations] == ["VDS-1003"]
