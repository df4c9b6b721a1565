"""CSV tables: recognise the kind from the header (zh/en column names) and read rows by meaning.

Why by header: shops export error-code tables and catalogs from different tools with different
column names ("错误码", "Error code", "code"); mapping each header to a canonical key (plus an
optional language) lets one reader handle them all, and anything unknown is kept as a spec.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

# canonical key → header spellings (compared after lower-casing and dropping spaces/_/-).
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "errorcode", "errcode", "错误码", "错误代码", "故障码", "代码", "编码", "返回码"),
    "message": (
        "message",
        "msg",
        "description",
        "meaning",
        "text",
        "描述",
        "错误信息",
        "提示",
        "提示信息",
        "含义",
        "说明",
    ),
    "cause": ("cause", "reason", "causes", "原因", "可能原因"),
    "solution": (
        "solution",
        "fix",
        "resolution",
        "action",
        "whattodo",
        "解决方法",
        "解决办法",
        "处理方法",
        "处理建议",
        "建议",
        "解决方案",
    ),
    "sku": ("sku", "商品编号", "货号", "商品编码", "itemno", "itemid"),
    "name": ("name", "product", "productname", "title", "名称", "商品名称", "品名", "商品名"),
    "model": ("model", "modelnumber", "modelno", "型号", "产品型号", "规格型号"),
    "compatible": (
        "compatible",
        "compatiblewith",
        "compatibleaccessories",
        "accessories",
        "兼容",
        "兼容配件",
        "适用配件",
        "适用",
        "兼容型号",
    ),
    "price": ("price", "价格", "售价", "单价"),
    "image": ("image", "imagefile", "photo", "picture", "图片", "图片文件", "商品图片"),
    "manual": ("manual", "manualfile", "说明书", "手册"),
    "category": ("category", "type", "类别", "分类", "品类"),
}
_LANG = re.compile(
    r"^(?P<base>.+?)(?:\s*[(（](?P<paren>zh|cn|en|中文|英文)[)）]|[\s_\-]+(?P<suffix>zh|cn|en|中文|英文))$",
    re.IGNORECASE,
)
_LANGS = {"zh": "zh", "cn": "zh", "中文": "zh", "en": "en", "英文": "en"}
_LOOKUP = {spelling: key for key, spellings in ALIASES.items() for spelling in spellings}


@dataclass(frozen=True)
class Column:
    header: str  # as written in the file
    key: str  # canonical key, or "spec" for anything unknown
    lang: str = ""  # "zh" / "en" for bilingual columns (name_zh, 描述(英文))
    label: str = ""  # the header without its language suffix (spec name shown to users)


@dataclass
class TableFile:
    kind: str  # "error_codes" | "catalog" | "table"
    columns: list[Column]
    rows: list[dict[str, str]] = field(default_factory=list)  # header → cell


def _squash(text: str) -> str:
    return re.sub(r"[\s_\-./]", "", text.strip().lower())


def classify_header(header: str) -> Column:
    """Map one header to its canonical key and language."""
    label, lang = header.strip(), ""
    match = _LANG.match(label)
    if match:  # "name_zh", "描述(英文)", "voltage en": spec columns keep their language too
        label = match.group("base").strip(" _-")
        lang = _LANGS[(match.group("paren") or match.group("suffix")).lower()]
    # A bilingual header ("兼容配件 Compatible accessories") is known if either half is.
    halves = (label, re.sub(r"[^\u3400-\u9fff]", "", label), re.sub(r"[\u3400-\u9fff]", "", label))
    key = next((_LOOKUP[_squash(h)] for h in halves if _squash(h) in _LOOKUP), "spec")
    return Column(header=header, key=key, lang=lang, label=label)


def detect_kind(columns: list[Column]) -> str:
    keys = {c.key for c in columns}
    if "code" in keys and keys & {"solution", "cause", "message"} and not keys & {"sku", "price"}:
        return "error_codes"
    if keys & {"sku", "model"} and "name" in keys:
        return "catalog"
    return "table"


def read_table(data: bytes) -> TableFile:
    """Parse CSV bytes (UTF-8 with or without BOM, or GBK from Excel) and classify them."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [h for h in (reader.fieldnames or []) if h and h.strip()]
    columns = [classify_header(h) for h in headers]
    rows = [{h: (row.get(h) or "").strip() for h in headers} for row in reader]
    rows = [row for row in rows if any(row.values())]
    return TableFile(kind=detect_kind(columns), columns=columns, rows=rows)


def field_value(table: TableFile, row: dict[str, str], key: str, lang: str = "") -> str:
    """The cell for a canonical key, preferring the given language, then any language."""
    candidates = [c for c in table.columns if c.key == key]
    for column in sorted(candidates, key=lambda c: (c.lang != lang, c.lang != "")):
        value = row.get(column.header, "")
        if value:
            return value
    return ""


def bilingual(table: TableFile, row: dict[str, str], key: str) -> dict[str, str]:
    """{"zh": ..., "en": ...} for a key; a column without a language fills whichever is missing."""
    values = {lang: field_value(table, row, key, lang) for lang in ("zh", "en")}
    plain = field_value(table, row, key, "")
    return {lang: value or plain for lang, value in values.items()}
