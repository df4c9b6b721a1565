"""Manual drafts on hand-built perceptions (no OCR): translation by lexicon, citations, checklist."""

from __future__ import annotations

import pytest

from visdesk.domain import OcrLine, Perception
from visdesk.errors import AppError
from visdesk.manuals import check_languages, draft_manual, parse_specs
from visdesk.manuals.render import to_html, to_markdown

SPECS = (
    "Spec,Value\nModel,VD-CH65\nInput,100-240V~ 50/60Hz 1.5A\nOutput,20V 3.25A\nWeight,120 g\nCable grade,E-marker\n"
)


def photo(*texts: str, score: float = 0.99) -> Perception:
    lines = tuple(OcrLine(t, (10.0, 10.0 + 30 * i, 200.0, 35.0 + 30 * i), score) for i, t in enumerate(texts))
    return Perception(content_id="p", size=(400, 400), lines=lines)


def test_spec_table_long_wide_and_headerless() -> None:
    long = parse_specs(SPECS)
    assert [(r.name, r.row, r.column) for r in long[:2]] == [("Model", 2, 2), ("Input", 3, 2)]
    assert long[0].value == "VD-CH65"
    wide = parse_specs("型号,输入,重量\nVD-PB20,USB-C 5V⎓3A,350g\n")
    assert [(r.name, r.row, r.column) for r in wide] == [("型号", 2, 1), ("输入", 2, 2), ("重量", 2, 3)]
    headerless = parse_specs("Input,5V 2A\nWeight,80 g\n")
    assert [r.row for r in headerless] == [1, 2]


@pytest.mark.parametrize("bad", ["just one cell", "a\n"])
def test_a_spec_table_that_is_not_one_is_a_400(bad: str) -> None:
    with pytest.raises(AppError) as error:
        parse_specs(bad)
    assert error.value.status == 400


def test_unknown_language_names_the_choices() -> None:
    with pytest.raises(AppError) as error:
        check_languages(["zh", "de"])
    assert "es" in error.value.message and error.value.details["accepted"] == ["en", "zh", "es", "fr"]


def test_four_languages_translate_terms_and_cite_every_statement() -> None:
    drafts = draft_manual(
        [photo("65W GaN Charger", "Model: VD-CH65", "Input: 100-240V~ 50/60Hz 1.5A", "CE FCC RoHS")],
        parse_specs(SPECS),
        ["zh", "en", "es", "fr"],
    )
    assert drafts["zh"].product == "VD-CH65"
    terms = {lang: [s.term for s in d.specs] for lang, d in drafts.items()}
    assert terms["zh"][:4] == ["型号", "输入", "输出", "重量"]
    assert terms["es"][:4] == ["Modelo", "Entrada", "Salida", "Peso"]
    assert terms["fr"][:4] == ["Modèle", "Entrée", "Sortie", "Poids"]
    assert "输入：100-240V~ 50/60Hz 1.5A" in [s.text for s in drafts["zh"].parts]  # the label line, translated
    for draft in drafts.values():
        for statement in draft.parts + draft.specs + draft.safety:
            assert statement.citation.kind in ("photo", "spec")
            assert statement.citation.box is not None or statement.citation.row > 0
    marks = [s.text for s in drafts["en"].safety]
    assert any("CE marking" in m for m in marks) and any("FCC" in m for m in marks) and any("RoHS" in m for m in marks)
    # an unknown spec term stays as printed and goes to the checklist of the languages it is not in
    assert any("Cable grade" in item for item in drafts["fr"].checklist)
    assert not any("Cable grade" in item for item in drafts["en"].checklist)


def test_label_and_table_conflict_goes_to_the_checklist() -> None:
    drafts = draft_manual([photo("Output: 20V 3A")], parse_specs(SPECS), ["en"])
    assert any("conflict" in item and "20V 3A" in item and "20V 3.25A" in item for item in drafts["en"].checklist)


def test_warnings_are_quoted_and_flagged_for_translation() -> None:
    drafts = draft_manual([photo("警告：请勿拆解", "Keep away from water")], [], ["zh", "en"])
    zh, en = drafts["zh"], drafts["en"]
    assert [s.text for s in zh.safety] == ["“警告：请勿拆解”", "“Keep away from water”"]
    assert any("Keep away from water" in item for item in zh.checklist)
    assert any("警告：请勿拆解" in item for item in en.checklist)
    assert any("spec" in item.lower() for item in en.checklist)  # no spec table was given
    assert any("model number" in item for item in en.checklist)  # none was read


def test_no_marks_found_is_said_and_checked() -> None:
    draft = draft_manual([photo("Smart Plug")], [], ["en"])["en"]
    assert "No safety warning" in draft.safety[0].text
    assert any("safety warnings" in item for item in draft.checklist)


def test_low_confidence_labels_are_flagged() -> None:
    draft = draft_manual([photo("Pwr btn", score=0.5)], [], ["en"])["en"]
    assert any("Pwr btn" in item and "low confidence" in item for item in draft.checklist)


def test_markdown_and_html_carry_the_citations_escaped() -> None:
    draft = draft_manual([photo("Model: VD-CH65", "<b>Warning</b> hot")], parse_specs(SPECS), ["en"])["en"]
    markdown, html = to_markdown(draft), to_html(draft)
    assert "## Technical specifications" in markdown and "spec table, row 3, column 2" in markdown
    assert "read on photo 1 [10, 10, 200, 35]" in markdown
    assert "- [ ] " in markdown
    assert "&lt;b&gt;Warning&lt;/b&gt;" in html and "<b>Warning" not in html
    assert "&lt;b&gt;Warning&lt;/b&gt;" in markdown  # markup read on a photo is shown, never rendered
