"""Pre-sale recommendations: "What cable should I buy?", "这个配什么充电器？", "Is there a case for this?".

Why from the catalog graph only: a recommendation must be something the shop sells and has
listed as working with the product in the photo (knowledge.search puts those related rows on the
product passage as `accessories`). The kind asked for (cable, charger, case …) filters them by
catalog category (data/products.json); the reason says why each fits — the catalog listing and,
where both rows rate it, the power the accessory carries against what the product needs.
"""

from __future__ import annotations

import re
from typing import Any

from visdesk.domain import EngineRequest, Recommendation
from visdesk.engines.embedded.explainers import register
from visdesk.engines.embedded.explainers.product_facts import (
    PhotoProduct,
    asked_for,
    data,
    has_cue,
    photo_product,
    spec,
)
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply

_WATTS = re.compile(r"(\d+(?:\.\d+)?)\s*W(?![a-z])", re.I)
MAX_CARDS = 4


def applies(spec: QuerySpec, request: EngineRequest) -> bool:
    """Asked for a recommendation; by a cue alone only when a kind of accessory is named ("a case")."""
    if spec.operation is Operation.RECOMMEND:
        return True
    # "Is there a charger that works with it?" reads as COMPATIBLE, but asks for something to buy.
    cued = asked_for(spec, Operation.RECOMMEND, "recommend") or (
        spec.operation is Operation.COMPATIBLE and has_cue(spec.question, "recommend")
    )
    return cued and _asked_kind(spec.question) is not None


def explain(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    product = photo_product(request)
    if product is None:
        return None
    lang = request.query.language
    kind = _asked_kind(request.query.question, str(product.meta.get("category", "")))
    accessories: list[dict[str, Any]] = product.meta.get("accessories") or []
    fitting = [a for a in accessories if kind is None or _is_kind(a, kind)]
    name = product.model
    if not fitting:
        wanted = (kind["zh"] if lang == "zh" else kind["kind"]) if kind else ("配件" if lang == "zh" else "accessory")
        text = (
            f"抱歉，我们的目录里没有适用于 {name} 的{wanted}。"
            if lang == "zh"
            else f"Sorry, our catalog has no {wanted} listed for the {name}."
        )
        return Reply(text=text, evidence=product.evidence("model"), passages=product.cited(), confident=False)
    cards = [_card(a, product, lang) for a in fitting[:MAX_CARDS]]
    items = ("；" if lang == "zh" else "; ").join(
        f"{c.name}（{c.price}）：{c.reason}" if lang == "zh" else f"{c.name} ({c.price}): {c.reason}" for c in cards
    )
    text = f"适合 {name} 的推荐：{items}" if lang == "zh" else f"For the {name} we recommend: {items}"
    own = _asked_kind(request.query.question) if kind is None else None
    if own is not None:  # "这个配什么充电器？" on a charger's photo: say so before what works with it
        text = (
            f"{name} 本身就是{own['zh']}。目录列出的适用配件：{items}"
            if lang == "zh"
            else f"The {name} is itself a {own['kind']}. Listed as working with it: {items}"
        )
    return Reply(
        text=text,
        evidence=product.evidence("model"),
        passages=product.cited(),
        recommendations=cards,
        structured={"product": {"sku": product.meta.get("sku"), "model": name}, "kind": kind["kind"] if kind else None},
    )


def _asked_kind(question: str, own_category: str = "") -> dict[str, Any] | None:
    """The kind of accessory asked for: named first, and not the kind the product itself is
    ("Which cable do you recommend for this charger?", "这个充电宝配什么线？" ask for a cable)."""
    lowered = question.lower()
    found: list[tuple[int, int, dict[str, Any]]] = []
    own = own_category.lower()
    kinds = [k for k in data()["accessory_kinds"] if not own or not any(c in own for c in k["categories"])]
    for kind in kinds:
        for word in kind["words"]:
            match = re.search(re.escape(word) if not word.isascii() else rf"\b{re.escape(word)}", lowered)
            if match:
                found.append((match.start(), -len(word), kind))
    return min(found, key=lambda f: (f[0], f[1]))[2] if found else None


def _is_kind(accessory: dict[str, Any], kind: dict[str, Any]) -> bool:
    category = str(accessory.get("category", "")).lower()
    if not any(c in category for c in kind["categories"]):
        return False
    names = f"{accessory.get('name_en', '')} {accessory.get('name_zh', '')}".lower()
    return not kind.get("name_words") or any(w in names for w in kind["name_words"])


def _card(accessory: dict[str, Any], product: PhotoProduct, lang: str) -> Recommendation:
    name = (accessory.get("name_zh") if lang == "zh" else accessory.get("name_en")) or accessory.get("name", "")
    label = f"{accessory.get('model')} {name}".strip()
    return Recommendation(
        sku=str(accessory["sku"]),
        name=label,
        price=str(accessory.get("price", "")),
        image_url=str(accessory.get("image_url", "")),
        reason=_reason(accessory, product, lang),
    )


def _reason(accessory: dict[str, Any], product: PhotoProduct, lang: str) -> str:
    """Why it fits: listed as compatible, plus the power it carries against what the product needs."""
    zh = lang == "zh"
    parts = [f"目录列为 {product.model} 的兼容配件" if zh else f"listed as compatible with the {product.model}"]
    own = _watts(spec(accessory.get("specs", {}), "Power"))
    needed = product.ratings.output_watts or _watts(spec(product.meta.get("specs", {}), "Power"))
    interface = spec(accessory.get("specs", {}), "Interface")
    if own and needed and own >= needed:
        parts.append(f"额定 {own:g}W，够用 {needed:g}W" if zh else f"rated {own:g} W, enough for {needed:g} W")
    elif own and needed:
        parts.append(f"额定 {own:g}W（低于 {needed:g}W，会慢一些）" if zh else f"rated {own:g} W (below {needed:g} W)")
    if interface:
        parts.append(interface)
    return ("，" if zh else ", ").join(parts)


def _watts(text: str) -> float | None:
    found = [float(w) for w in _WATTS.findall(text)]
    return max(found) if found else None


register("recommendations", applies, explain, priority=40)
