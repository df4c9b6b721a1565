"""The web page in real headless Chromium against the real app: upload, ask, streamed answer, evidence boxes.

Set VISDESK_WRITE_SCREENSHOT=1 to refresh docs/screenshot-web.png from this test.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api.dialog import CODE, code_box, overlaps, payment_error_dialog
from tests.support.browser import wait_for_settled_boxes

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-web.png"



@pytest.fixture()
def page(browser, embedded_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(embedded_server + "/")
    yield page
    context.close()


Box = tuple[float, float, float, float]


@dataclass
class Drawn:
    """Evidence boxes on screen, the displayed image, and where `target` (image pixels) appears on screen."""

    boxes: list[Box]
    image: Box
    expected: Box


def drawn(page, target: Box) -> Drawn:  # type: ignore[no-untyped-def]
    wait_for_settled_boxes(page)
    shown = page.locator("#preview-image").bounding_box()  # measured each time: the layout moves as answers arrive
    scale = shown["width"] / payment_error_dialog().width
    x0, y0, x1, y1 = target
    boxes = [
        (b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"])
        for b in (e.bounding_box() for e in page.locator(".evidence-box").all())
    ]
    image = (shown["x"], shown["y"], shown["x"] + shown["width"], shown["y"] + shown["height"])
    expected = (image[0] + x0 * scale, image[1] + y0 * scale, image[0] + x1 * scale, image[1] + y1 * scale)
    return Drawn(boxes, image, expected)


def test_upload_ask_and_see_the_answer_with_evidence(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image_path = tmp_path / "payment-error.png"
    payment_error_dialog().save(image_path)
    assert page.title().startswith("visdesk")

    page.set_input_files("#file-input", str(image_path))
    page.wait_for_function("document.getElementById('preview-image').naturalWidth > 0")
    page.fill("#question", "错误码是什么？")
    page.press("#question", "Enter")
    answer = page.wait_for_selector(".message.assistant.done", timeout=60_000)

    assert CODE in answer.query_selector(".answer-text").inner_text()
    assert page.locator(".message.user").inner_text() == "错误码是什么？"
    assert "秒" in answer.query_selector(".timing").inner_text()
    assert page.locator("#error").is_hidden()

    # evidence boxes sit over the image where the code line was drawn (scaled to the displayed size)
    on_screen = drawn(page, code_box())
    assert on_screen.boxes, "no evidence box was drawn"
    assert any(overlaps(box, on_screen.expected) for box in on_screen.boxes), on_screen
    left, top, right, bottom = on_screen.image
    for x0, y0, x1, y1 in on_screen.boxes:  # every box lies within the displayed image
        assert left - 2 <= x0 and x1 <= right + 2 and top - 2 <= y0 and y1 <= bottom + 2

    # the follow-up keeps the session (no new upload) and brings knowledge-base sources
    page.fill("#question", "支付失败了，怎么办？")
    page.click("#send")
    page.wait_for_function("document.querySelectorAll('.message.assistant.done').length === 2", timeout=60_000)
    second = page.locator(".message.assistant.done").nth(1)
    assert second.locator(".answer-text").inner_text().strip()
    assert second.locator(".source-list li").count() >= 1
    assert second.locator(".sources").is_visible()

    # thumbs up: the page thanks the customer whether or not the server records it
    page.locator(".message.assistant.done").first.locator(".thumb[data-rating='up']").click()
    note = page.locator(".message.assistant.done").first.locator(".feedback-note")
    note.wait_for()
    page.wait_for_function("document.querySelector('.feedback-note').textContent.length > 0")
    assert "感谢" in note.inner_text()

    # hovering the first answer's evidence chip brings its boxes back over the error code
    page.locator(".message.assistant.done").first.locator(".evidence-list li").first.hover()
    on_screen = drawn(page, code_box())
    assert any(overlaps(box, on_screen.expected) for box in on_screen.boxes), on_screen

    page.set_viewport_size({"width": 1280, "height": 1080})  # room for the whole conversation in the picture
    page.evaluate("document.getElementById('messages').scrollTop = 1e6")
    shot = tmp_path / "screenshot-web.png"
    page.screenshot(path=str(shot), animations="disabled")
    assert shot.stat().st_size > 10_000
    if os.environ.get("VISDESK_WRITE_SCREENSHOT") == "1":
        shutil.copyfile(shot, SCREENSHOT)


def test_errors_are_shown_politely(page) -> None:  # type: ignore[no-untyped-def]
    # refused in the browser: not an image type
    page.set_input_files("#file-input", files=[{"name": "manual.pdf", "mimeType": "application/pdf",
                                                 "buffer": b"%PDF-1.4 nothing"}])  # fmt: skip
    assert "不支持" in page.locator("#error").inner_text()
    # a non-image named .png passes the browser's check; the server judges the bytes and says no
    page.set_input_files("#file-input", files=[{"name": "fake.png", "mimeType": "image/png",
                                                 "buffer": b"this is plain text, not an image" * 4}])  # fmt: skip
    page.fill("#question", "这是什么？")
    page.press("#question", "Enter")
    page.wait_for_function("!document.getElementById('error').hidden", timeout=30_000)
    assert "不支持该文件类型" in page.locator("#error").inner_text()
    assert page.locator(".message.assistant").count() == 0
    # the English page says it in English
    page.click("#lang-toggle")
    assert page.locator("#send").inner_text() == "Send"


DROP_OR_PASTE = """([kind, name, type, bytes]) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type }));
    const event = kind === "paste"
        ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true })
        : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
    document.getElementById("drop-zone").dispatchEvent(event);
}"""


def test_paste_drop_and_a_heic_the_browser_cannot_preview(page) -> None:  # type: ignore[no-untyped-def]
    import io

    import pillow_heif

    from tests.support.render import png_bytes

    png = png_bytes(payment_error_dialog())
    page.evaluate(DROP_OR_PASTE, ["paste", "clipboard.png", "image/png", list(png)])
    page.wait_for_function("document.getElementById('preview-image').naturalWidth === 720")
    assert "clipboard.png" in page.locator("#file-name").inner_text()

    # a dropped file over 20 MB is refused in the browser, before any upload
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(21 * 1024 * 1024)], "huge.jpg", { type: "image/jpeg" }));
            const drop = new DragEvent("drop", { dataTransfer: data, bubbles: true });
            document.getElementById("drop-zone").dispatchEvent(drop);
        }"""
    )
    assert "20 MB" in page.locator("#error").inner_text()

    # HEIC: Chromium cannot show it, the server reads it
    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    payment_error_dialog().save(buffer, format="HEIF", quality=90)
    page.evaluate(DROP_OR_PASTE, ["drop", "photo.heic", "image/heic", list(buffer.getvalue())])
    page.wait_for_selector(".no-preview")
    page.fill("#question", "错误码是什么？")
    page.press("#question", "Enter")
    answer = page.wait_for_selector(".message.assistant.done", timeout=60_000)
    assert CODE in answer.query_selector(".answer-text").inner_text()
    assert page.locator(".evidence-box").count() == 0  # nothing to draw on: no preview


def test_a_failure_mid_stream_is_shown_politely(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The stream starts (200, a first delta), then the engine fails: the in-band error event reaches the page."""
    from tests.conftest import make_settings
    from tests.support.render import png_bytes
    from tests.support.server import serve
    from visdesk.app import create_app
    from visdesk.engines import register

    register("exploding-test", "tests.api.exploding_engine:create")  # a test engine: this tests the page only
    with serve(create_app(make_settings(tmp_path, engine="exploding-test"))) as base_url:
        context = browser.new_context(viewport={"width": 1024, "height": 700}, locale="zh-CN")
        page = context.new_page()
        page.goto(base_url + "/")
        page.evaluate(DROP_OR_PASTE, ["drop", "dialog.png", "image/png", list(png_bytes(payment_error_dialog()))])
        page.fill("#question", "错误码是什么？")
        page.press("#question", "Enter")
        page.wait_for_function("!document.getElementById('error').hidden", timeout=30_000)
        assert "暂时无法生成回答" in page.locator("#error").inner_text()
        assert page.locator(".message.assistant").count() == 0  # the half-written answer is withdrawn
        assert page.locator("#send").is_enabled()
        context.close()
