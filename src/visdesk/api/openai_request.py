"""OpenAI Chat Completions request → our Ask: the question, the image and the generation options.

Why the last user turn: visdesk answers one question about one image. The last user message's
text is the question; its image (or, for a follow-up without one, the latest earlier image) is the
image. System prompts are not used: the service has its own grounded persona, and a client's
system prompt must not be able to switch off the untrusted-data fencing.

Why client metadata is stripped: chat front-ends put their own bookkeeping into message text. Open
WebUI (with native tool calling, its default since 0.6) prepends to each user turn that carries a
file a text part `<attached_files>` + one self-closing `<file type="file" id="…" url="…"
content_type="image/jpeg" name="x.jpg"/>` per file + `</attached_files>` (its middleware's
`add_file_context`). That block names files; it is not the customer's question, and joined into
the question it made the engine look for "file" in the image. A block made only of such `<file …/>`
tags is removed wherever it appears (current and earlier turns); anything else a user typed stays.
"""

from __future__ import annotations

import re

import httpx

from visdesk.api.common import image_field_upload
from visdesk.domain import GenerationOptions, Turn, Upload
from visdesk.errors import AppError, ErrorCode
from visdesk.protocol_openai import ChatCompletionRequest, ChatMessage, ImagePart, OtherPart, TextPart
from visdesk.settings import Settings

IMAGE_FETCH_TIMEOUT_S = 10.0
MAX_NEW_TOKENS = 4096  # clients such as Open WebUI send large max_tokens; clamp instead of refusing
_ATTACHED_FILES = re.compile(r"<attached_files>\s*(?:<file\b[^<>]*/>\s*)*</attached_files>\s*")


def without_client_metadata(text: str) -> str:
    """`text` without front-end file-reference blocks (Open WebUI's `<attached_files>`)."""
    if "<attached_files>" not in text:
        return text
    return _ATTACHED_FILES.sub("", text)


def question_and_image_url(messages: list[ChatMessage]) -> tuple[str, str | None]:
    """The last user message's text, and the image URL to use (its own, else the latest earlier one)."""
    users = [m for m in messages if m.role == "user"]
    if not users:
        raise AppError(ErrorCode.INVALID_REQUEST, "The messages contain no 'user' message to answer.")
    last = users[-1]
    text, images = _parts(last)
    if len(images) > 1:
        raise AppError(
            ErrorCode.INVALID_REQUEST,
            f"The last user message has {len(images)} images; send one image per question.",
        )
    if images:
        return text, images[0]
    for earlier in reversed(users[:-1]):
        _, earlier_images = _parts(earlier)
        if earlier_images:
            return text, earlier_images[-1]
    return text, None


def earlier_turns(messages: list[ChatMessage]) -> tuple[Turn, ...]:
    """Each user message answered by an assistant message, before the last user message → a Turn."""
    last_user = max(i for i, m in enumerate(messages) if m.role == "user")
    turns: list[Turn] = []
    question: str | None = None
    for message in messages[:last_user]:
        if message.role == "user":
            question = _parts(message)[0]
        elif message.role == "assistant" and question is not None:
            answer = _parts(message)[0]
            if question.strip() and answer.strip():
                turns.append(Turn(question=question, answer=answer))
            question = None
    return tuple(turns)


def _parts(message: ChatMessage) -> tuple[str, list[str]]:
    if message.content is None or isinstance(message.content, str):
        return without_client_metadata(message.content or ""), []
    texts: list[str] = []
    images: list[str] = []
    for part in message.content:
        if isinstance(part, TextPart):
            text = without_client_metadata(part.text)
            if text:
                texts.append(text)
        elif isinstance(part, ImagePart):
            images.append(part.image_url if isinstance(part.image_url, str) else part.image_url.url)
        elif isinstance(part, OtherPart):
            raise AppError(
                ErrorCode.INVALID_REQUEST,
                f"Message parts of type {part.type!r} are not supported; send 'text' and 'image_url' parts.",
            )
    return "\n".join(texts), images


def url_allowed(url: str, prefixes: list[str]) -> bool:
    """True when `url` lies under an allowed prefix (a prefix without a trailing '/' still ends at a boundary)."""
    for prefix in prefixes:
        if not prefix or not url.startswith(prefix):
            continue
        if prefix.endswith("/") or url[len(prefix) : len(prefix) + 1] in ("", "/", "?", "#"):
            return True
    return False


async def image_upload(url: str, settings: Settings) -> Upload:
    """A data: URL (decoded only if not seen before), or an allowed http(s) URL fetched (size-capped, no redirects)."""
    if not url.lstrip()[:8].lower().startswith(("http://", "https://")):  # not the whole 1 MB data: URL
        return image_field_upload(url)
    if not url_allowed(url.strip(), settings.safety.allowed_image_url_prefixes):
        raise AppError(
            ErrorCode.REMOTE_IMAGE_URL_REFUSED,
            "Image URLs are not fetched by this server (only URLs under VISDESK_SAFETY__ALLOWED_IMAGE_URL_PREFIXES). "
            "Send the image as a data: URL (data:image/png;base64,...).",
        )
    return Upload(await _fetch(url.strip(), settings.images.max_upload_bytes))


async def _fetch(url: str, max_bytes: int) -> bytes:
    refused = "The image URL could not be fetched ({}). Send the image as a data: URL instead."
    try:
        async with (
            httpx.AsyncClient(timeout=IMAGE_FETCH_TIMEOUT_S, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise AppError(ErrorCode.INVALID_REQUEST, refused.format(f"HTTP {response.status_code}"))
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise AppError(
                        ErrorCode.IMAGE_TOO_LARGE,
                        f"The image at the URL is larger than {max_bytes / 1e6:.0f} MB, the most accepted.",
                    )
            return bytes(data)
    except httpx.TimeoutException as exc:
        raise AppError(ErrorCode.INVALID_REQUEST, refused.format("timed out")) from exc
    except httpx.HTTPError as exc:
        raise AppError(ErrorCode.INVALID_REQUEST, refused.format("connection failed")) from exc


def generation_options(body: ChatCompletionRequest) -> GenerationOptions:
    """OpenAI sampling fields → GenerationOptions (mode stays the governor's choice)."""
    stop = (body.stop,) if isinstance(body.stop, str) else tuple(body.stop or ())
    response_format = None
    if body.response_format is not None:
        if body.response_format.type == "json_schema":
            if body.response_format.json_schema is None or not body.response_format.json_schema.schema_:
                raise AppError(
                    ErrorCode.INVALID_REQUEST, "response_format json_schema needs json_schema.schema (a JSON Schema)."
                )
            response_format = body.response_format.json_schema.schema_
        elif body.response_format.type == "json_object":
            response_format = {"type": "object"}
    limit = body.max_completion_tokens or body.max_tokens
    constraint = body.structured_outputs  # a visdesk in front (engine remote, server_kind vllm) sends these
    return GenerationOptions(
        max_new_tokens=min(limit, MAX_NEW_TOKENS) if limit else None,
        response_format=response_format or (constraint.json_schema if constraint else None),
        choices=tuple(constraint.choice or ()) if constraint else (),
        regex=constraint.regex if constraint else None,
        stop=stop,
        temperature=body.temperature,
    )
