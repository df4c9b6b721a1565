"""Return attribution on the remote engine: the upstream model's constrained pick joins the photo's clues."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app


@pytest.fixture(scope="module")
def remote_desk(upstream_visdesk: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("returns-remote")
    settings = make_settings(
        tmp,
        engine=f"remote:{upstream_visdesk}",
        remote={"retries": 0, "read_timeout_s": 30.0, "send_grounding": False},
    )
    with serve(create_app(settings)) as url:
        yield url


def test_attribution_works_on_the_remote_engine(remote_desk: str) -> None:
    image = png_bytes(render_lines(["Software Update", "Installing update... 45%", "Do not turn off your phone"]))
    response = httpx.post(
        f"{remote_desk}/v1/returns/attribute",
        json={"text": "it is stuck on the update screen", "image": base64.b64encode(image).decode()},
        timeout=90,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reason"]["id"] == "user_operation", body
    assert any(e["source"] == "engine" for e in body["evidence"]), body["evidence"]  # the upstream was asked
