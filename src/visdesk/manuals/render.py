"""A language draft → Markdown and HTML (no template engine: the structure is fixed and small)."""

from __future__ import annotations

from html import escape

from visdesk.manuals.draft import LanguageDraft, Statement
from visdesk.manuals.lexicon import lexicon


def _md(text: str) -> str:
    """Text read from a photo is data: markup in it is shown, never rendered."""
    return escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _cite(statement: Statement, lang: str) -> str:
    return statement.citation.describe(lang, lexicon())


def to_markdown(draft: LanguageDraft) -> str:
    lex, lang = lexicon(), draft.language
    out = [f"# {draft.title}: {draft.product}", ""]
    for key, statements in (("overview", draft.overview), ("parts", draft.parts), ("safety", draft.safety)):
        out += [f"## {lex.section(key, lang)}", ""]
        out += [f"- {_md(s.text)}" + (f" — *{cite}*" if (cite := _cite(s, lang)) else "") for s in statements]
        out.append("")
        if key == "parts":
            out += _spec_table_md(draft)
    out += [f"## {lex.section('checklist', lang)}", ""]
    out += [f"- [ ] {_md(item)}" for item in draft.checklist]
    return "\n".join(out).rstrip() + "\n"


def _spec_table_md(draft: LanguageDraft) -> list[str]:
    lex, lang = lexicon(), draft.language
    out = [f"## {lex.section('specs', lang)}", ""]
    if draft.specs:
        out += [f"| {lex.section('term', lang)} | {lex.section('value', lang)} | {lex.section('source', lang)} |"]
        out.append("|---|---|---|")
        out += [f"| {_md(s.term)} | {_md(s.value)} | {_cite(s, lang)} |" for s in draft.specs]
        out.append("")
    return out


def to_html(draft: LanguageDraft) -> str:
    lex, lang = lexicon(), draft.language
    e = escape

    def items(statements: list[Statement]) -> str:
        rows = []
        for s in statements:
            cite = _cite(s, lang)
            rows.append(f"<li>{e(s.text)}" + (f' <cite>{e(cite)}</cite>' if cite else "") + "</li>")
        return "<ul>" + "".join(rows) + "</ul>"

    specs = "".join(
        f"<tr><th>{e(s.term)}</th><td>{e(s.value)}</td><td><cite>{e(_cite(s, lang))}</cite></td></tr>"
        for s in draft.specs
    )
    checklist = "".join(f'<li><label><input type="checkbox"> {e(item)}</label></li>' for item in draft.checklist)
    return (
        f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">'
        f"<title>{e(draft.title)}: {e(draft.product)}</title></head><body>"
        f"<h1>{e(draft.title)}: {e(draft.product)}</h1>"
        f"<h2>{e(lex.section('overview', lang))}</h2>{items(draft.overview)}"
        f"<h2>{e(lex.section('parts', lang))}</h2>{items(draft.parts)}"
        f"<h2>{e(lex.section('specs', lang))}</h2><table>{specs}</table>"
        f"<h2>{e(lex.section('safety', lang))}</h2>{items(draft.safety)}"
        f"<h2>{e(lex.section('checklist', lang))}</h2><ul>{checklist}</ul>"
        "</body></html>\n"
    )
