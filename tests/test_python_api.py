"""The Python API on the real pipeline: Assistant.from_pretrained("embedded") with paths, bytes, PIL images."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.dialog import CODE, code_box, overlaps, payment_error_dialog
from tests.conftest import make_settings
from tests.support.render import png_bytes
from visdesk import Assistant
from visdesk.domain import Answer, Delta
from visdesk.engines import register
from visdesk.errors import AppError, ErrorCode


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    tmp = tmp_path_factory.mktemp("python-api")
    with Assistant.from_pretrained("embedded", settings=make_settings(tmp)) as assistant:
        yield assistant


@pytest.fixture(scope="module")
def dialog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "payment-error.png"
    payment_error_dialog().save(path)
    return path


def test_generate_from_a_path_returns_the_answer_text(assistant: Assistant, dialog_path: Path) -> None:
    text = assistant.generate(image=str(dialog_path), text="错误码是什么？")
    assert isinstance(text, str)
    assert CODE in text
    assert assistant.engine_name == "embedded"


def test_ask_returns_an_answer_with_evidence(assistant: Assistant, dialog_path: Path) -> None:
    answer = assistant.ask(image=dialog_path, text="错误码是什么？")
    assert isinstance(answer, Answer)
    assert CODE in answer.answer
    assert any(e.box and overlaps(e.box, code_box()) for e in answer.evidence)
    assert answer.language == "zh" and answer.session_id and answer.message_id


def test_bytes_pil_image_and_file_object_give_the_same_image(assistant: Assistant, dialog_path: Path) -> None:
    image = payment_error_dialog()
    from_pil = assistant.ask(image=image, text="错误码是什么？")
    from_bytes = assistant.ask(image=dialog_path.read_bytes(), text="错误码是什么？")
    from_file = assistant.ask(image=io.BytesIO(png_bytes(image)), text="错误码是什么？")
    ids = {from_pil.image_content_id, from_bytes.image_content_id, from_file.image_content_id}
    assert len(ids) == 1 and None not in ids
    assert all(CODE in a.answer for a in (from_pil, from_bytes, from_file))
    cmyk = assistant.ask(image=image.convert("CMYK"), text="错误码是什么？")  # PNG cannot hold CMYK: converted
    assert CODE in cmyk.answer


def test_stream_yields_deltas_then_the_answer(assistant: Assistant, dialog_path: Path) -> None:
    events = list(assistant.stream(image=dialog_path, text="订单号是多少？"))
    assert all(isinstance(e, Delta) for e in events[:-1])
    final = events[-1]
    assert isinstance(final, Answer)
    assert "".join(e.text for e in events[:-1]) == final.answer
    assert "7731" in final.answer


async def test_aask_awaits_without_blocking_the_callers_loop(assistant: Assistant, dialog_path: Path) -> None:
    import asyncio

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    answers = await asyncio.gather(
        assistant.aask(image=dialog_path, text="错误码是什么？"),
        assistant.aask(image=dialog_path, text="订单号是多少？"),
    )
    task.cancel()
    assert CODE in answers[0].answer and "7731" in answers[1].answer
    assert ticks > 0  # the caller's loop kept running meanwhile


def test_follow_up_in_a_session_reuses_the_image(assistant: Assistant, dialog_path: Path) -> None:
    first = assistant.ask(image=dialog_path, text="错误码是什么？")
    follow_up = assistant.ask(text="订单号是多少？", session_id=first.session_id)
    assert follow_up.session_id == first.session_id
    assert "7731" in follow_up.answer


def test_ask_many_answers_in_order_and_can_return_errors(assistant: Assistant, dialog_path: Path) -> None:
    results = assistant.ask_many(
        [(dialog_path, "错误码是什么？"), (b"not an image", "这是什么？"), (dialog_path, "订单号是多少？")],
        return_exceptions=True,
    )
    assert CODE in results[0].answer  # type: ignore[union-attr]
    assert isinstance(results[1], AppError) and results[1].code is ErrorCode.UNSUPPORTED_MEDIA_TYPE
    assert "7731" in results[2].answer  # type: ignore[union-attr]
    with pytest.raises(AppError):
        assistant.ask_many([(b"not an image", "这是什么？")])


@pytest.mark.parametrize(
    ("image", "text", "code"),
    [
        ("/nonexistent/screenshot.png", "错误码是什么？", ErrorCode.MISSING_IMAGE),
        (b"%PDF-1.4 not an image", "错误码是什么？", ErrorCode.UNSUPPORTED_MEDIA_TYPE),
        (None, "错误码是什么？", ErrorCode.MISSING_IMAGE),
        (png_bytes(payment_error_dialog()), "   ", ErrorCode.EMPTY_QUESTION),
    ],
)
def test_bad_input_raises_app_error(assistant: Assistant, image: object, text: str, code: ErrorCode) -> None:
    with pytest.raises(AppError) as caught:
        assistant.generate(image=image, text=text)  # type: ignore[arg-type]
    assert caught.value.code is code
    assert caught.value.message


def test_unknown_session_raises(assistant: Assistant) -> None:
    with pytest.raises(AppError) as caught:
        assistant.ask(text="还有呢？", session_id="no-such-session")
    assert caught.value.code is ErrorCode.UNKNOWN_SESSION


def test_close_is_idempotent(tmp_path: Path) -> None:
    register("exploding-test", "tests.api.exploding_engine:create")  # no OCR to load: a quick start
    assistant = Assistant.from_pretrained("exploding-test", settings=make_settings(tmp_path))
    assert assistant.engine_name == "exploding"
    assistant.close()
    assistant.close()
    assert not assistant._thread.is_alive()


def test_unknown_engine_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(AppError) as caught:
        Assistant.from_pretrained("no-such-engine", settings=make_settings(tmp_path))
    assert caught.value.code is ErrorCode.ENGINE_UNAVAILABLE


def test_the_python_examples_in_docs_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """docs/web.md's Python blocks, run as written (LitServe-style), on the rendered dialog."""
    import re

    docs = (Path(__file__).resolve().parent.parent / "docs" / "web.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", docs, flags=re.S)
    assert len(blocks) >= 2
    payment_error_dialog().save(tmp_path / "payment-error.png")
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "VISDESK_DATA_DIR": str(tmp_path),
        "VISDESK_HISTORY__DATABASE_URL": f"sqlite:///{tmp_path / 'history.sqlite3'}",
        "VISDESK_KNOWLEDGE__INDEX_PATH": str(tmp_path / "kb.sqlite3"),
        "VISDESK_SAFETY__NSFW_ENABLED": "false",
        "VISDESK_ENGINE": "embedded",
    }.items():
        monkeypatch.setenv(key, value)
    for block in blocks:
        exec(compile(block, "docs/web.md", "exec"), {})  # the docs are ours
    printed = capsys.readouterr().out
    assert printed.count(CODE) >= 4 and "7731" in printed
