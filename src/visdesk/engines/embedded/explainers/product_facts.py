"""What the product explainers share: the product in the photo, its ratings, and the label lines that show them.

Why one module: the compatibility verdict and the accessory recommendation both start from the
same facts — which catalog product the photo shows (the Grounding's product passage, matched by
model number or image features), what its catalog row rates it at, which OCR line of the photo
prints that rating (the evidence box), and which manual section to cite.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from visdesk.domain import EngineRequest, Evidence, OcrLine, Passage
from visdesk.engines.embedded.query import Operation, QuerySpec

DATA = Path(__file__).resolve().parent / "data" / "products.json"
PHOTO_METHODS = ("model_number", "image_features")  # how knowledge.search matched the product in the photo
_RANGE = re.compile(r"(\d{2,3})\s*(?:V\s*)?[–—~\-至到]\s*(\d{2,3})\s*V", re.I)
_VOLTS = re.compile(r"(\d{2,3})\s*V(?![a-z])", re.I)
_WATTS = re.compile(r"(\d+(?:\.\d+)?)\s*W(?![a-z])", re.I)
_VA = re.compile(r"(\d+(?:\.\d+)?)\s*V\s*[⎓=]?\s*(\d+(?:\.\d+)?)\s*A", re.I)
_CONNECTORS = ("USB-C", "USB-A", "micro-USB", "Lightning", "Qi")
LABELS = {  # which printed label shows which rating (OCR lines on the photo)
    "input": re.compile(r"input|输入|额定电压|rated", re.I),
    "output": re.compile(r"output|输出|power|功率", re.I),
    "model": re.compile(r"model|型号", re.I),
}


@cache
def data() -> dict[str, Any]:
    """The explainers' data file (cues, follow-up prompts, mains voltages, device needs, accessory kinds)."""
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def has_cue(question: str, kind: str) -> bool:
    """Placeholder-parser fallback: the question carries one of the data file's cue phrases."""
    lowered = question.lower()
    return any(cue in lowered for cue in data()["cues"][kind])


def asked_for(spec: QuerySpec, operation: Operation, cue: str) -> bool:
    """The parser says so, or a cue of the data file does where the parser read a plain lookup or yes/no.

    Why the cues stay: question_parser returns COMPATIBLE / RECOMMEND for the issue's wordings, but
    reads some others as a yes/no ("Will it charge on the VD-WP10?", "Is there a filter for this?").
    """
    if spec.operation is operation:
        return True
    return spec.operation in (Operation.LOOKUP, Operation.VERIFY) and has_cue(spec.question, cue)


@dataclass(frozen=True)
class Ratings:
    """A product's ratings as its catalog row states them."""

    mains: tuple[float, float] | None  # accepted AC input voltage range
    input_text: str
    output_watts: float | None  # what it can supply (chargers, power banks), None when it supplies nothing
    output_text: str
    connectors: tuple[str, ...]


@dataclass(frozen=True)
class PhotoProduct:
    """The catalog product the photo shows, with what the engine needs to reason about it."""

    meta: dict[str, Any]
    passage: Passage
    manuals: tuple[Passage, ...]
    lines: tuple[OcrLine, ...] = ()
    ratings: Ratings = field(default_factory=lambda: Ratings(None, "", None, "", ()))

    @property
    def model(self) -> str:
        return str(self.meta.get("model") or self.meta.get("sku", ""))

    def name(self, lang: str) -> str:
        return str(self.meta.get("name_zh") if lang == "zh" and self.meta.get("name_zh") else self.meta.get("name"))

    def evidence(self, label: str) -> list[Evidence]:
        """The photo's line printing `label` (input / output / model), boxed; the catalog's words when unread."""
        model = _squash(self.model)
        labelled = [line for line in self.lines if LABELS[label].search(line.text)]
        if label == "output":  # the line that states the watts decides a charging question
            labelled.sort(key=lambda line: not _WATTS.search(line.text))
        for line in labelled:
            if label != "model" or model in _squash(line.text):
                return [Evidence(line.text, line.box)]
        if label == "model":  # a model number printed without its label
            return [Evidence(line.text, line.box) for line in self.lines if model in _squash(line.text)][:1]
        return self.evidence("model")  # the deciding line is unread: at least the line that identified it

    def cited(self) -> list[Passage]:
        return [self.passage, *self.manuals]


def photo_product(request: EngineRequest) -> PhotoProduct | None:
    """The product the photo shows (else the one the question names), None when neither is known."""
    passages = request.grounding.passages
    products = [p for p in passages if p.kind == "product"]
    chosen = next((p for p in products if p.meta.get("match_method") in PHOTO_METHODS), None)
    chosen = chosen or next(iter(products), None)
    if chosen is None:
        return None
    sku = chosen.meta.get("sku")
    manuals = tuple(p for p in passages if p.kind == "manual" and p.meta.get("sku", sku) == sku)[:1]
    seen = request.grounding.seen
    return PhotoProduct(
        meta=dict(chosen.meta),
        passage=chosen,
        manuals=manuals,
        lines=seen.lines if seen else (),
        ratings=ratings(chosen.meta.get("specs", {})),
    )


def spec(specs: dict[str, str], word: str) -> str:
    """A catalog spec by its English label word ("Input", "Output", "Power", "Interface")."""
    return next((value for label, value in specs.items() if word.lower() in label.lower()), "")


def ratings(specs: dict[str, str]) -> Ratings:
    inp, out, power, interface = (spec(specs, w) for w in ("Input", "Output", "Power", "Interface"))
    mains = None
    if "~" in inp or re.search(r"\bAC\b|Hz", inp):
        if m := _RANGE.search(inp):
            mains = (float(m.group(1)), float(m.group(2)))
        elif m := _VOLTS.search(inp):
            mains = (float(m.group(1)), float(m.group(1)))
    watts = None
    if out and "~" not in out:  # a DC output: it charges things (a smart plug's 220V~ passes mains through)
        stated = max([float(w) for w in _WATTS.findall(f"{out} {power}")], default=0.0)
        volt_amps = max([float(v) * float(a) for v, a in _VA.findall(out)], default=0.0)
        # The printed V×A decides; the Power column may be a pass-through (a travel adapter's 2500 W).
        near = volt_amps and stated and abs(stated - volt_amps) <= 0.2 * volt_amps
        watts = (stated if near or not volt_amps else volt_amps) or None
    joined = f"{out} {interface} {inp}".lower()
    connectors = tuple(c for c in _CONNECTORS if c.lower() in joined)
    return Ratings(mains, inp, watts, out or power, connectors)


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower().replace("o", "0"))
