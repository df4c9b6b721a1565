"""Source files → chunks: Markdown by headings, TXT by paragraphs, PDF by page, CSV by row.

Why chunk by the author's structure: a passage is shown to the customer's engine with its
citation (title › section), so a chunk should be one heading's worth of text, not an arbitrary
window. Long sections are cut at paragraph boundaries so that each chunk stays quotable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visdesk.knowledge.analysis import find_codes, find_exceptions
from visdesk.knowledge.catalog import Product, products_from_table
from visdesk.knowledge.tables import TableFile, bilingual, field_value, read_table

SUPPORTED_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".pdf", ".csv"})
MAX_CHUNK_CHARS = 1400  # a bilingual FAQ answer stays in one chunk
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_PHRASINGS = re.compile(r"^\s*(?:常见问法|其他问法|also asked|other phrasings)\s*[:：]\s*(.+)$", re.IGNORECASE)
_LIST = re.compile(r"\s*[、,，;；]\s*|[。.]$")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_KIND_BY_FOLDER = {"faq": "faq", "manuals": "manual", "manual": "manual", "known_issues": "article"}


@dataclass(frozen=True)
class Chunk:
    title: str
    section: str
    text: str
    source: str  # path relative to the knowledge-base folder
    kind: str  # article | faq | error_code | product | manual
    keywords: tuple[str, ...] = ()  # exact identifiers (codes, models, exception names) for boosts
    sku: str = ""  # the product a manual section or product row belongs to
    meta: dict[str, Any] = field(default_factory=dict)
    phrasings: tuple[str, ...] = ()  # other ways customers ask this: searched, never shown


@dataclass
class Parsed:
    chunks: list[Chunk] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)


def parse_file(path: Path, root: Path) -> Parsed:
    """Read one source file into chunks (and products, for a catalog CSV)."""
    source = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    if suffix in {".md", ".markdown"}:
        return Parsed(parse_markdown(path.read_text(encoding="utf-8", errors="replace"), source))
    if suffix == ".txt":
        return Parsed(parse_text(path.read_text(encoding="utf-8", errors="replace"), source))
    if suffix == ".pdf":
        return Parsed(parse_pdf(path, source))
    if suffix == ".csv":
        return parse_csv(path.read_bytes(), path.parent, source)
    return Parsed()


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """`---`-fenced `key: value` lines at the top (kind, sku, title, keywords); the rest of the text."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    fields = {}
    for line in text[3:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip().strip("'\"")
    return fields, text[end + 4 :].lstrip("\n")


def _kind_for(source: str, declared: str = "") -> str:
    if declared:
        return declared
    for part in source.split("/")[:-1]:
        if part.lower() in _KIND_BY_FOLDER:
            return _KIND_BY_FOLDER[part.lower()]
    return "article"


def _split_long(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Cut text at paragraph (then line) boundaries into pieces of at most ~limit characters."""
    if len(text) <= limit:
        return [text] if text.strip() else []
    pieces, current = [], ""
    for paragraph in re.split(r"\n\s*\n", text):
        if current and len(current) + len(paragraph) + 2 > limit:
            pieces.append(current)
            current = ""
        while len(paragraph) > limit:  # a single huge paragraph: cut at a line or sentence end
            cut = max(paragraph.rfind("\n", 0, limit), paragraph.rfind("。", 0, limit), paragraph.rfind(". ", 0, limit))
            cut = cut + 1 if cut > limit // 3 else limit
            pieces.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip()
        current = f"{current}\n\n{paragraph}" if current else paragraph
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def _identifiers(text: str, extra: str = "") -> tuple[str, ...]:
    found = [*find_codes(text), *find_exceptions(text), *[k.strip() for k in extra.split(",") if k.strip()]]
    return tuple(dict.fromkeys(found))


def parse_markdown(text: str, source: str) -> list[Chunk]:
    """Title = the H1 (or front matter / file name); section = the H2 › H3 path above the text."""
    fields, body = _front_matter(text)
    title = fields.get("title", "")
    kind = _kind_for(source, fields.get("kind", ""))
    sku = fields.get("sku", "")
    path: list[str] = []
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1 and not title:
            title = match.group(2)
            continue
        if match and len(match.group(1)) >= 2:
            depth = len(match.group(1)) - 2
            path = [*path[:depth], match.group(2)]
            sections.append((" › ".join(path), []))
            continue
        sections[-1][1].append(line)
    title = title or Path(source).stem
    chunks = []
    for section, lines in sections:
        phrasings = tuple(p for line in lines if (m := _PHRASINGS.match(line)) for p in _LIST.split(m.group(1)) if p)
        content = "\n".join(line for line in lines if not _PHRASINGS.match(line)).strip()
        for piece in _split_long(content):
            keywords = _identifiers(piece, fields.get("keywords", ""))
            chunks.append(Chunk(title, section, piece, source, kind, keywords, sku, _by_language(piece), phrasings))
    return chunks


def _by_language(text: str) -> dict[str, str]:
    """{"text_zh", "text_en"} for a bilingual passage (paragraphs by script), so engines quote one language."""
    halves: dict[str, list[str]] = {"zh": [], "en": []}
    for paragraph in re.split(r"\n\s*\n", text):
        cjk = len(_CJK_CHAR.findall(paragraph))
        halves["zh" if cjk >= 0.2 * max(1, len(paragraph.strip())) else "en"].append(paragraph.strip())
    if not halves["zh"] or not halves["en"]:
        return {}
    return {"text_zh": "\n\n".join(halves["zh"]), "text_en": "\n\n".join(halves["en"])}


def parse_text(text: str, source: str) -> list[Chunk]:
    """Plain text: the first line is the title when it is short, the rest is cut by paragraphs."""
    fields, body = _front_matter(text)
    lines = body.strip().splitlines()
    title = fields.get("title") or (lines[0].strip() if lines and len(lines[0]) <= 80 else Path(source).stem)
    if lines and lines[0].strip() == title:
        body = "\n".join(lines[1:])
    kind = _kind_for(source, fields.get("kind", ""))
    return [Chunk(title, "", p, source, kind, _identifiers(p), fields.get("sku", "")) for p in _split_long(body)]


def parse_pdf(path: Path, source: str) -> list[Chunk]:
    """The PDF's text layer, one chunk per page (section "p. N"); scanned pages without text are skipped."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    meta_title = (reader.metadata.title if reader.metadata else None) or ""
    chunks = []
    for number, page in enumerate(reader.pages, start=1):
        text = (page.extract_text() or "").strip()
        title = meta_title or Path(source).stem
        for piece in _split_long(text):
            chunks.append(Chunk(title, f"p. {number}", piece, source, _kind_for(source), _identifiers(piece)))
    return chunks


def parse_csv(data: bytes, folder: Path, source: str) -> Parsed:
    table = read_table(data)
    if table.kind == "error_codes":
        return Parsed([_error_code_chunk(table, row, source) for row in table.rows if field_value(table, row, "code")])
    if table.kind == "catalog":
        products = products_from_table(table, folder, source)
        return Parsed([_product_chunk(p) for p in products], products)
    return Parsed([_row_chunk(table, row, source, i) for i, row in enumerate(table.rows, start=1)])


def _error_code_chunk(table: TableFile, row: dict[str, str], source: str) -> Chunk:
    code = field_value(table, row, "code")
    message, cause, solution = (bilingual(table, row, k) for k in ("message", "cause", "solution"))
    zh = f"错误码 {code}：{message['zh']}。原因：{cause['zh']}。解决方法：{solution['zh']}"
    en = f"Error {code}: {message['en']}. Cause: {cause['en']}. Solution: {solution['en']}"
    text = zh if zh == en else f"{zh}\n{en}"
    meta = {"code": code}
    for key, values in (("message", message), ("cause", cause), ("solution", solution)):
        meta.update({f"{key}_{lang}": value for lang, value in values.items()})
    title = f"{code} {message['zh'] or message['en']}".strip()
    section = message["en"] if message["en"] != message["zh"] else ""
    return Chunk(title, section, text, source, "error_code", (code,), meta=meta)


def _product_chunk(product: Product) -> Chunk:
    title = " / ".join(n for n in (product.name_zh, product.name_en) if n) or product.sku
    keywords = tuple(k for k in (product.sku, product.model) if k)
    return Chunk(title, product.model, product.text(), product.source, "product", keywords, product.sku, product.meta())


def _row_chunk(table: TableFile, row: dict[str, str], source: str, number: int) -> Chunk:
    text = "; ".join(f"{c.header}: {row[c.header]}" for c in table.columns if row.get(c.header))
    first = next((row[c.header] for c in table.columns if row.get(c.header)), f"row {number}")
    return Chunk(Path(source).stem, first, text, source, "article", _identifiers(text), meta=dict(row))
