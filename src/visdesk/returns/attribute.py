"""Return-reason attribution: which taxonomy reason the buyer's words and the photo support.

Why cue counting with a margin: a return decision must be explainable to the buyer and the agent,
so every point a reason scores comes from a quoted cue (in the buyer's text, or a line on the photo
with its box). The photo weighs more than the words ("doesn't work" + a screen saying "Installing
update" is a user operation, not a fault). A model number the buyer names that the photo does not
show is a wrong item. When the top reason does not clearly beat the next one, the case goes to
human review: never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from visdesk.domain import Evidence, Perception
from visdesk.perception.facts import PATTERNS
from visdesk.returns.taxonomy import HUMAN_REVIEW, Reason, Taxonomy, normalise

WRONG_ITEM = "wrong_item"
MODEL_WEIGHT = 2.0  # an ordered model number missing from the photo is strong evidence of a wrong item
ENGINE_WEIGHT = 1.5  # a VLM engine's own pick counts like one photo cue


@dataclass(frozen=True)
class Clue:
    reason: str
    cue: str
    weight: float
    evidence: Evidence
    source: str  # "text" | "image" | "engine"


@dataclass(frozen=True)
class Attribution:
    reason: Reason | None  # None when the case goes to human review
    confidence: float
    action: str
    clues: tuple[Clue, ...]  # what decided it (the winning reason's clues first)
    scores: dict[str, float] = field(default_factory=dict)


def _text_clues(taxonomy: Taxonomy, text: str) -> list[Clue]:
    said = normalise(text)
    clues: list[Clue] = []
    for reason in taxonomy.reasons:
        for cue in reason.text_cues:
            if cue in said:
                clues.append(Clue(reason.id, cue, taxonomy.text_weight, Evidence(text), "text"))
                break  # one point per reason from the buyer's words: repetition is not evidence
    return clues


def _image_clues(taxonomy: Taxonomy, seen: Perception | None) -> list[Clue]:
    if seen is None:
        return []
    clues: list[Clue] = []
    for reason in taxonomy.reasons:
        hits: list[Clue] = []
        for line in seen.lines:
            printed = normalise(line.text)
            cue = next((c for c in reason.image_cues if c in printed), None)
            if cue is not None:
                hits.append(Clue(reason.id, cue, taxonomy.image_weight, Evidence(line.text, line.box), "image"))
        clues.extend(hits[:2])  # a screen that repeats a word is one observation, not five
    return clues


def _model_clues(taxonomy: Taxonomy, text: str, seen: Perception | None) -> list[Clue]:
    """The buyer names a model the photo does not show, while the photo shows another: a wrong item."""
    if seen is None or taxonomy.reason(WRONG_ITEM) is None:
        return []
    named = {m.group(0).upper() for m in PATTERNS["model"].finditer(text.upper())}
    shown = [(m.group(0).upper(), line) for line in seen.lines for m in PATTERNS["model"].finditer(line.text.upper())]
    shown_models = {model for model, _ in shown}
    if not named or not shown_models or named & shown_models:
        return []
    model, line = shown[0]
    cue = f"{model} ≠ {', '.join(sorted(named))}"
    return [Clue(WRONG_ITEM, cue, MODEL_WEIGHT, Evidence(line.text, line.box), "image")]


def attribute(
    taxonomy: Taxonomy, text: str, seen: Perception | None, engine_pick: str | None = None
) -> Attribution:
    """Score every reason from the clues; decide only with enough margin over the runner-up."""
    clues = _text_clues(taxonomy, text) + _image_clues(taxonomy, seen) + _model_clues(taxonomy, text, seen)
    if engine_pick and taxonomy.reason(engine_pick) is not None:
        clues.append(Clue(engine_pick, engine_pick, ENGINE_WEIGHT, Evidence(f"engine: {engine_pick}"), "engine"))
    scores: dict[str, float] = {}
    for clue in clues:
        scores[clue.reason] = scores.get(clue.reason, 0.0) + clue.weight
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked:
        return Attribution(None, 0.0, HUMAN_REVIEW, (), {})
    best, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(top / (top + runner_up + 0.5), 3)  # one lone buyer word ≈ 0.67, a tie ≈ 0.4
    decided = confidence >= taxonomy.min_confidence
    reason = taxonomy.reason(best) if decided else None
    ordered = tuple(sorted(clues, key=lambda c: (c.reason != best, -c.weight)))
    action = reason.action if reason else HUMAN_REVIEW
    return Attribution(reason, confidence, action, ordered, {k: round(v, 3) for k, v in ranked})
