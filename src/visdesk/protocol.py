"""Wire types (pydantic): imported only by api/ and streaming.py."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EvidenceOut(BaseModel):
    text: str = Field(description="The quoted text read from the image.")
    box: list[float] | None = Field(None, description="[x0, y0, x1, y1] in pixels of the image as sent.")


class SourceOut(BaseModel):
    title: str
    section: str = ""
    source: str = ""
    snippet: str = ""


class RecommendationOut(BaseModel):
    sku: str = Field(description="The catalog SKU.")
    name: str
    price: str = ""
    image_url: str = Field("", description="The catalog picture (GET /v1/catalog/{sku}/image).")
    reason: str = Field("", description="Why it fits the product in the photo.")


class ChatRequest(BaseModel):
    """POST /v1/chat body (frozen: api/chat_fast_path shares one among requests that sent the same bytes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: str | None = Field(
        None, description="The image as base64, or a data: URL (data:image/png;base64,...). Optional in a session."
    )
    question: str = Field(description="The customer's question, in any language (answers come in zh or en).")
    session_id: str | None = Field(None, description="Continue this session (follow-up questions).")
    stream: bool = Field(False, description="Stream the answer as server-sent events.")
    choices: list[str] | None = Field(None, description="The answer must be one of these labels.")
    response_format: dict[str, Any] | None = Field(
        None, description="A JSON schema; the answer is a JSON object filled from the image and validated."
    )
    regex: str | None = Field(None, description="The answer must match this regular expression.")
    max_new_tokens: int | None = Field(None, ge=1, le=4096, description="Upper bound on the answer's length.")


class ChatResponse(BaseModel):
    answer: str
    evidence: list[EvidenceOut]
    sources: list[SourceOut]
    session_id: str
    message_id: str
    engine: str
    cached: bool
    latency_ms: float
    language: str
    mode: str
    level: str
    finish_reason: str
    structured: dict[str, Any] | None = None
    recommendations: list[RecommendationOut] = Field(
        default_factory=list, description="Catalog products suggested for pre-sale questions (product cards)."
    )
    reasoning: str | None = Field(
        None, description="The VLM's thinking, only where the engine's keep_reasoning setting asks for it."
    )


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


# --- OpenAI Chat Completions wire models (defined in protocol_openai.py, re-exported here) ---------------------------
from visdesk.protocol_openai import ChatCompletion as ChatCompletion  # noqa: E402
from visdesk.protocol_openai import ChatCompletionChunk as ChatCompletionChunk  # noqa: E402
from visdesk.protocol_openai import ChatCompletionRequest as ChatCompletionRequest  # noqa: E402
from visdesk.protocol_openai import ModelList as ModelList  # noqa: E402
from visdesk.protocol_openai import OpenAIErrorResponse as OpenAIErrorResponse  # noqa: E402
