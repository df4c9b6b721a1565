"""KnowledgeService.search: the question plus what the image shows → ranked, cited passages.

How a question is searched, and why:
1. Exact identifiers first. Error codes, model numbers and SKUs in the question *or in the OCR
   text* are looked up verbatim (normalised), because "怎么办？" under a dialog showing E1024 is
   a question about E1024 and no word overlap would find it.
2. Products. A model number read from the image identifies the product with certainty; otherwise
   the photo is matched against the catalog images (ORB + RANSAC). The product's catalog row and
   the manual section closest to the question lead the passages.
3. Text. bm25 over the question's own terms, plus a lighter-weighted query of synonyms
   (运单号 ≈ 快递单号 ≈ tracking number) and salient image text (titles, error lines).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from visdesk.domain import Passage, Perception, Query
from visdesk.knowledge.analysis import find_codes, find_exceptions, normalise_code
from visdesk.knowledge.catalog import IMAGE_URL, ModelHit, ModelIndex, Product, related
from visdesk.knowledge.index import KnowledgeIndex, StoredChunk
from visdesk.knowledge.products import CatalogMatcher, FeatureMatch, describe

log = logging.getLogger("visdesk.knowledge")

SECONDARY_WEIGHT = 0.5  # synonyms and image text count half as much as the customer's own words
CODE_BONUS = 40.0  # raw-score bonus of an exact code/model hit (a strong bm25 hit scores ~10–20)
SCORE_HALF = 10.0  # raw score that maps to 0.5 in Passage.score = raw / (raw + SCORE_HALF)
MIN_SCORE = 0.02  # below this a passage shares only a stray common word with the question
MAX_TEXT_PASSAGES = 12
DEFINING_KINDS = frozenset({"error_code", "product"})
KIND_PRIOR = {"error_code": 0.8, "product": 0.9}
HEADING_BONUS = 6.0  # raw bonus × share of the question's character bigrams found in the section heading
_ERRORISH = re.compile(r"(错误|失败|异常|无法|不能|拒绝|超出|超过|限额|error|fail|denied|declin|invalid|exceed)", re.I)
_MAX_SEEN_LINES = 12
SCREENSHOT_LINES = 15  # this many OCR lines and the picture is a screen or document, not a product photo
_PRODUCTISH = re.compile(
    r"(能用|兼容|适用|配套|型号|什么产品|哪款|哪个型号|这是什么|说明书|规格|参数|充电|插|接|"
    r"work with|works with|compatible|fit|model|product|manual|spec|charge|plug|what is this)",
    re.IGNORECASE,
)


class KnowledgeService:
    """The KnowledgeBase the pipeline calls (services.KnowledgeBase protocol)."""

    def __init__(
        self, index: KnowledgeIndex, product_match: bool = True, synonyms: bool = True, memo_size: int = 256
    ) -> None:
        self.index = index
        self.product_match = product_match
        self.use_synonyms = synonyms
        self.reload()
        self._memo: OrderedDict[str, list[tuple[str, FeatureMatch]]] = OrderedDict()
        self._memo_size = memo_size
        self._memo_lock = threading.Lock()

    def reload(self) -> None:
        """Re-read products and image features after a sync."""
        self.products = {p.sku: p for p in self.index.products()}
        self.models = ModelIndex(list(self.products.values()))
        features = self.index.features()
        self.matcher = CatalogMatcher({p.sku: features[p.image] for p in self.products.values() if p.image in features})

    def product_image(self, sku: str) -> str | None:
        """The catalog picture of a product (for the recommendation cards), None when there is none."""
        product = self.products.get(sku)
        return product.image if product and product.image else None

    # -- the contract -------------------------------------------------------------------------

    def search(self, query: Query, seen: Perception | None, top_k: int) -> Sequence[Passage]:
        """Never raises: a broken index or image costs the answer its passages, not the request."""
        try:
            leading = self._product_passages(query, seen)
        except Exception:
            log.exception("product identification failed")
            leading = []
        try:
            text_hits = self._text_hits(query.question, _salient_lines(seen), seen)
        except Exception:
            log.exception("knowledge search failed")
            text_hits = []
        taken = {p.doc_id for p in leading}
        rest = [p for p in text_hits if p.doc_id not in taken]
        return (leading + rest)[: max(top_k, len(leading))]

    # -- text ---------------------------------------------------------------------------------

    def _text_hits(self, question: str, seen_lines: list[str], seen: Perception | None) -> list[Passage]:
        analyzer = self.index.analyzer
        primary = analyzer.query_terms(question)
        seen_text = "\n".join(seen_lines)
        synonyms = analyzer.synonyms(question) if self.use_synonyms else []
        secondary = [t for t in analyzer.query_terms(" ".join([*synonyms, seen_text])) if t not in primary]
        secondary_weight = SECONDARY_WEIGHT if primary else 1.0
        raw: dict[int, float] = {}
        for chunk_id, score in self.index.search(primary, 30, raw=question):
            raw[chunk_id] = raw.get(chunk_id, 0.0) + score
        for chunk_id, score in self.index.search(secondary, 30, raw=seen_text):
            raw[chunk_id] = raw.get(chunk_id, 0.0) + secondary_weight * score
        code_hits = self._code_hits(question, seen)
        ranked_ids = [*raw, *code_hits]
        chunks = self.index.chunks(list(dict.fromkeys(ranked_ids)))
        question_grams = _bigrams(question)
        for chunk_id, stored in chunks.items():
            if chunk_id in raw:
                # Short table rows win bm25 by length alone; without their code, a written answer is better.
                raw[chunk_id] *= KIND_PRIOR.get(stored.kind, 1.0)
                raw[chunk_id] += HEADING_BONUS * _overlap(question_grams, stored.section or stored.title)
        for chunk_id in code_hits:
            # The row that defines a code (error table, catalog) outranks articles that mention it.
            defines = chunks[chunk_id].kind in DEFINING_KINDS if chunk_id in chunks else False
            raw[chunk_id] = raw.get(chunk_id, 0.0) + (CODE_BONUS if defines else CODE_BONUS / 4)
        passages: list[Passage] = []
        seen_sections: set[tuple[str, str, str]] = set()
        for chunk_id, score in sorted(raw.items(), key=lambda kv: -kv[1]):
            chunk = chunks.get(chunk_id)
            normalised = score / (score + SCORE_HALF)
            if chunk is None or normalised < MIN_SCORE:
                continue
            section_key = (chunk.source, chunk.title, chunk.section)
            if section_key in seen_sections:  # a long section cut in pieces: its best piece stands for it
                continue
            seen_sections.add(section_key)
            extra = {"match_method": "code", "matched_code": code_hits[chunk_id]} if chunk_id in code_hits else {}
            passages.append(_passage(chunk, normalised, extra))
            if len(passages) >= MAX_TEXT_PASSAGES:
                break
        return passages

    def _code_hits(self, question: str, seen: Perception | None) -> dict[int, str]:
        """Chunk id → the code that matched it exactly (from the question or the image)."""
        texts = [question, *(line.text for line in seen.lines)] if seen else [question]
        candidates: list[str] = []
        for text in texts:
            candidates.extend(find_codes(text, loose=True))
            candidates.extend(find_exceptions(text))
        if seen:
            candidates.extend(v for v in _extra_strings(seen.extras) if any(ch.isdigit() for ch in v))
        by_norm = {normalise_code(c): c for c in candidates}
        found = self.index.lookup_codes(list(by_norm))
        return {chunk_id: by_norm[code] for code, ids in found.items() for chunk_id in ids}

    # -- products -----------------------------------------------------------------------------

    def _product_passages(self, query: Query, seen: Perception | None) -> list[Passage]:
        if not self.products:
            return []
        in_image = self.models.find([line.text for line in seen.lines], "image") if seen else []
        in_question = self.models.find([query.question], "question")
        photo: list[tuple[Product, str, float, str]] = [
            (hit.product, "model_number", 1.0 if hit.certain else 0.8, hit.text) for hit in in_image
        ]
        if query.image is not None and self._worth_matching(query.question, seen, in_image):
            for sku, result in self._image_matches(query):
                if sku not in {p.sku for p, *_ in photo}:
                    photo.append((self.products[sku], "image_features", result.score, f"{result.inliers} inliers"))
        mentioned = [h for h in in_question if h.product.sku not in {p.sku for p, *_ in photo}]
        passages: list[Passage] = []
        for product, method, score, matched in photo[:2]:
            extra = {"match_method": method, "match_score": round(score, 3), "matched_text": matched}
            extra["checked_compatibility"] = [_compatibility(product, h) for h in mentioned]
            extra["accessories"] = [_accessory(p) for p in related(product, list(self.products.values()))]
            passages.extend(self._product_chunk(product, score, extra))
        for hit in mentioned[:1]:
            score = 1.0 if hit.certain else 0.8
            extra = {"match_method": "question", "match_score": score, "matched_text": hit.text}
            passages.extend(self._product_chunk(hit.product, score, extra))
        if photo:
            passages.extend(self._manual_sections(photo[0][0], query.question, photo[0][2]))
        elif mentioned:
            passages.extend(self._manual_sections(mentioned[0].product, query.question, 0.8))
        return passages

    def _worth_matching(self, question: str, seen: Perception | None, in_image: list[ModelHit]) -> bool:
        """Run the image matcher unless a model number already decided, or the image is a text-heavy
        screenshot (a payment dialog, an order page) and the question is not about a product."""
        if not self.product_match or any(hit.certain for hit in in_image):
            return False
        text_heavy = seen is not None and len(seen.lines) >= SCREENSHOT_LINES
        return not text_heavy or bool(_PRODUCTISH.search(question))

    def _product_chunk(self, product: Product, score: float, extra: dict[str, Any]) -> list[Passage]:
        chunks = self.index.chunks_for_sku(product.sku, "product")
        return [_passage(chunks[0], score, extra)] if chunks else []

    def _manual_sections(self, product: Product, question: str, score: float) -> list[Passage]:
        """The manual section of this product closest to the question (its first section if none is)."""
        terms = self.index.analyzer.query_terms(question)
        hits = self.index.search(terms, 1, raw=question, kind="manual", sku=product.sku)
        if hits:
            chunk = self.index.chunks([hits[0][0]]).get(hits[0][0])
            return [_passage(chunk, score, {"match_method": "manual"})] if chunk else []
        sections = self.index.chunks_for_sku(product.sku, "manual")
        return [_passage(sections[0], score * 0.9, {"match_method": "manual"})] if sections else []

    def _image_matches(self, query: Query) -> list[tuple[str, FeatureMatch]]:
        assert query.image is not None
        key = query.image.content_id
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        matches = self.matcher.best(describe(query.image.image)) if len(self.matcher) else []
        with self._memo_lock:
            self._memo[key] = matches
            while len(self._memo) > self._memo_size:
                self._memo.popitem(last=False)
        return matches


def _passage(chunk: StoredChunk, score: float, extra: dict[str, Any]) -> Passage:
    return Passage(
        doc_id=chunk.doc_id,
        title=chunk.title,
        section=chunk.section,
        text=chunk.text,
        score=round(score, 4),
        source=chunk.source,
        kind=chunk.kind,
        meta={**chunk.meta, **extra},
    )


def _compatibility(product: Product, other: ModelHit) -> dict[str, Any]:
    """Whether `product` lists the product the customer asked about (by SKU, model or name), either way round."""
    names = {normalise_code(x) for x in (other.product.sku, other.product.model) if x}
    listed = {normalise_code(x) for x in product.compatible}
    reverse = {normalise_code(x) for x in other.product.compatible}
    mine = {normalise_code(x) for x in (product.sku, product.model) if x}
    compatible = bool(names & listed or mine & reverse)
    return {
        "sku": other.product.sku,
        "model": other.product.model,
        "name": other.product.name,
        "compatible": compatible,
    }


def _accessory(product: Product) -> dict[str, Any]:
    """What an engine needs to recommend a related product (name, price, specs, catalog picture)."""
    keys = ("sku", "model", "name", "name_zh", "name_en", "price", "category", "specs", "compatible", "image_file")
    meta = product.meta()
    return {key: meta[key] for key in keys} | {"image_url": IMAGE_URL.format(sku=product.sku) if product.image else ""}


def _bigrams(text: str) -> set[str]:
    squashed = "".join(ch for ch in text.lower() if ch.isalnum())
    return {squashed[i : i + 2] for i in range(len(squashed) - 1)}


def _overlap(question_grams: set[str], heading: str) -> float:
    """Share of the question's character bigrams that the heading contains (FAQ headings are questions)."""
    if not question_grams:
        return 0.0
    return len(question_grams & _bigrams(heading)) / len(question_grams)


def _salient_lines(seen: Perception | None) -> list[str]:
    """Image text worth searching with: emphasised lines (titles, warnings) and error-looking lines."""
    if seen is None or not seen.lines:
        return []
    picked = [seen.lines[i].text for i in seen.emphasised if 0 <= i < len(seen.lines)]
    picked += [line.text for line in seen.lines if _ERRORISH.search(line.text) or find_codes(line.text)]
    picked += find_exceptions(seen.text)
    return list(dict.fromkeys(picked))[:_MAX_SEEN_LINES]


def _extra_strings(value: object, depth: int = 0) -> list[str]:
    """Every short string inside Perception.extras (codes, model numbers), whatever its shape."""
    if depth > 3:
        return []
    if isinstance(value, str):
        return [value] if len(value) <= 40 else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _extra_strings(v, depth + 1)]
    if isinstance(value, list | tuple | set):
        return [s for v in value for s in _extra_strings(v, depth + 1)]
    text = getattr(value, "text", None) or getattr(value, "value", None)
    return [text] if isinstance(text, str) and len(text) <= 40 else []
