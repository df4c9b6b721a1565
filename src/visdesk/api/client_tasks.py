"""Chat front-ends' background task requests (title, tags, follow-ups, search queries, autocomplete).

Why: besides each chat turn, Open WebUI sends text-only requests whose prompt asks the model for a
small JSON object: `{"title": …}` after the first answer, `{"tags": […]}`, `{"follow_ups": […]}`,
`{"queries": […]}` before web search, `{"text": …}` for autocomplete. Through the pipeline each one
would cost a full request, write a history message, and be answered "please upload a screenshot" —
which the client silently drops. Here they get a valid object of the asked shape at once: no OCR,
no engine, no cache, no history.

They are recognised by the structure their templates share (Open WebUI `config.py`,
`DEFAULT_*_GENERATION_PROMPT_TEMPLATE`), not by one literal string, so an admin's edited or
translated template still matches while it keeps that shape: one text-only conversation whose last
user message has a `### Task:` heading, quotes the conversation in `<chat_history>…</chat_history>`
and shows the reply as a JSON object example after an `Output` heading. The reply mirrors that
example's keys and value types.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from visdesk.api.openai_request import without_client_metadata
from visdesk.domain import Answer, Language
from visdesk.language import detect_language
from visdesk.protocol_openai import ChatMessage, ImagePart, TextPart
from visdesk.text_input import normalise_text

ENGINE = "client-task"  # what the reply's `visdesk.engine` says: no engine answered
_TASK_HEADING = re.compile(r"^\s*#{1,6}\s*task\s*:", re.I | re.M)
_OUTPUT_HEADING = re.compile(r"^\s*#{1,6}\s*\**\s*output\b", re.I | re.M)
_HISTORY = re.compile(r"<chat_history>(.*?)</chat_history>", re.S)
_SPEAKER = re.compile(r"^\s*(USER|ASSISTANT|SYSTEM)\s*:\s?", re.I | re.M)
_TRAILING = "？?！!。.，,;；:： "
_TITLE_CJK_CHARS = 16
_TITLE_WORDS = 6

_TAGS: dict[Language, list[str]] = {"zh": ["客户服务"], "en": ["Customer Support"]}
_FOLLOW_UPS: dict[Language, list[str]] = {
    "zh": ["还需要提供哪些信息？", "有没有其他解决办法？", "怎样联系人工客服？"],
    "en": ["What else do you need from me?", "Is there another way to fix this?", "How can I reach a human agent?"],
}


@dataclass(frozen=True)
class ClientTask:
    """A recognised task request: the example reply its prompt shows, and the quoted conversation."""

    example: dict[str, Any]
    history: str

    @property
    def name(self) -> str:
        """The first key of the asked object ("title", "tags", "follow_ups" …), for logs."""
        return next(iter(self.example), "task")

    @property
    def questions(self) -> list[str]:
        return [line for speaker, line in _turns(self.history) if speaker == "USER" and line]

    @property
    def language(self) -> Language:
        return detect_language(" ".join(self.questions) or self.history)

    def reply(self) -> dict[str, Any]:
        """An object with the example's keys, each value of the example's type."""
        questions, language = self.questions, self.language
        return {key: _value(key, example, questions, language) for key, example in self.example.items()}

    def answer(self, started: float) -> Answer:
        """The reply as an Answer, so the usual chat.completion / chunk renderers send it."""
        reply = self.reply()
        return Answer(
            answer=json.dumps(reply, ensure_ascii=False),
            evidence=(),
            sources=(),
            engine=ENGINE,
            session_id="",
            message_id=uuid.uuid4().hex,
            cached=False,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            language=self.language,
            structured=reply,
        )


def recognise(messages: list[ChatMessage]) -> ClientTask | None:
    """The task request in `messages`, or None for an ordinary question."""
    users = [m for m in messages if m.role == "user"]
    if not users or any(_has_image(m) for m in messages):
        return None
    prompt = _text(users[-1])
    if not _TASK_HEADING.search(prompt):
        return None
    history = _HISTORY.search(prompt)
    output = _OUTPUT_HEADING.search(prompt)
    if history is None or output is None:
        return None
    example = _first_json_object(prompt, output.end())
    if not example:
        return None
    # Normalised like any question (NFC, no control or bidi characters; 400 on lone surrogates): the title echoes it.
    return ClientTask(example=example, history=normalise_text(history.group(1), "messages"))


def _has_image(message: ChatMessage) -> bool:
    return isinstance(message.content, list) and any(isinstance(p, ImagePart) for p in message.content)


def _text(message: ChatMessage) -> str:
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    return "\n".join(p.text for p in message.content if isinstance(p, TextPart))


def _first_json_object(text: str, start: int) -> dict[str, Any] | None:
    """The first `{…}` after `start` that parses as a non-empty JSON object (the reply example)."""
    decoder = json.JSONDecoder()
    position = text.find("{", start)
    while position != -1:
        try:
            value, _ = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            position = text.find("{", position + 1)
            continue
        if isinstance(value, dict) and value:
            return value
        position = text.find("{", position + 1)
    return None


def _turns(history: str) -> list[tuple[str, str]]:
    """`USER: …` / `ASSISTANT: …` lines (Open WebUI's rendering of {{MESSAGES}}) → (speaker, text)."""
    marks = list(_SPEAKER.finditer(history))
    turns = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(history)
        text = " ".join(without_client_metadata(history[mark.end() : end]).split())
        turns.append((mark.group(1).upper(), text))
    return turns


def _title(questions: list[str], language: Language) -> str:
    """The customer's first question, shortened: what the conversation is about."""
    first = questions[0].strip(_TRAILING) if questions else ""
    if not first:
        return "图片咨询" if language == "zh" else "Image Question"
    if language == "zh":
        return first[:_TITLE_CJK_CHARS]
    return " ".join(first.split()[:_TITLE_WORDS])


def _value(key: str, example: Any, questions: list[str], language: Language) -> Any:
    """The reply value for `key`: known Open WebUI keys get content; others an empty value of the example's type."""
    name = key.casefold()
    if isinstance(example, str):
        return _title(questions, language) if name == "title" else ""
    if isinstance(example, list):
        if name == "tags":
            return list(_TAGS[language])
        if name in ("follow_ups", "followups", "follow-ups"):
            return list(_FOLLOW_UPS[language])
        return []  # "queries": no web search is needed to answer from the customer's image
    if isinstance(example, dict):
        return {}
    return example  # numbers and booleans: the example's own value is a valid one
