"""The return-reason taxonomy: reasons, their cues and the next action, read from the knowledge base.

Why data and not code: each shop names its own reasons and its own after-sales actions; the
attribution mechanism only counts cues in the buyer's words and on the photo. A shop replaces the
demo taxonomy by putting `returns/taxonomy.toml` in its own knowledge-base folder.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visdesk.errors import AppError, ErrorCode

TAXONOMY_FILE = Path("returns") / "taxonomy.toml"
HUMAN_REVIEW = "human_review"


@dataclass(frozen=True)
class Action:
    id: str
    description: dict[str, str]  # language → what the agent does next


@dataclass(frozen=True)
class Reason:
    id: str
    names: dict[str, str]  # language → name
    action: str
    text_cues: tuple[str, ...]  # normalised; looked for in the buyer's text
    image_cues: tuple[str, ...]  # normalised; looked for in the text read on the photo
    guide: str = ""  # a self-help line for the buyer, when the action is self-help


@dataclass(frozen=True)
class Taxonomy:
    reasons: tuple[Reason, ...]
    actions: dict[str, Action]
    min_confidence: float = 0.6
    image_weight: float = 1.5
    text_weight: float = 1.0
    source: str = ""

    def reason(self, reason_id: str) -> Reason | None:
        return next((r for r in self.reasons if r.id == reason_id), None)


def normalise(text: str) -> str:
    """NFKC + casefold + single spaces: cues and texts are compared in this form."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("’", "'").split())


def find_taxonomy(dirs: list[Path]) -> Path | None:
    """The first knowledge-base folder's taxonomy (a shop's own folder comes before the demo)."""
    return next((d / TAXONOMY_FILE for d in dirs if (d / TAXONOMY_FILE).is_file()), None)


def load_taxonomy(path: Path) -> Taxonomy:
    """Parse and check a taxonomy file; a broken file fails start-up with what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the return-reason taxonomy: {exc}") from exc
    actions = {
        name: Action(name, {lang: str(text) for lang, text in texts.items()})
        for name, texts in dict(data.get("actions", {})).items()
    }
    if HUMAN_REVIEW not in actions:
        raise ValueError(f"{path}: the taxonomy needs an [actions.{HUMAN_REVIEW}] entry for low-confidence cases")
    reasons = tuple(_reason(path, raw, actions) for raw in data.get("reason", []))
    if not reasons:
        raise ValueError(f"{path}: the taxonomy lists no [[reason]]")
    ids = [r.id for r in reasons]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: reason ids must be unique, got {ids}")
    return Taxonomy(
        reasons=reasons,
        actions=actions,
        min_confidence=float(data.get("min_confidence", 0.6)),
        image_weight=float(data.get("image_weight", 1.5)),
        text_weight=float(data.get("text_weight", 1.0)),
        source=str(path),
    )


def _reason(path: Path, raw: dict[str, Any], actions: dict[str, Action]) -> Reason:
    reason_id = str(raw.get("id", ""))
    action = str(raw.get("action", ""))
    if not reason_id or action not in actions:
        raise ValueError(f"{path}: reason {reason_id or '?'} needs an id and an action among {sorted(actions)}")
    names: dict[str, str] = {lang: str(raw[lang]) for lang in ("en", "zh") if lang in raw} or {"en": reason_id}
    return Reason(
        id=reason_id,
        names=names,
        action=action,
        text_cues=tuple(normalise(c) for c in raw.get("text", []) if c),
        image_cues=tuple(normalise(c) for c in raw.get("image", []) if c),
        guide=str(raw.get("guide", "")),
    )


def unavailable() -> AppError:
    return AppError(
        ErrorCode.NOT_CONFIGURED,
        "Return-reason attribution needs a returns/taxonomy.toml in the knowledge base.",
    )
