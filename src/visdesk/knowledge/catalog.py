"""The product catalog: rows of a catalog CSV as Products, and finding them by model number.

Why model numbers first: a legible model number on a nameplate or box identifies a product with
certainty and costs nothing; image features (products.py) are the fallback for photos where the
number is missing or unreadable.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from visdesk.knowledge.analysis import normalise_code
from visdesk.knowledge.tables import TableFile, bilingual, field_value

_LIST_SPLIT = re.compile(r"[;；,，、|/]\s*")
IMAGE_URL = "/v1/catalog/{sku}/image"  # served by api/catalog.py from the picture the catalog row names
MIN_MODEL_CHARS = 4  # shorter normalised model numbers are too ambiguous to find inside OCR text


@dataclass(frozen=True)
class Product:
    sku: str
    name_zh: str
    name_en: str
    model: str
    specs: dict[str, str] = field(default_factory=dict)  # label → value, as printed in the catalog
    compatible: tuple[str, ...] = ()  # SKUs, model numbers or names of products this one works with
    price: str = ""
    category: str = ""
    image: str = ""  # absolute path of the product image ("" when the catalog names none)
    source: str = ""  # catalog file, relative to its knowledge-base folder

    @property
    def name(self) -> str:
        return self.name_en or self.name_zh

    def meta(self) -> dict[str, Any]:
        """The Passage.meta of a product passage (engines read specs and compatibility from here)."""
        data = asdict(self)
        data["name"] = self.name
        data["compatible"] = list(self.compatible)
        data.pop("image")
        data["image_file"] = Path(self.image).name if self.image else ""
        return data

    def identifiers(self) -> set[str]:
        """Normalised identifiers this product answers to (model number and SKU)."""
        return {k for k in (normalise_code(self.model), normalise_code(self.sku)) if len(k) >= MIN_MODEL_CHARS}

    def text(self) -> str:
        """Searchable bilingual summary (also the passage text shown to engines)."""
        names = " / ".join(n for n in (self.name_zh, self.name_en) if n)
        specs = "; ".join(f"{label}: {value}" for label, value in self.specs.items())
        parts = [f"{names} — SKU {self.sku}, 型号 Model {self.model}."]
        if self.category:
            parts.append(f"类别 Category: {self.category}.")
        if specs:
            parts.append(f"规格 Specs: {specs}.")
        if self.compatible:
            parts.append(f"兼容 Compatible with: {', '.join(self.compatible)}.")
        if self.price:
            parts.append(f"价格 Price: {self.price}.")
        return " ".join(parts)


def products_from_table(table: TableFile, folder: Path, source: str) -> list[Product]:
    """Products from a catalog CSV; image paths are resolved relative to the CSV's folder."""
    known = {"sku", "name", "model", "compatible", "price", "category", "image", "manual"}
    products = []
    for row in table.rows:
        names = bilingual(table, row, "name")
        sku = field_value(table, row, "sku") or field_value(table, row, "model")
        if not sku:
            continue
        specs: dict[str, str] = {}
        for column in table.columns:
            value = row.get(column.header, "")
            if column.key not in known and value:
                specs[column.label + (f" ({column.lang})" if column.lang else "")] = value
        image = field_value(table, row, "image")
        image_path = (folder / image).resolve() if image else None
        compatible = tuple(p.strip() for p in _LIST_SPLIT.split(field_value(table, row, "compatible")) if p.strip())
        products.append(
            Product(
                sku=sku,
                name_zh=names["zh"],
                name_en=names["en"],
                model=field_value(table, row, "model"),
                specs=specs,
                compatible=compatible,
                price=field_value(table, row, "price"),
                category=field_value(table, row, "category"),
                image=str(image_path) if image_path else "",  # may appear later: features are synced per file
                source=source,
            )
        )
    return products


def related(product: Product, products: list[Product]) -> list[Product]:
    """Catalog products that work with `product`: those its row lists, then those whose rows list it.

    Why both ways: a catalog row names what it was tested with, and an accessory's row is often the
    only one that names the product it is for (a case lists its earbuds, not the other way round).
    """
    mine = {normalise_code(x) for x in (product.sku, product.model) if x}
    listed = [normalise_code(x) for x in product.compatible]
    found: dict[str, Product] = {}
    for key in listed:
        for other in products:
            if other.sku != product.sku and key in {normalise_code(other.sku), normalise_code(other.model)}:
                found.setdefault(other.sku, other)
    for other in products:
        if other.sku != product.sku and mine & {normalise_code(x) for x in other.compatible}:
            found.setdefault(other.sku, other)
    return list(found.values())


@dataclass(frozen=True)
class ModelHit:
    product: Product
    where: str  # "image" (OCR text) or "question"
    text: str  # the text the model number was found in
    certain: bool


class ModelIndex:
    """Finds catalog products whose model number or SKU appears in free text, tolerant of O/0, -, spaces."""

    def __init__(self, products: list[Product]) -> None:
        self.products = products
        self._by_key = {key: p for p in products for key in p.identifiers()}

    def find(self, texts: list[str], where: str) -> list[ModelHit]:
        hits: dict[str, ModelHit] = {}
        for text in texts:
            squashed = normalise_code(text)
            if len(squashed) < MIN_MODEL_CHARS:
                continue
            for key, product in self._by_key.items():
                if product.sku in hits or key not in squashed:
                    continue
                # Certain when the key is a whole token of the text, not a fragment of a longer code.
                certain = _whole_token(key, text)
                hits[product.sku] = ModelHit(product, where, text, certain)
        return sorted(hits.values(), key=lambda h: (not h.certain, -len(normalise_code(h.product.model))))


def _whole_token(key: str, text: str) -> bool:
    for token in re.split(r"[\s:：,，;；()（）\[\]]+", text):
        if normalise_code(token) == key:
            return True
    # Model numbers printed with inner spaces ("VD PB 20") are whole when the text is just the number.
    squashed = normalise_code(text)
    return squashed == key or (squashed.endswith(key) and not squashed[: -len(key)][-1:].isdigit())
