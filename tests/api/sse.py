"""Read server-sent events the way a browser does: `data:` lines, one JSON object each."""

from __future__ import annotations

import json
from typing import Any

import httpx


def sse_payloads(response: httpx.Response) -> list[dict[str, Any]]:
    """Every `data:` event of a streamed response, decoded, in order."""
    return [json.loads(line[5:].strip()) for line in response.iter_lines() if line.startswith("data:")]
