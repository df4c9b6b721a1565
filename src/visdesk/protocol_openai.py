"""OpenAI Chat Completions wire models (request, response, chunk, error, model list).

Why permissive requests (`extra="ignore"`): real clients (the openai SDKs, Open WebUI, LangChain)
send many optional fields (top_p, seed, tools …) that do not change a support answer; refusing
them would break those clients. Fields we honour are typed and validated.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ImageUrl(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    url: str = Field(description="A data: URL (data:image/png;base64,...), or an http(s) URL under an allowed prefix.")
    detail: str | None = None


class TextPart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["text"]
    text: str


class ImagePart(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["image_url"]
    image_url: ImageUrl | str


class OtherPart(BaseModel):
    """Parts we do not read (input_audio, file …): accepted so the error can name them."""

    model_config = ConfigDict(frozen=True, extra="allow")

    type: str


ContentPart = TextPart | ImagePart | OtherPart


class ChatMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    role: str = Field(description="system | developer | user | assistant | tool")
    content: str | list[ContentPart] | None = None


class JsonSchemaFormat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = "answer"
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    include_usage: bool = False


class StructuredOutputs(BaseModel):
    """vLLM's `structured_outputs`: the answer is one of `choice`, matches `regex`, or fills the `json` schema."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    choice: list[str] | None = Field(None, min_length=1)
    regex: str | None = None
    json_schema: dict[str, Any] | None = Field(None, alias="json")


class ChatCompletionRequest(BaseModel):
    """POST /v1/chat/completions body (the subset of OpenAI's that visdesk honours)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    model: str = Field(description="A model id from GET /v1/models.")
    messages: list[ChatMessage] = Field(min_length=1, description="The conversation; the last user turn is asked.")
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, description="Answer length limit (values above 4096 count as 4096).")
    max_completion_tokens: int | None = Field(None, ge=1, description="Preferred over max_tokens when both are sent.")
    stop: str | list[str] | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    response_format: ResponseFormat | None = None
    structured_outputs: StructuredOutputs | None = Field(
        None, description="vLLM >= 0.12 style constraint (what a visdesk in front, with engine remote, sends)."
    )
    n: int = Field(1, ge=1, le=1, description="Only one choice is generated.")
    user: str | None = Field(None, max_length=256, description="End-user id (accepted; not stored).")
    tools: list[dict[str, Any]] | None = Field(
        None, description="Accepted and ignored: visdesk answers from the image and never calls tools "
        "(Open WebUI sends its built-in tools with every turn).",
    )  # fmt: skip
    tool_choice: str | dict[str, Any] | None = Field(None, description="Accepted and ignored, like `tools`.")


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: str
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    visdesk: dict[str, Any] | None = Field(
        None, description="Non-standard: evidence boxes, sources, session and message ids (clients ignore it)."
    )


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: str | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    visdesk: dict[str, Any] | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "visdesk"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class OpenAIErrorBody(BaseModel):
    message: str
    type: str
    code: str
    param: str | None = None


class OpenAIErrorResponse(BaseModel):
    error: OpenAIErrorBody
