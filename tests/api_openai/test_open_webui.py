"""Open WebUI 0.12.4's requests, as it sends them, through the official openai client (real server, real OCR)."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.api_openai import open_webui
from tests.conftest import make_settings
from tests.support.render import png_bytes
from tests.support.scenes import Canvas
from tests.support.server import serve
from visdesk.api.client_tasks import recognise
from visdesk.api.openai_request import question_and_image_url
from visdesk.app import create_app
from visdesk.protocol_openai import ChatCompletionRequest

QUESTION = "付不了钱怎么办？"


def payment_error_png() -> bytes:
    """A phone payment dialog: failed, with the error code and its message."""
    c = Canvas((720, 420))
    c.text("支付失败", (290, 30), 34, fill=(200, 30, 30))
    c.text("单笔支付金额超出银行卡限额", (60, 120), 28)
    c.text("订单金额: ¥ 6,800.00", (60, 200), 26)
    c.text("错误代码: E1024", (60, 270), 26)
    c.text("请更换银行卡或联系发卡银行", (60, 340), 24)
    return png_bytes(c.image)


DATA_URL = "data:image/png;base64," + base64.b64encode(payment_error_png()).decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("open_webui")
    with serve(create_app(make_settings(tmp))) as url:
        yield url, tmp / "history.sqlite3"


@pytest.fixture(scope="module")
def client(server: tuple[str, Path]) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server[0]}/v1", api_key="sk-open-webui", max_retries=0)


def messages_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def assert_about_the_payment_error(answer: str) -> None:
    assert "file" not in answer.casefold() and "找不到" not in answer, answer
    assert "E1024" in answer or "限额" in answer, answer


def test_attached_files_block_is_not_part_of_the_question() -> None:
    turn = open_webui.user_turn(QUESTION, DATA_URL)
    body = ChatCompletionRequest.model_validate(
        {"model": "visdesk", "messages": [turn], **open_webui.chat_body(stream=False)}
    )
    question, url = question_and_image_url(body.messages)
    assert question == QUESTION and url == DATA_URL
    typed = "<attached_files> is what the page showed"  # a user's own text naming the tag is kept
    turn["content"][1]["text"] = typed
    body = ChatCompletionRequest.model_validate({"model": "visdesk", "messages": [turn]})
    assert question_and_image_url(body.messages)[0] == typed


def test_open_webui_turn_is_answered_about_the_payment_error(client: openai.OpenAI) -> None:
    messages = [open_webui.user_turn(QUESTION, DATA_URL)]
    result = client.chat.completions.create(
        model="visdesk",
        messages=messages,
        extra_body=open_webui.chat_body(stream=False),  # type: ignore[arg-type]
    )
    assert len(open_webui.tools()) == 36
    assert_about_the_payment_error(result.choices[0].message.content or "")
    assert result.choices[0].finish_reason == "stop"


def test_open_webui_stream_and_follow_up_with_earlier_block(client: openai.OpenAI) -> None:
    first = open_webui.user_turn(QUESTION, DATA_URL)
    chunks = list(
        client.chat.completions.create(
            model="visdesk-embedded", messages=[first], stream=True,  # type: ignore[list-item]
            extra_body=open_webui.chat_body(stream=True),
        )
    )  # fmt: skip
    answer = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert_about_the_payment_error(answer)
    assert chunks[-1].usage is not None  # stream_options.include_usage honoured
    # The next turn: Open WebUI resends the first turn (with its block) and the answer.
    follow_up = [first, {"role": "assistant", "content": answer}, {"role": "user", "content": "错误代码是多少？"}]
    result = client.chat.completions.create(
        model="visdesk",
        messages=follow_up,
        extra_body=open_webui.chat_body(stream=False),  # type: ignore[arg-type]
    )
    assert "E1024" in (result.choices[0].message.content or "")


TURNS = [("user", QUESTION), ("assistant", "支付失败（错误代码 E1024）：单笔支付金额超出银行卡限额。")]
TASKS = [
    (open_webui.TITLE_TEMPLATE, "title", str),
    (open_webui.TAGS_TEMPLATE, "tags", list),
    (open_webui.FOLLOW_UPS_TEMPLATE, "follow_ups", list),
]


@pytest.mark.parametrize(("template", "key", "kind"), TASKS, ids=[t[1] for t in TASKS])
def test_task_requests_get_the_asked_json_without_history(
    client: openai.OpenAI, server: tuple[str, Path], template: str, key: str, kind: type
) -> None:
    client.chat.completions.create(model="visdesk", messages=[open_webui.user_turn(QUESTION, DATA_URL)])
    before = messages_count(server[1])
    for stream in (False, True):
        messages = open_webui.task_messages(template, TURNS)
        if stream:
            chunks = client.chat.completions.create(model="visdesk", messages=messages, stream=True)  # type: ignore[arg-type]
            content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        else:
            result = client.chat.completions.create(model="visdesk", messages=messages, max_tokens=1000)  # type: ignore[arg-type]
            content = result.choices[0].message.content or ""
            assert result.model_extra["visdesk"]["engine"] == "client-task"  # type: ignore[index]
        reply = json.loads(content)
        assert list(reply) == [key] and isinstance(reply[key], kind) and reply[key], content
        if kind is list:
            assert all(isinstance(item, str) and item for item in reply[key])
    assert messages_count(server[1]) == before  # no history written


def test_title_follows_the_conversation_and_its_language() -> None:
    def reply(template: str, turns: list[tuple[str, str]]) -> dict[str, object]:
        messages = open_webui.task_messages(template, turns)
        body = ChatCompletionRequest.model_validate({"model": "visdesk", "messages": messages})
        task = recognise(body.messages)
        assert task is not None
        return task.reply()

    assert reply(open_webui.TITLE_TEMPLATE, TURNS)["title"] == "付不了钱怎么办"
    assert reply(open_webui.TITLE_TEMPLATE, [("user", "付不了\u202e钱\x07怎么办？")])["title"] == "付不了钱怎么办"
    english = reply(open_webui.TITLE_TEMPLATE, [("user", "Why was my card declined at checkout?")])["title"]
    assert english == "Why was my card declined at"
    assert reply(open_webui.TAGS_TEMPLATE, [("user", "Where is my parcel?")])["tags"] != reply(
        open_webui.TAGS_TEMPLATE, TURNS
    )["tags"]  # fmt: skip
    edited = open_webui.TITLE_TEMPLATE.replace("### Output:\nJSON format:", "### Output:\nReply as").replace(
        '{ "title": "your concise title here" }', '{ "title": "...", "emoji": "🙂" }'
    )  # an admin's edited template: same structure, another example object
    assert set(reply(edited, TURNS)) == {"title", "emoji"}


def test_ordinary_questions_are_not_tasks() -> None:
    for messages in (
        [{"role": "user", "content": "Generate a concise title for this chat: where is my parcel?"}],
        [{"role": "user", "content": 'Please reply in JSON format: { "status": "..." }'}],
        [open_webui.user_turn('### Task:\n<chat_history>x</chat_history>\n### Output:\n{"a": 1}', DATA_URL)],
    ):
        body = ChatCompletionRequest.model_validate({"model": "visdesk", "messages": messages})
        assert recognise(body.messages) is None


DOCS = Path(__file__).resolve().parents[2] / "docs" / "openai-api.md"


def documented_section() -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("## Use with Open WebUI")
    return text[start : text.index("\n## ", start + 1)]


def test_the_documented_open_webui_request_is_answered(client: openai.OpenAI) -> None:
    section = documented_section()
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    body = json.loads(block)
    assert body["messages"][0]["content"][0]["text"].startswith("<attached_files>") and body["tools"]
    body["messages"][0]["content"][2]["image_url"]["url"] = DATA_URL  # the doc elides the base64
    result = client.chat.completions.create(**body)
    assert_about_the_payment_error(result.choices[0].message.content or "")
    messages = open_webui.task_messages(open_webui.TITLE_TEMPLATE, TURNS)
    title = client.chat.completions.create(model="visdesk", messages=messages)  # type: ignore[arg-type]
    assert title.choices[0].message.content in section  # the table's example is the real reply
