"""Compatibility verdicts and recommendations over the real demo catalog (label lines as OCR would read them).

The grounding comes from the real knowledge service searching the demo shop with the label's lines,
so the product match, its catalog row, the related accessories and the manual section are the ones
the service would hand the engine; the HTTP tests (tests/api/test_product_support.py) run real OCR
on rendered phone photos.
"""

from __future__ import annotations

import pytest

from tests.knowledge.conftest import ask as kb_query
from tests.knowledge.conftest import demo_kb as demo_kb  # the session fixture: the demo shop indexed once
from tests.knowledge.conftest import seen
from visdesk.domain import EngineRequest, Grounding, Perception, Query, Turn
from visdesk.engines.embedded.composer import compose
from visdesk.engines.embedded.explainers import registered
from visdesk.engines.embedded.explainers.product_facts import ratings
from visdesk.engines.embedded.reply import Reply
from visdesk.knowledge import KnowledgeService
from visdesk.language import detect_language

LABELS = {
    "VD-CH65": ("visdesk", "65W GaN Charger", "Model: VD-CH65", "Input: 100–240V~ 50/60Hz 1.5A",
                "Output: USB-C1/C2 5V=3A / 9V=3A", "Power: 65W max"),
    "VD-SK7": ("visdesk", "Smart Electric Kettle 1.7L", "Model: VD-SK7", "Input: 220V~ 50Hz", "Power: 1800W"),
    "VD-PB20": ("visdesk", "Power Bank 20000mAh", "Model: VD-PB20", "Input: USB-C 5V=3A / 9V=2.22A",
                "Output: USB-C 5V=3A / 9V=2.22A", "Power: 20W"),
    "VD-EB2": ("visdesk", "Noise-cancelling Wireless Earbuds", "Model: VD-EB2", "Input: USB-C 5V=0.5A"),
    "VD-TOY3": ("visdesk", "Kids' Remote Control Car", "Model: VD-TOY3", "Input: 3× AA 1.5V (car)"),
    "VD-CAM2": ("visdesk", "2K Home Security Camera", "Model: VD-CAM2", "Input: 5V=1A", "Power: 5W"),
}  # fmt: skip


def _reply(kb: KnowledgeService, model: str, question: str, history: tuple[Turn, ...] = ()) -> tuple[Reply, Perception]:
    label = seen(*LABELS[model], content_id=model)
    query = Query(question=question, image=None, language=detect_language(question), history=history)
    passages = kb.search(kb_query(question), label, 6)
    return compose(EngineRequest(query=query, grounding=Grounding(seen=label, passages=tuple(passages)))), label


def _boxed(reply: Reply, label: Perception, starts: str) -> None:
    """The deciding label line is the evidence, with its box on the photo."""
    line = next(line for line in label.lines if line.text.startswith(f"{starts}:"))
    assert any(e.text == line.text and e.box == line.box for e in reply.evidence), reply.evidence


def test_the_explainers_are_registered() -> None:
    assert {"compatibility", "recommendations"} <= {e.name for e in registered()}


@pytest.mark.parametrize(
    ("model", "question", "first", "deciding"),
    [
        ("VD-CH65", "能在110V用吗？", "可以", "Input"),
        ("VD-CH65", "Can I use this in Japan?", "Yes", "Input"),
        ("VD-SK7", "能在110V用吗？", "不可以", "Input"),
        ("VD-SK7", "Will it work in the US?", "No", "Input"),
        ("VD-SK7", "Will it work in Germany?", "Yes", "Input"),
        ("VD-CH65", "Does it work with iPhone 15?", "Yes", "Power"),
        ("VD-CH65", "能给笔记本充电吗？", "视情况而定", "Power"),
        ("VD-PB20", "Can it charge my laptop?", "No", "Power"),
        ("VD-SK7", "Will it charge my iPhone 15?", "No", "Model"),
        ("VD-CH65", "Will this charge my VD-PB20 power bank?", "Yes", "Power"),
        ("VD-CAM2", "Can I power it from the VD-PB20?", "Yes", "Model"),  # a yes/no naming another product
        ("VD-SK7", "Is it OK on 230V?", "Yes", "Input"),  # a yes/no naming a voltage
    ],
)
def test_verdict_first_then_the_deciding_label_line(
    demo_kb: KnowledgeService, model: str, question: str, first: str, deciding: str
) -> None:
    reply, label = _reply(demo_kb, model, question)
    assert reply.text.startswith(first), reply.text
    assert reply.structured and reply.structured["product"]["model"] == model
    _boxed(reply, label, deciding)
    assert any(s.source.startswith("manuals/") for s in reply.sources()), reply.sources()  # the manual is cited


def test_the_numbers_that_decide_are_in_the_reason(demo_kb: KnowledgeService) -> None:
    reply, _ = _reply(demo_kb, "VD-SK7", "能在110V用吗？")
    assert "220V~" in reply.text and "110V" in reply.text
    reply, _ = _reply(demo_kb, "VD-CH65", "Does it work with iPhone 15?")
    assert "65 W" in reply.text and "20 W" in reply.text and "USB-C" in reply.text


