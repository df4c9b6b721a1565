"""Compatibility verdicts: "This works?", "Will it charge my iPhone 15?", "能在110V用吗？".

Why a verdict first: a buyer asking whether a product works wants Yes / No / It depends, then the
one fact that decides it — the input range against their mains voltage, the output against what
their device draws, the connector, or the catalog's compatible list — quoted from the label in the
photo (the evidence box) and the product's manual (the citation). What decides is data: mains
voltages by country and device needs live in data/products.json, ratings in the catalog row.
When the deciding fact is missing (which device?), one precise question is asked instead, and the
next turn of the session is answered against the same photo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from visdesk.domain import EngineRequest, Evidence, Turn
from visdesk.engines.embedded.explainers import register
from visdesk.engines.embedded.explainers.product_facts import PhotoProduct, asked_for, data, photo_product
from visdesk.engines.embedded.query import Operation, QuerySpec
from visdesk.engines.embedded.reply import Reply

_ASKED_VOLTS = re.compile(r"(\d{2,3})\s*(?:v|volts?|伏)(?![a-z])", re.I)
# Mains is 100–240 V nominal everywhere (±10 %): "20V" or "12V" in a question is a DC output rating, not a socket.
MAINS_VOLTS = (90.0, 264.0)
# How far back a session's earlier verdict or follow-up question still gives a short turn its context.
CONTEXT_TURNS = 3
VERDICT = {
    "yes": {"en": "Yes", "zh": "可以"},
    "no": {"en": "No", "zh": "不可以"},
    "depends": {"en": "It depends", "zh": "视情况而定"},
}


@dataclass(frozen=True)
class Device:
    label: str
    watts: tuple[float, float]
    connector: str


@dataclass(frozen=True)
class Verdict:
    word: str  # yes | no | depends
    because: str
    evidence: list[Evidence]
    ask: str = ""  # the follow-up question, when a fact is missing


def applies(spec: QuerySpec, request: EngineRequest) -> bool:
    """Asked whether it works, answering our follow-up, a yes/no naming a voltage, a device or a product,
    or a short turn naming one ("and on 110V?", "那 iPad 呢？") after a verdict of the same session."""
    if asked_for(spec, Operation.COMPATIBLE, "compatible") or _answers_follow_up(request):
        return True
    if spec.operation is Operation.LOOKUP and _after_verdict(request) and photo_product(request) is not None:
        return _asked_mains(spec.question)[0] is not None or _asked_device(spec.question) is not None
    if spec.operation is not Operation.VERIFY or photo_product(request) is None:
        return False
    # "Is it OK on 230V?", "Is this fine for my iPad?": a yes/no about the product and a voltage or device
    question = spec.question
    return (
        _names_another_product(request) or _asked_mains(question)[0] is not None or _asked_device(question) is not None
    )


def explain(spec: QuerySpec, request: EngineRequest) -> Reply | None:
    product = photo_product(request)
    if product is None:
        return None
    lang = request.query.language
    question = _with_context(request)
    verdict = (
        _catalog_verdict(product, lang)
        or _mains_verdict(product, question, lang)
        or _device_verdict(product, question, lang)
        or _follow_up(product, lang)
    )
    sep = "：" if lang == "zh" else ": "
    text = f"{VERDICT[verdict.word][lang]}{sep}{verdict.because}"
    if verdict.ask:
        text += ("" if lang == "zh" else " ") + verdict.ask
    structured = {"verdict": verdict.word, "product": {"sku": product.meta.get("sku"), "model": product.model}}
    return Reply(
        text=text,
        evidence=verdict.evidence,
        passages=product.cited(),
        structured=structured,
        confident=not verdict.ask,
        value=verdict.word,
    )


# -- the deciding facts ------------------------------------------------------------------------


def _catalog_verdict(product: PhotoProduct, lang: str) -> Verdict | None:
    """A catalog product named in the question: the compatible list decides."""
    checked: list[dict[str, Any]] = product.meta.get("checked_compatibility") or []
    if not checked:
        return None
    other = checked[0]
    listed = bool(other.get("compatible"))
    if lang == "zh":
        because = (
            f"我们的商品目录把 {other['model']} 列为 {product.model} 的兼容产品。"
            if listed
            else (f"我们的商品目录没有把 {other['model']} 列为 {product.model} 的兼容产品。")
        )
    else:
        because = (
            f"our catalog lists the {other['model']} as compatible with the {product.model}."
            if listed
            else (f"our catalog does not list the {other['model']} as compatible with the {product.model}.")
        )
    extra = _power_fact(product, lang, first=False) if listed and product.ratings.output_watts else ""
    return Verdict("yes" if listed else "no", because + extra, product.evidence("output" if extra else "model"))


def _mains_verdict(product: PhotoProduct, question: str, lang: str) -> Verdict | None:
    volts, place = _asked_mains(question)
    if volts is None:
        return None
    where = (
        f"{place}的 {volts:g}V 电源"
        if lang == "zh" and place
        else f"{volts:g}V"
        if lang == "zh"
        else (f"{volts:g} V mains ({place})" if place else f"{volts:g} V mains")
    )
    mains = product.ratings.mains
    inp = product.ratings.input_text
    if mains is None:
        because = (
            f"{product.model} 不直接插市电，它的输入是 {inp}，请用一个支持 {where} 的充电器给它供电。"
            if lang == "zh"
            else f"the {product.model} does not plug into the mains; its input is {inp}, so use a charger "
            f"rated for {where}."
        )
        return Verdict("depends", because, product.evidence("input"))
    low, high = mains
    needs = f"{low:g}" if low == high else f"{low:g}–{high:g}"
    fits = low * 0.9 <= volts <= high * 1.1  # mains voltages are nominal: ±10 % is the usual tolerance
    if lang == "zh":
        because = (
            f"标签上的输入是 {inp}，支持 {where}。"
            if fits
            else f"标签上的输入是 {inp}，只能用 {needs}V 电源，在 {where} 下不能用；"
            "转换插头只改变插头形状，不改变电压。"
        )
    else:
        because = (
            f"the label rates the input at {inp}, which covers {where}."
            if fits
            else f"the label rates the input at {inp}, so it needs {needs} V mains and will not work on "
            f"{where}; a plug adapter changes the plug shape, not the voltage."
        )
    return Verdict("yes" if fits else "no", because, product.evidence("input"))


def _device_verdict(product: PhotoProduct, question: str, lang: str) -> Verdict | None:
    device = _asked_device(question)
    if device is None:
        return None
    name = _device_name(device, lang)
    watts = product.ratings.output_watts
    if watts is None:
        because = (
            f"{product.model}（{product.name(lang)}）没有充电输出，不能给{name}充电。"
            if lang == "zh"
            else f"the {product.model} ({product.name(lang)}) has no charging output, so it cannot charge a {name}."
        )
        return Verdict("no", because, product.evidence("model"))
    low, high = device.watts
    connectors = product.ratings.connectors
    plug_ok = device.connector in connectors or not connectors
    power = _power_fact(product, lang)
    if watts < low:
        word = "no"
        because = (
            f"{power}{name}充电至少需要约 {low:g}W。"
            if lang == "zh"
            else f"{power} {_a(name)} needs at least {low:g} W."
        )
    elif watts >= high:
        word = "yes" if plug_ok else "depends"
        because = (
            f"{power}{name}最多需要约 {high:g}W（{device.connector}）。"
            if lang == "zh"
            else f"{power} {_a(name)} takes up to {high:g} W ({device.connector})."
        )
    else:
        word = "depends"
        because = (
            f"{power}{name}需要 {low:g}–{high:g}W：{watts:g}W 以内的可以正常充，功率更高的会充得慢或充不进。"
            "请看设备上印的输入规格。"
            if lang == "zh"
            else f"{power} {_a(name)} draws {low:g}–{high:g} W: one rated up to {watts:g} W charges normally, a "
            f"bigger one slowly or not at all — check the input rating printed on it."
        )
    if not plug_ok:
        because += (
            f"接口不同：需要一根 {connectors[0]} 转 {device.connector} 的线。"
            if lang == "zh"
            else f" The ports differ: you need a {connectors[0]} to {device.connector} cable."
        )
    return Verdict(word, because, product.evidence("output"))


def _follow_up(product: PhotoProduct, lang: str) -> Verdict:
    """Nothing says what it should work with: what it is rated for, and one question for the missing fact."""
    prompts = data()["follow_up"]
    r = product.ratings
    if r.output_watts is not None:
        mains = f"，输入 {r.input_text}" if r.mains and lang == "zh" else f"; input {r.input_text}" if r.mains else ""
        because = (
            f"{product.model} 最大输出 {r.output_watts:g}W（{r.output_text}）{mains}，能否充电取决于您的设备。"
            if lang == "zh"
            else f"the {product.model} supplies up to {r.output_watts:g} W ({r.output_text}){mains}; whether it "
            f"charges your device depends on what the device draws."
        )
        return Verdict("depends", because, product.evidence("output"), prompts["charge"][lang])
    if r.mains is not None:
        because = (
            f"{product.model} 的输入是 {r.input_text}，取决于您当地的电压。"
            if lang == "zh"
            else f"the {product.model} is rated {r.input_text}; it depends on your mains voltage."
        )
        return Verdict("depends", because, product.evidence("input"), prompts["mains"][lang])
    listed = ", ".join(product.meta.get("compatible") or [])
    because = (
        f"目录列出的 {product.model} 兼容产品：{listed or '无'}。"
        if lang == "zh"
        else f"our catalog lists the {product.model} as working with: {listed or 'nothing yet'}."
    )
    return Verdict("depends", because, product.evidence("model"), prompts["use"][lang])


def _power_fact(product: PhotoProduct, lang: str, first: bool = True) -> str:
    """What it supplies: the first clause of a reason (en, lower case) or a sentence after another."""
    r = product.ratings
    ports = "/".join(c for c in r.connectors if c != "Qi") or "/".join(r.connectors)
    if lang == "zh":
        return f"{product.model} 最大输出 {r.output_watts:g}W（{ports}）；"
    fact = f"the {product.model} supplies up to {r.output_watts:g} W" + (f" over {ports}." if ports else ".")
    return fact if first else f" {fact[0].upper()}{fact[1:]}"


# -- reading the question ------------------------------------------------------------------------


def _asked_mains(question: str) -> tuple[float | None, str]:
    for m in _ASKED_VOLTS.finditer(question):
        if MAINS_VOLTS[0] <= float(m.group(1)) <= MAINS_VOLTS[1]:
            return float(m.group(1)), ""
    lowered = f" {question.lower()} "
    for entry in data()["mains"]:
        for name in entry["names"]:
            if _mentions(lowered, name):
                return float(entry["volts"]), entry["en"] if name.isascii() else name
    return None, ""


def _asked_device(question: str) -> Device | None:
    lowered = f" {question.lower()} "
    names = sorted(((n, d) for d in data()["devices"] for n in d["names"]), key=lambda nd: -len(nd[0]))
    for name, device in names:
        if _mentions(lowered, name):
            low, high = device["watts"]
            return Device(device["label"], (float(low), float(high)), device["connector"])
    return None


def _device_name(device: Device, lang: str) -> str:
    return str(data()["device_labels_zh"].get(device.label, device.label)) if lang == "zh" else device.label


def _a(name: str) -> str:
    return f"{'An' if name[:1].lower() in 'aeiou' else 'A'} {name}"


def _mentions(lowered: str, name: str) -> bool:
    if not name.isascii():
        return name in lowered
    return re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", lowered) is not None


def _names_another_product(request: EngineRequest) -> bool:
    """The question names a catalog product besides the one in the photo ("Can I power it from the VD-PB20?")."""
    product = photo_product(request)
    return product is not None and bool(product.meta.get("checked_compatibility"))


def _answers_follow_up(request: EngineRequest) -> bool:
    """A recent turn asked this explainer's follow-up question and none answered it since: this turn is its answer
    (a turn in between, such as "What cable should I buy?", does not drop the pending question)."""
    return _asking_turn(request) is not None


def _asking_turn(request: EngineRequest) -> Turn | None:
    """The latest of the last few turns, when it asked the follow-up and no verdict came after it."""
    prompts = [prompt for by_lang in data()["follow_up"].values() for prompt in by_lang.values()]
    for turn in reversed(request.query.history[-CONTEXT_TURNS:]):
        if any(prompt in turn.answer for prompt in prompts):
            return turn
        if _is_verdict(turn.answer):
            return None
    return None


def _after_verdict(request: EngineRequest) -> bool:
    """One of the last few turns was a verdict here: a short turn naming a voltage or a device continues it."""
    return any(_is_verdict(turn.answer) for turn in request.query.history[-CONTEXT_TURNS:])


def _is_verdict(answer: str) -> bool:
    return any(
        answer.startswith(f"{word}{sep}")
        for words in VERDICT.values()
        for word in words.values()
        for sep in (":", "：")
    )


def _with_context(request: EngineRequest) -> str:
    """The question, joined to the one it answers when it answers the follow-up ("an iPhone 15")."""
    question = request.query.question
    asking = _asking_turn(request)
    return f"{asking.question} {question}" if asking is not None else question


register("compatibility", applies, explain, priority=50)
