"""Wire types of the after-sales endpoints: return-reason attribution and manual drafts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReturnAttributeRequest(BaseModel):
    """POST /v1/returns/attribute body."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="What the buyer wrote, e.g. “doesn't work” or “屏幕碎了”.")
    image: str | None = Field(None, description="The buyer's photo as base64 or a data: URL.")


class ReasonOut(BaseModel):
    id: str
    name: str


class ActionOut(BaseModel):
    id: str = Field(description="The next action from the taxonomy: exchange, self_help, human_review, …")
    description: str


class ClueOut(BaseModel):
    reason: str = Field(description="The reason this clue counts for.")
    cue: str = Field(description="The taxonomy cue that matched.")
    source: str = Field(description="'text' (the buyer's words), 'image' (read on the photo) or 'engine'.")
    text: str
    box: list[float] | None = Field(None, description="[x0, y0, x1, y1] on the photo, for image clues.")


class ReturnAttributeResponse(BaseModel):
    reason: ReasonOut | None = Field(description="The decided reason; null when the case needs human review.")
    confidence: float = Field(description="0..1: the top reason's score against the runner-up's.")
    needs_human_review: bool
    action: ActionOut
    guide: str = Field("", description="A self-help line for the buyer, when the action is self-help.")
    evidence: list[ClueOut]
    scores: dict[str, float]
    language: str
    latency_ms: float


class ManualDraftRequest(BaseModel):
    """POST /v1/manuals/draft body."""

    model_config = ConfigDict(extra="forbid")

    images: list[str] = Field(
        default_factory=list, max_length=12, description="Product and packaging photos (base64 or data: URLs)."
    )
    specs_csv: str = Field(
        "", max_length=200_000, description="The spec table as CSV: a header row, then one row per spec."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en"], min_length=1, max_length=8, description="Drafts to write: zh, en, es, fr."
    )
    product_name: str = Field("", max_length=200, description="The product's name, when the photos do not show it.")


class LanguageDraftOut(BaseModel):
    markdown: str
    html: str
    checklist: list[str] = Field(description="What a person must confirm before the manual ships.")


class ManualDraftResponse(BaseModel):
    product: str
    languages: dict[str, LanguageDraftOut]
    latency_ms: float
