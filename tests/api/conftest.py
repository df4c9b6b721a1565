"""Fixtures of the HTTP tests: the rendered dialog as PNG bytes."""

from __future__ import annotations

import pytest

from tests.api.dialog import payment_error_dialog
from tests.support.render import png_bytes


@pytest.fixture(scope="session")
def dialog_png() -> bytes:
    return png_bytes(payment_error_dialog())
