"""Headless Debian Chromium (/usr/bin/chromium) driven by Playwright: never a downloaded browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched browser, closed on exit; the test is skipped where Chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_settled_boxes(page: Any) -> None:
    """Wait until every evidence box has finished its pop-in animation (it is drawn scaled for 0.25 s),
    so that its bounding box is where it stays."""
    page.wait_for_function(
        "[...document.querySelectorAll('.evidence-box')].every(b => b.getAnimations().length === 0)"
    )
