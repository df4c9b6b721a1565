"""The page in headless Chromium draws a GLM model's own box: app (remote engine) → GLM-style upstream."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engines.remote.conftest import remote_settings
from tests.engines.remote.fake_upstream import FakeUpstream
from tests.engines.remote.test_remote_glm_app import LINE, _glm_box
from tests.support.browser import wait_for_settled_boxes
from tests.support.render import render_lines, text_box
from tests.support.server import serve
from visdesk.app import create_app

pytestmark = pytest.mark.browser




def test_the_models_box_is_drawn_over_the_line_it_points_at(  # type: ignore[no-untyped-def]
    browser, fake_upstream: tuple[str, FakeUpstream], tmp_path: Path
) -> None:
    image = render_lines([LINE, "Status: shipped"], width=1400)
    line = text_box((40, 40), LINE, 26)
    upstream, _ = fake_upstream
    model = "glm-box:" + ",".join(map(str, _glm_box(line, image.size)))
    settings = remote_settings(tmp_path, model=model, retries=0).model_copy(update={"engine": f"remote:{upstream}"})
    path = tmp_path / "order.png"
    image.save(path)
    with serve(create_app(settings)) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        page = context.new_page()
        page.goto(url + "/")
        page.set_input_files("#file-input", str(path))
        page.wait_for_function("document.getElementById('preview-image').naturalWidth > 0")
        page.fill("#question", "What is my order number?")
        page.press("#question", "Enter")
        answer = page.wait_for_selector(".message.assistant.done", timeout=90_000)
        text = answer.query_selector(".answer-text").inner_text()
        wait_for_settled_boxes(page)
        shown = page.locator("#preview-image").bounding_box()
        boxes = [e.bounding_box() for e in page.locator(".evidence-box").all()]
        context.close()
    assert text.strip() == "The order number is printed here. It has shipped."  # no markup on the page
    assert boxes, "no evidence box was drawn"
    scale = shown["width"] / image.width
    expected_x0, expected_y0 = shown["x"] + (line[0] - 4) * scale, shown["y"] + (line[1] - 4) * scale
    expected_x1 = shown["x"] + (line[2] + 4) * scale
    box = boxes[0]
    assert abs(box["x"] - expected_x0) < 3 and abs(box["y"] - expected_y0) < 3
    assert abs(box["x"] + box["width"] - expected_x1) < 3
