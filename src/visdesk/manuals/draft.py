"""Manual drafts: product photos + a spec table → cited statements per language, and a review checklist.

Why statements with citations: a manual is a legal document, so a draft is only useful if a person
can check each line against where it came from. Every statement cites a photo box or a spec-table
cell; what the draft cannot vouch for (an untranslated term, a conflict between the label and the
table, a certification mark, a warning printed in another language) goes to the checklist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from visdesk.domain import Box, OcrLine, Perception
from visdesk.manuals.lexicon import Lexicon, lexicon
from visdesk.manuals.specs import SpecRow
from visdesk.perception.facts import PATTERNS

MAX_LABELS_PER_PHOTO = 30
LOW_OCR = 0.8
_LABEL_VALUE = re.compile(r"^(?P<name>[^:：]{1,30}?)\s*[:：]\s*(?P<value>\S.*)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Citation:
    kind: Literal["photo", "spec", "model", "template"]  # template: the drafter's own wording, no fact
    photo: int = 0  # 1-based photo number
    box: Box | None = None
    row: int = 0  # 1-based spec-table row and column
    column: int = 0

    def describe(self, lang: str, lex: Lexicon) -> str:
        if self.kind == "photo":
            where = lex.section("read_on_photo", lang, n=str(self.photo))
            return where + (f" [{', '.join(f'{v:.0f}' for v in self.box)}]" if self.box else "")
        if self.kind == "spec":
            return lex.section("spec_cell", lang, row=str(self.row), col=str(self.column))
        return lex.section("drafted_by_model", lang) if self.kind == "model" else ""


@dataclass(frozen=True)
class Statement:
    text: str  # in the draft's language
    citation: Citation
    term: str = ""  # the translated spec term, for table rows
    value: str = ""


@dataclass
class LanguageDraft:
    language: str
    title: str
    product: str
    overview: list[Statement] = field(default_factory=list)
    parts: list[Statement] = field(default_factory=list)
    specs: list[Statement] = field(default_factory=list)
    safety: list[Statement] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PhotoLine:
    photo: int
    line: OcrLine

    @property
    def citation(self) -> Citation:
        return Citation("photo", photo=self.photo, box=self.line.box)


def _lines(photos: list[Perception]) -> list[PhotoLine]:
    return [PhotoLine(n, line) for n, seen in enumerate(photos, start=1) for line in seen.lines if line.text.strip()]


def _model(lines: list[PhotoLine], specs: list[SpecRow], lex: Lexicon) -> tuple[str, Citation | None]:
    for spec in specs:
        if lex.term_id(spec.name) == "model":
            return spec.value, Citation("spec", row=spec.row, column=spec.column)
    for item in lines:
        match = PATTERNS["model"].search(item.line.text)
        if match:
            return match.group(0), item.citation
    return "", None


def _is_warning(text: str, lex: Lexicon) -> bool:
    folded = text.casefold()
    return any(word in folded for word in lex.warnings)


def _marks(lines: list[PhotoLine], lex: Lexicon) -> list[tuple[str, str, PhotoLine]]:
    found: dict[str, tuple[str, str, PhotoLine]] = {}
    for item in lines:
        for mark in lex.marks:
            match = mark.pattern.search(item.line.text)
            if match and mark.name not in found:
                found[mark.name] = (mark.name, match.group(0), item)
    return list(found.values())


def _translate_label(text: str, lang: str, lex: Lexicon) -> tuple[str, str | None]:
    """'Input: 100-240V~' → ('输入：100-240V~', 'input') when the label is a known term; else as printed."""
    match = _LABEL_VALUE.match(text)
    if not match:
        return text, None
    term_id = lex.term_id(match.group("name"))
    if term_id is None:
        return text, None
    sep = "：" if lang == "zh" else ": "
    return f"{lex.terms[term_id][lang]}{sep}{match.group('value')}", term_id


def _printed_in(text: str) -> str:
    """zh for text with Han characters, else en (a Latin-script label is taken as English)."""
    return "zh" if _CJK.search(text) else "en"


def _numbers(text: str) -> set[str]:
    return set(_DIGITS.findall(text))


def draft_manual(
    photos: list[Perception],
    specs: list[SpecRow],
    languages: list[str],
    product_name: str = "",
    prose: dict[str, str] | None = None,
) -> dict[str, LanguageDraft]:
    """One draft per language; `prose` (language → paragraph) comes from a VLM engine when one is configured."""
    lex = lexicon()
    lines = _lines(photos)
    model, model_source = _model(lines, specs, lex)
    marks = _marks(lines, lex)
    mark_lines = {id(item) for _, _, item in marks}
    warnings = [item for item in lines if _is_warning(item.line.text, lex) and id(item) not in mark_lines]
    warning_ids = {id(item) for item in warnings}
    label_lines = [item for item in lines if id(item) not in warning_ids | mark_lines]
    spec_terms = {lex.term_id(s.name): s for s in specs}
    drafts: dict[str, LanguageDraft] = {}
    for lang in languages:
        name = product_name or model or lex.section("the_product", lang)
        draft = LanguageDraft(lang, lex.section("title", lang), name)
        overview = lex.section("overview_text", lang, name=name)
        draft.overview.append(Statement(overview, Citation("template")))
        if model and model_source is not None:
            draft.overview.append(Statement(f"{lex.section('model', lang)}: {model}", model_source))
        if prose and prose.get(lang):
            draft.overview.append(Statement(prose[lang], Citation("model")))
            draft.checklist.append(lex.check("prose", lang))
        _parts(draft, label_lines, spec_terms, lex)
        _specs(draft, specs, lex)
        _safety(draft, marks, warnings, lex)
        if not model:
            draft.checklist.append(lex.check("no_model", lang))
        if not specs:
            draft.checklist.append(lex.check("no_specs", lang))
        draft.checklist.append(lex.check("final", lang))
        drafts[lang] = draft
    return drafts


def _parts(draft: LanguageDraft, lines: list[PhotoLine], spec_terms: dict[str | None, SpecRow], lex: Lexicon) -> None:
    lang = draft.language
    per_photo: dict[int, int] = {}
    seen_texts: set[str] = set()
    for item in lines:
        text = item.line.text.strip()
        if text in seen_texts or per_photo.get(item.photo, 0) >= MAX_LABELS_PER_PHOTO:
            continue
        seen_texts.add(text)
        per_photo[item.photo] = per_photo.get(item.photo, 0) + 1
        translated, term_id = _translate_label(text, lang, lex)
        draft.parts.append(Statement(translated, item.citation))
        if item.line.score < LOW_OCR:
            draft.checklist.append(lex.check("low_ocr", lang, text=text, n=str(item.photo)))
        table_row = spec_terms.get(term_id) if term_id else None
        if table_row is not None and term_id is not None:
            printed = _LABEL_VALUE.match(text)
            photo_value = printed.group("value") if printed else text
            if _numbers(photo_value) and _numbers(photo_value) != _numbers(table_row.value):
                draft.checklist.append(
                    lex.check("conflict", lang, photo=photo_value, table=table_row.value, term=lex.terms[term_id][lang])
                )


def _specs(draft: LanguageDraft, specs: list[SpecRow], lex: Lexicon) -> None:
    lang = draft.language
    for spec in specs:
        term_id = lex.term_id(spec.name)
        citation = Citation("spec", row=spec.row, column=spec.column)
        if term_id is None:
            draft.specs.append(Statement(f"{spec.name}: {spec.value}", citation, spec.name, spec.value))
            if _printed_in(spec.name) != lang:
                draft.checklist.append(lex.check("untranslated", lang, term=spec.name, lang=lang))
            continue
        term = lex.terms[term_id][lang]
        draft.specs.append(Statement(f"{term}: {spec.value}", citation, term, spec.value))


def _safety(
    draft: LanguageDraft, marks: list[tuple[str, str, PhotoLine]], warnings: list[PhotoLine], lex: Lexicon
) -> None:
    lang = draft.language
    statements = {m.name: m.statements for m in lex.marks}
    for name, printed, item in marks:
        draft.safety.append(Statement(statements[name][lang].format(text=printed), item.citation))
        draft.checklist.append(lex.check("mark", lang, mark=printed, n=str(item.photo)))
    for item in warnings:
        text = item.line.text.strip()
        draft.safety.append(Statement(f"“{text}”", item.citation))
        if _printed_in(text) != lang:
            draft.checklist.append(lex.check("translate_warning", lang, text=text, lang=lang))
    if not marks and not warnings:
        draft.safety.append(Statement(lex.section("no_marks", lang), Citation("template")))
        draft.checklist.append(lex.check("no_safety", lang))
