"""Fixtures of the edge tests: the real app under uvicorn as `visdesk serve` runs it (header deadline
included), with short client timeouts so the slow-client tests take seconds, not minutes."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.support.render import png_bytes, render_lines
from tests.support.server import serve
from visdesk.app import create_app
from visdesk.http_server import uvicorn_options
from visdesk.settings import Settings

HEADER_TIMEOUT_S = 1.5
BODY_TIMEOUT_S = 2.0
ORDER_PNG = png_bytes(render_lines(["订单号: R8T4W2", "金额: 256.00", "状态: 已支付"], width=480))
ORDER_B64 = base64.b64encode(ORDER_PNG).decode()


def edge_settings(tmp: Path) -> Settings:
    return make_settings(
        tmp,
        knowledge={"use_demo": False, "index_path": tmp / "kb.sqlite3"},
        limits={"header_timeout_s": HEADER_TIMEOUT_S, "body_timeout_s": BODY_TIMEOUT_S},
        load={"request_timeout_s": 120.0},  # the shared CI box can be slow; deadlines are not what these test
    )


@pytest.fixture(scope="session")
def edge_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = edge_settings(tmp_path_factory.mktemp("edge"))
    with serve(create_app(settings), **uvicorn_options(settings)) as base_url:
        yield base_url