def test_a_catalog_product_not_listed_is_a_no(demo_kb: KnowledgeService) -> None:
    reply, _ = _reply(demo_kb, "VD-EB2", "Will it work with the VD-SK7?")
    assert reply.text.startswith("No") and "VD-SK7" in reply.text


def test_unknown_device_gets_one_question_and_the_next_turn_is_answered(demo_kb: KnowledgeService) -> None:
    reply, _ = _reply(demo_kb, "VD-CH65", "This works?")
    assert reply.text.startswith("It depends")
    assert reply.text.endswith("Which device do you want to charge? Its input rating is printed on it.")
    assert reply.text.count("?") == 1 and not reply.confident
    turn = Turn(question="This works?", answer=reply.text, image_content_id="VD-CH65")
    follow, label = _reply(demo_kb, "VD-CH65", "an iPhone 15", history=(turn,))
    assert follow.text.startswith("Yes") and "iPhone 15" in follow.text
    _boxed(follow, label, "Power")
    # without the earlier turn the same words are not a compatibility question
    assert not _reply(demo_kb, "VD-CH65", "an iPhone 15")[0].text.startswith("Yes")


def test_a_mains_appliance_asks_for_the_voltage(demo_kb: KnowledgeService) -> None:
    reply, label = _reply(demo_kb, "VD-SK7", "这个能用吗？")
    assert reply.text.startswith("视情况而定") and "220V~" in reply.text
    assert reply.text.endswith("您打算在哪个国家使用，或者您的插座是多少伏？")
    _boxed(reply, label, "Input")
    turn = Turn(question="这个能用吗？", answer=reply.text)
    assert _reply(demo_kb, "VD-SK7", "日本", history=(turn,))[0].text.startswith("不可以")


@pytest.mark.parametrize(
    ("model", "question", "expected"),
    [
        ("VD-CH65", "What cable should I buy for this?", {"VDS-1003"}),
        ("VD-PB20", "这个配什么充电器？", {"VDS-1002"}),
        ("VD-EB2", "Is there a case for this?", {"VDS-1015"}),
        ("VD-TOY3", "这个配什么电池？", {"VDS-1016"}),
        ("VD-CH65", "Which cable do you recommend for this charger?", {"VDS-1003"}),  # the kind named first
    ],
)
def test_recommendations_come_from_the_catalog_with_why_they_fit(
    demo_kb: KnowledgeService, model: str, question: str, expected: set[str]
) -> None:
    reply, label = _reply(demo_kb, model, question)
    assert {r.sku for r in reply.recommendations} == expected, reply.text
    for card in reply.recommendations:
        assert card.name and card.price.startswith("¥") and card.reason
        assert card.image_url == f"/v1/catalog/{card.sku}/image"
        assert card.name in reply.text and card.price in reply.text
    _boxed(reply, label, "Model")


def test_a_cable_for_a_65w_charger_carries_65w(demo_kb: KnowledgeService) -> None:
    reply, _ = _reply(demo_kb, "VD-CH65", "What cable should I buy for this?")
    assert "100 W" in reply.recommendations[0].reason and "65 W" in reply.recommendations[0].reason


def test_no_accessory_of_that_kind_is_said_plainly(demo_kb: KnowledgeService) -> None:
    reply, _ = _reply(demo_kb, "VD-SK7", "Is there a case for this?")
    assert reply.text.startswith("Sorry") and not reply.recommendations and not reply.confident


def test_without_a_product_the_generic_engine_answers(demo_kb: KnowledgeService) -> None:
    label = seen("订单号 12345", "已发货")
    question = "This works?"
    query = Query(question=question, image=None, language="en")
    passages = tuple(p for p in demo_kb.search(kb_query(question), label, 6) if p.kind != "product")
    reply = compose(EngineRequest(query=query, grounding=Grounding(seen=label, passages=passages)))
    assert not reply.text.startswith(("Yes", "No", "It depends")) and not reply.recommendations


def test_ratings_read_the_printed_output_not_a_pass_through_power() -> None:
    adapter = ratings({"输入 Input": "100–250V~ 10A", "输出 Output": "USB-A 5V⎓2.4A ×2", "功率 Power": "2500W max"})
    assert adapter.output_watts == 12 and adapter.mains == (100, 250)
    charger = ratings({"输出 Output": "USB-C 5V⎓3A / 20V⎓3.25A", "功率 Power": "65W max", "接口 Interface": "USB-C ×2"})
    assert charger.output_watts == 65 and charger.connectors == ("USB-C",)
    kettle = ratings({"输入 Input": "220V~ 50Hz", "功率 Power": "1800W"})
    assert kettle.output_watts is None and kettle.mains == (220, 220)
