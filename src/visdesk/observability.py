"""Structured logs: one JSON log line per request; no PII, no image bytes.

The Prometheus metrics live in `metrics.py` (and the HTTP middleware that feeds them in
`api/security.py`); this module holds logging set-up and the per-request log line, which the
pipeline writes in its `finally`. The request line carries only ids, keyed digests, timings and
codes; as defence in depth a logging filter masks phone, card, ID and e-mail numbers in every record.

Why a keyed digest of the question (HMAC-SHA256) and not a plain hash: a question that is only a
phone or ID number has few enough possible values that its unsalted SHA-256 is reversed by trying
them all. Keyed with observability.log_digest_secret (or a random per-process key when unset) the
digest still lets an operator see the same question repeated, but not recover it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sys
import time
from typing import Any, TextIO

from pydantic import SecretStr

from visdesk.safety.pii import mask_pii

request_log = logging.getLogger("visdesk.request")
_CORE_KEYS = frozenset({"ts", "level", "logger", "msg", "exc"})


class PiiFilter(logging.Filter):
    """Mask PII in a record's message and structured fields before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {k: mask_pii(v) if isinstance(v, str) else v for k, v in fields.items()}
        return True


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object; `extra={"fields": {...}}` adds structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                payload[f"field_{key}" if key in _CORE_KEYS else key] = value  # never overwrite ts/level/logger/msg
        if record.exc_info:
            payload["exc"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)


class _OwnHandler(logging.StreamHandler[TextIO]):
    """The handler configure_logging installs, marked so that a second call replaces it."""

    _visdesk = True


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Idempotent root logging set-up for the service and the CLI."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_visdesk", False):
            root.removeHandler(handler)
    handler = _OwnHandler(sys.stderr)
    handler.addFilter(PiiFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())


def log_request(fields: dict[str, Any]) -> None:
    """The one log line per request. Callers pass only ids, hashes, timings and codes."""
    request_log.info("request", extra={"fields": fields})


class LogDigest:
    """HMAC-SHA256 of a text, shortened to 16 hex characters, for log lines (see the module docstring)."""

    def __init__(self, secret: SecretStr | None = None) -> None:
        key = secret.get_secret_value().encode("utf-8") if secret is not None else secrets.token_bytes(32)
        self._base = hmac.new(key, digestmod=hashlib.sha256)  # copied per use: the key schedule is done once

    def __call__(self, text: str) -> str:
        mac = self._base.copy()
        mac.update(text.encode("utf-8", "surrogatepass"))
        return mac.hexdigest()[:16]
