"""The paraphrase suite rewords dev-set items by general rules and scores each wording against the original."""

from __future__ import annotations

from typing import Any

from bench.accuracy.paraphrase import expand, score_table, wordings


def _item(n: int, question: str, answer: str, lang: str, answer_type: str = "") -> dict[str, Any]:
    item = {"id": f"x-{n}", "question": question, "answers": [answer], "question_lang": lang}
    return {**item, "answer_type": answer_type} if answer_type else item


LOOKUP_ZH = _item(1, "发票代码是多少？", "144031900111", "zh")
LOOKUP_EN = _item(2, "What is the tracking number?", "SF1234567890", "en")
YESNO_ZH = _item(3, "白细胞正常吗？（回答是/否）", "是", "zh", "yesno")
YESNO_EN = _item(4, "Is it certified organic? Answer yes or no.", "no", "en", "yesno")


def _by_style(item: dict[str, Any]) -> dict[str, Any]:
    return {w.style: w for w in wordings(item)}


def test_lookups_get_polite_indirect_terse_and_cross_language_wordings() -> None:
    zh = _by_style(LOOKUP_ZH)
    assert zh["polite"].question == "能不能告诉我发票代码是多少"
    assert zh["terse"].question == "发票代码？"
    assert zh["cross"].question == "What is the invoice code?"
    en = _by_style(LOOKUP_EN)
    assert en["indirect"].question == "I'd like to know what is the tracking number."
    assert en["cross"].question.endswith("是什么？") and "单号" in en["cross"].question
    assert all(w.answers == LOOKUP_EN["answers"] for w in en.values())


def test_negative_yes_no_flips_in_chinese_and_keeps_in_english() -> None:
    zh = _by_style(YESNO_ZH)["negative"]
    assert zh.question.startswith("白细胞不正常吗") and zh.answers == ["否"]
    en = _by_style(YESNO_EN)["negative"]
    assert en.question.startswith("Isn't it certified organic?") and en.answers == ["no"]


def test_a_question_naming_a_row_is_not_reworded_into_a_bare_field() -> None:
    item = {"id": "x-5", "question": "甘油三酯的参考范围是多少", "answers": ["0.45-1.70"], "question_lang": "zh"}
    styles = _by_style(item)
    assert "cross" not in styles  # "What is the reference range?" would lose the row
    assert styles["terse"].question == "甘油三酯的参考范围？"


def test_score_table_compares_each_style_with_the_original() -> None:
    expanded = expand([LOOKUP_ZH, YESNO_ZH])
    # replies as the engine would give them: the original right, the polite ones wrong, the rest right
    results = [{"id": e["id"], "correct": e["style"] != "polite"} for e in expanded]
    table = score_table(expanded, results)
    assert table["original"]["rate"] == 1.0
    assert table["polite"] == {
        "n": 2, "correct": 0, "rate": 0.0, "original_rate": 1.0, "by_question_language": {"zh": 0.0}
    }  # fmt: skip
    assert table["negative"]["n"] == 1


def test_rewrites_skip_what_they_cannot_apply_to() -> None:
    already = _item(6, "能告诉我快递单号吗？", "SF1", "zh")
    assert "polite" not in _by_style(already)  # no "能不能告诉我能告诉我…"
    organic = _item(7, "这个产品有有机认证吗？（回答是/否）", "是", "zh", "yesno")
    negated = _by_style(organic)["negative"]
    assert negated.question.startswith("这个产品没有有机认证吗") and negated.answers == ["否"]
