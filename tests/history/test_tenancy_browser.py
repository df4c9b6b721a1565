"""The page's anonymous cookie in real headless Chromium: set HttpOnly at page load, carried by the
page's own fetches (follow-up and feedback succeed), and another browser cannot read the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.engines import register
from visdesk.history.store import sessions_t

pytestmark = pytest.mark.browser
register("history-echo", "tests.history.echo_engine:create")



def test_page_cookie_owns_its_session(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image = tmp_path / "order.png"
    image.write_bytes(png_bytes(render_lines(["Order 20241108", "Total 42.50"], width=420)))
    app = create_app(make_settings(tmp_path, engine="history-echo", cache={"url": "none"}))
    with serve(app) as url:
        mine = browser.new_context()
        page = mine.new_page()
        page.goto(url + "/")
        cookies = {c["name"]: c for c in mine.cookies()}
        assert cookies["visdesk_sid"]["httpOnly"] and cookies["visdesk_sid"]["sameSite"] == "Lax"
        assert page.evaluate("document.cookie").find("visdesk_sid") < 0  # not readable by scripts

        page.set_input_files("#file-input", str(image))
        page.fill("#question", "What is the order number?")
        page.press("#question", "Enter")
        page.wait_for_selector(".message.assistant.done", timeout=60_000)
        page.fill("#question", "And the total?")
        page.click("#send")
        page.wait_for_function("document.querySelectorAll('.message.assistant.done').length === 2", timeout=60_000)
        assert "turns=1" in page.locator(".message.assistant.done").nth(1).inner_text()  # the follow-up kept it
        with page.expect_response(lambda r: r.url.endswith("/feedback")) as rated:
            page.locator(".message.assistant.done").first.locator(".thumb[data-rating='up']").click()
        assert rated.value.status == 201

        with app.state.services.history.engine.connect() as connection:
            session_id, owner = connection.execute(select(sessions_t.c.id, sessions_t.c.owner)).one()
        assert owner == "cookie:" + cookies["visdesk_sid"]["value"]
        fetch = "id => fetch('sessions/' + id).then(r => r.status)"
        assert page.evaluate(fetch, session_id) == 200
        other = browser.new_context()
        stranger = other.new_page()
        stranger.goto(url + "/")
        assert stranger.evaluate(fetch, session_id) == 404
        other.close()
        mine.close()
