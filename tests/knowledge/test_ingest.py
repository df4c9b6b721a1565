"""Ingest of each format, CSV kinds from zh/en headers, and incremental re-ingest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.knowledge.conftest import ask
from visdesk.knowledge import KnowledgeIndex, KnowledgeService

MARKDOWN = """# 会员说明 / Membership

Intro paragraph about the club.

## 积分 / Points

Every 1 yuan earns one point.

### 积分过期 / Expiry

Points expire after 24 months.

## 等级 / Levels

Gold members get free shipping.
"""

ERROR_CODES_ZH = (
    "错误码,描述(中文),描述(英文),原因,解决方法\nX9001,优惠券已过期,Coupon expired,超过有效期,换一张优惠券\n"
)

CATALOG_EN = (
    "SKU,Product name,Model number,Voltage,Capacity,Compatible accessories,Image file\n"
    "T-1,Desk Lamp,LMP 300,5V,,T-2; T-3,\n"
    "T-2,Lamp Battery,BAT-77,3.7V,2000mAh,T-1,\n"
)


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF whose page has a real text layer (Helvetica), built by hand."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "faq").mkdir(parents=True)
    (root / "faq" / "membership.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "notes.txt").write_text(
        "Store hours\n\nWe open at 9am.\n\nWe close at 21:00 on holidays.", encoding="utf-8"
    )
    (root / "codes.csv").write_text(ERROR_CODES_ZH, encoding="utf-8-sig")
    (root / "catalog.csv").write_text(CATALOG_EN, encoding="utf-8")
    (root / "warranty.pdf").write_bytes(_pdf("Warranty card: every lamp is covered for 18 months."))
    (root / ".hidden.md").write_text("# Secret\n\nnot for customers", encoding="utf-8")
    return root


def _all(index: KnowledgeIndex) -> list:  # type: ignore[type-arg]
    return list(index.chunks(list(range(1, 1000))).values())


def test_each_format_becomes_cited_chunks(kb_dir: Path, tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path / "i.sqlite3")
    report = index.sync([kb_dir], progress=False)
    assert (report.added, report.errors, report.products) == (5, [], 2)
    chunks = _all(index)
    by_section = {(c.source, c.section): c for c in chunks}
    md = by_section[("faq/membership.md", "积分 / Points › 积分过期 / Expiry")]
    assert md.title == "会员说明 / Membership" and md.kind == "faq" and "24 months" in md.text
    assert ("faq/membership.md", "") in by_section  # the intro before the first H2
    assert by_section[("warranty.pdf", "p. 1")].text.startswith("Warranty card")
    txt = [c for c in chunks if c.source == "notes.txt"]
    assert txt[0].title == "Store hours" and "9am" in txt[0].text
    code = next(c for c in chunks if c.kind == "error_code")
    assert code.meta["code"] == "X9001" and code.meta["message_en"] == "Coupon expired"
    assert code.meta["solution_zh"] == "换一张优惠券"
    assert not any("Secret" in c.title for c in chunks)


def test_catalog_columns_are_recognised_from_english_headers(kb_dir: Path, tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path / "i.sqlite3")
    index.sync([kb_dir], progress=False)
    lamp = {p.sku: p for p in index.products()}["T-1"]
    assert lamp.model == "LMP 300" and lamp.name_en == "Desk Lamp"
    assert lamp.specs == {"Voltage": "5V"}
    assert lamp.compatible == ("T-2", "T-3")
    service = KnowledgeService(index)
    passages = service.search(ask("Does the lamp lmp-300 work with BAT 77?"), None, 3)
    lamp_passage = next(p for p in passages if p.meta.get("sku") == "T-1")
    assert lamp_passage.kind == "product" and lamp_passage.meta["match_method"] == "question"


def test_pdf_and_txt_text_is_searchable(kb_dir: Path, tmp_path: Path) -> None:
    service = KnowledgeService(KnowledgeIndex(tmp_path / "i.sqlite3"))
    service.index.sync([kb_dir], progress=False)
    assert service.search(ask("how long is the warranty?"), None, 1)[0].source == "warranty.pdf"
    assert service.search(ask("when do you close on holidays"), None, 1)[0].source == "notes.txt"


def test_reingest_reads_only_changed_files_and_drops_deleted_ones(kb_dir: Path, tmp_path: Path) -> None:
    index = KnowledgeIndex(tmp_path / "i.sqlite3")
    index.sync([kb_dir], progress=False)
    again = index.sync([kb_dir], progress=False)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 5)

    notes = kb_dir / "notes.txt"
    os.utime(notes, ns=(notes.stat().st_atime_ns, notes.stat().st_mtime_ns + 10**9))  # touched, same content
    assert index.sync([kb_dir], progress=False).updated == 0

    (kb_dir / "faq" / "membership.md").write_text(MARKDOWN.replace("24 months", "36 months"), encoding="utf-8")
    (kb_dir / "codes.csv").unlink()
    report = index.sync([kb_dir], progress=False)
    assert (report.updated, report.removed, report.unchanged) == (1, 1, 3)
    texts = " ".join(c.text for c in _all(index))
    assert "36 months" in texts and "24 months" not in texts
    assert not any(c.kind == "error_code" for c in _all(index))
    assert index.lookup_codes(["X9001"]) == {}


def test_reopening_with_another_analyzer_rebuilds_the_index(kb_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite3"
    KnowledgeIndex(path, "jieba").sync([kb_dir], progress=False)
    trigram = KnowledgeIndex(path, "trigram")
    assert trigram.count() == 0
    assert trigram.sync([kb_dir], progress=False).added == 5
    assert KnowledgeService(trigram).search(ask("membership points expiry"), None, 1)[0].source == "faq/membership.md"


def test_a_broken_file_is_reported_and_the_rest_still_ingested(kb_dir: Path, tmp_path: Path) -> None:
    (kb_dir / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    report = KnowledgeIndex(tmp_path / "i.sqlite3").sync([kb_dir], progress=False)
    assert report.added == 5 and len(report.errors) == 1 and "broken.pdf" in report.errors[0]


def test_search_degrades_to_no_passages_when_the_index_breaks(kb_dir: Path, tmp_path: Path) -> None:
    service = KnowledgeService(KnowledgeIndex(tmp_path / "i.sqlite3"))
    service.index.sync([kb_dir], progress=False)
    assert service.search(ask("membership points"), None, 2)
    service.index.close()  # e.g. the file was removed under a running server
    assert service.search(ask("membership points"), None, 2) == []


def test_catalog_images_are_described_when_they_appear_or_change(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "catalog.csv").write_text("sku,name,model,image\nL-1,Lamp,LMP-1,lamp.png\n", encoding="utf-8")
    index = KnowledgeIndex(tmp_path / "i.sqlite3")
    assert index.sync([kb], progress=False).images == 0 and index.features() == {}

    picture = Image.new("RGB", (320, 240), "white")
    draw = ImageDraw.Draw(picture)
    for i in range(40):
        draw.rectangle((7 * i % 300, 13 * i % 220, 7 * i % 300 + 15, 13 * i % 220 + 9), fill=(6 * i, 90, 255 - 6 * i))
    picture.save(kb / "lamp.png")
    assert index.sync([kb], progress=False).images == 1
    assert len(next(iter(index.features().values()))) > 20
    assert index.sync([kb], progress=False).images == 0  # unchanged: not described again


def test_an_unreadable_catalog_image_is_reported_not_fatal(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "catalog.csv").write_text("sku,name,model,image\nL-1,Lamp,LMP-1,lamp.png\n", encoding="utf-8")
    (kb / "lamp.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    report = KnowledgeIndex(tmp_path / "i.sqlite3").sync([kb], progress=False)
    assert report.products == 1 and report.images == 0 and "lamp.png" in report.errors[0]
