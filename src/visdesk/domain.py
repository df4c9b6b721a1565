"""Domain types shared by every layer: frozen, transport-free, engine-agnostic.

Why frozen dataclasses: a Query or Grounding is built once per request and then read by many
stages (cache key, safety, engines, history); immutability keeps those stages from surprising
each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from PIL import Image

if TYPE_CHECKING:  # domain must not import perception at runtime
    from visdesk.perception.document import Document

Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in pixels of the image as the user sent it (after EXIF orientation)."""

Language = Literal["zh", "en"]

ANONYMOUS = "anonymous"
"""The principal of callers without an API key or browser cookie (the CLI, the Python API, open APIs)."""


class Mode(StrEnum):
    """Generation mode chosen per request by the load governor."""

    QUALITY = "quality"  # beams where the engine has them, full-length answers
    FAST = "fast"  # greedy, fewer tokens


class LoadLevel(StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    EXTREME = "extreme"


@dataclass(frozen=True, eq=False)
class ImageInput:
    """A decoded, normalised user image. Built only by `images.intake`."""

    content_id: str  # sha256 hex of the normalised RGB pixels (+ size)
    image: Image.Image  # RGB, longest side <= settings.images.max_side (what a VLM receives)
    ocr_image: Image.Image  # RGB, larger copy for OCR (small text survives), longest side <= ocr_max_side
    original_size: tuple[int, int]  # (w, h) after EXIF transpose: the coordinate space of every Box
    media_type: str  # sniffed from the bytes, e.g. "image/png"
    byte_size: int

    def to_original(self, box: Box, *, source: Literal["image", "ocr"] = "ocr") -> Box:
        """Scale a box from `image`/`ocr_image` pixels to the user's original pixels."""
        src = self.ocr_image if source == "ocr" else self.image
        sx = self.original_size[0] / src.width
        sy = self.original_size[1] / src.height
        x0, y0, x1, y1 = box
        return (x0 * sx, y0 * sy, x1 * sx, y1 * sy)


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: Box
    score: float
    polygon: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class KeyValue:
    key: str
    value: str
    key_box: Box
    value_box: Box
    score: float = 1.0


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    box: Box
    cell_boxes: tuple[tuple[Box, ...], ...] = ()  # same shape as rows


@dataclass(frozen=True)
class Perception:
    """What was seen in one image; cached per ImageInput.content_id."""

    content_id: str
    size: tuple[int, int]  # original (w, h)
    lines: tuple[OcrLine, ...]
    key_values: tuple[KeyValue, ...] = ()
    tables: tuple[Table, ...] = ()
    emphasised: tuple[int, ...] = ()  # indexes into lines: titles, red warnings, highlighted text
    extras: dict[str, Any] = field(default_factory=dict)  # layout facts (dates, amounts, codes, product ids)
    document: Document | None = None  # the typed document model (perception.document.build_document)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Passage:
    """A knowledge-base chunk retrieved for a question."""

    doc_id: str
    title: str
    section: str
    text: str
    score: float
    source: str = ""  # file name or URL inside the knowledge base
    kind: str = "article"  # article | faq | error_code | product | manual
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. product specs, match method and score


@dataclass(frozen=True)
class Evidence:
    text: str
    box: Box | None = None


@dataclass(frozen=True)
class Source:
    title: str
    section: str = ""
    source: str = ""
    snippet: str = ""


@dataclass(frozen=True)
class Recommendation:
    """A catalog product suggested to the customer (pre-sale advice), with why it fits."""

    sku: str
    name: str
    price: str = ""
    image_url: str = ""  # the catalog picture, served by GET /v1/catalog/{sku}/image
    reason: str = ""


@dataclass(frozen=True)
class Turn:
    """One earlier exchange in the same session (multi-turn context)."""

    question: str
    answer: str
    image_content_id: str | None = None


@dataclass(frozen=True)
class GenerationOptions:
    mode: Mode = Mode.QUALITY
    max_new_tokens: int | None = None
    choices: tuple[str, ...] = ()  # the answer must be one of these labels
    response_format: dict[str, Any] | None = None  # JSON schema the answer must satisfy
    regex: str | None = None  # the answer must match this pattern
    stop: tuple[str, ...] = ()
    temperature: float | None = None

    def cache_key_part(self) -> str:
        """A stable text form of the options that change the answer (part of the cache key)."""
        import json

        return json.dumps(
            {
                "mode": self.mode.value,
                "max_new_tokens": self.max_new_tokens,
                "choices": list(self.choices),
                "response_format": self.response_format,
                "regex": self.regex,
                "stop": list(self.stop),
                "temperature": self.temperature,
            },
            sort_keys=True,
            ensure_ascii=False,
        )


@dataclass(frozen=True)
class Query:
    question: str
    image: ImageInput | None
    language: Language  # the language to answer in (detected from the question)
    options: GenerationOptions = field(default_factory=GenerationOptions)
    session_id: str | None = None
    history: tuple[Turn, ...] = ()
    request_id: str = ""
    client: Literal["web", "api"] = "api"
    owner: str = ANONYMOUS  # the principal asking: its sessions are the only ones it may read or continue


def _as_is(sent: bytes) -> bytes:
    return bytes(sent)


@dataclass(frozen=True)
class Upload:
    """An image as the client sent it (file bytes, or a base64 field's text), decoded only when needed.

    Why: a repeated upload (a cache hit, a retry) is recognised by what was sent (the pipeline's
    `exact_memo.ExactMemo`, which compares it in full, `decode` as its tag), so a 1 MB base64 field
    is neither decoded nor hashed again; `decode` (which may raise the transport's AppError, e.g.
    bad_base64) runs only for an upload not seen before.
    """

    sent: bytes | str
    decode: Callable[[Any], bytes] = _as_is


@dataclass(frozen=True)
class Ask:
    """A user's request as it enters the pipeline (transport already parsed, nothing decoded yet)."""

    question: str
    image_bytes: bytes | None = None
    upload: Upload | None = None  # the image as sent, when the transport defers decoding (else image_bytes)
    session_id: str | None = None
    options: GenerationOptions = field(default_factory=GenerationOptions)
    client: Literal["web", "api"] = "api"
    request_id: str = ""
    route: str = ""
    history: tuple[Turn, ...] = ()  # earlier turns sent by the client (OpenAI messages); used when no session_id
    owner: str = ANONYMOUS  # the principal (api.security): an API key's id, a browser cookie's, or ANONYMOUS


@dataclass(frozen=True)
class Grounding:
    """Everything an engine may use besides the image: computed once, shared by every engine."""

    seen: Perception | None
    passages: tuple[Passage, ...] = ()
    untrusted_flags: tuple[str, ...] = ()  # e.g. "instruction_in_image": text in the image tried to instruct


@dataclass(frozen=True)
class EngineRequest:
    query: Query
    grounding: Grounding
    mode: Mode = Mode.QUALITY


@dataclass(frozen=True)
class Delta:
    """One piece of an engine's output stream. Text arrives in order; evidence/sources/structured once."""

    text: str = ""
    evidence: tuple[Evidence, ...] | None = None
    sources: tuple[Source, ...] | None = None
    structured: dict[str, Any] | None = None  # {"data": ..., "valid": bool, "choice": ...} for constrained output
    finish_reason: str | None = None  # "stop" | "length" | "cancelled"
    usage: dict[str, int] | None = None  # prompt_tokens / completion_tokens where the engine counts them
    recommendations: tuple[Recommendation, ...] | None = None  # catalog products suggested, once
    reasoning: str = ""  # the model's thinking, in pieces (kept only when the engine's keep_reasoning is on)


@dataclass(frozen=True)
class Answer:
    answer: str
    evidence: tuple[Evidence, ...]
    sources: tuple[Source, ...]
    engine: str
    session_id: str
    message_id: str
    cached: bool
    latency_ms: float
    language: Language
    mode: Mode = Mode.QUALITY
    level: LoadLevel = LoadLevel.NORMAL
    structured: dict[str, Any] | None = None
    finish_reason: str = "stop"
    usage: dict[str, int] | None = None
    image_content_id: str | None = None
    recommendations: tuple[Recommendation, ...] = ()
    reasoning: str = ""  # the model's thinking, where the engine was asked to keep it
