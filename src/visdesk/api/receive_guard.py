"""The request body as it arrives: a time limit, and strict UTF-8 for multipart text fields.

Why a pure ASGI wrapper around `receive`: both checks need the raw bytes while they stream in.
Starlette decodes a multipart field that is not UTF-8 as Latin-1 instead of failing, so invalid
UTF-8 in `text` used to be answered (and echoed) as mojibake; after decoding, the original bytes
cannot be told apart from real Latin-1 text. And a client trickling its body one byte at a time held
a worker's request open for as long as it liked. Header timeouts are the HTTP protocol's business
(`visdesk.http_server`): this app only runs once the headers are complete.

Errors are raised from `receive()`, where the body parser awaits it; `EdgeError` is an AppError (our
JSON body and code) and a Starlette HTTPException (so FastAPI's body parsing re-raises it as is).
"""

from __future__ import annotations

import asyncio
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visdesk.errors import AppError, ErrorCode

_TEXT_PART_CAP = 1024 * 1024  # a text field larger than this is the form parser's to refuse, not ours to buffer


class EdgeError(AppError, HTTPException):  # type: ignore[misc]  # both define `headers` (same dict)
    """An AppError that also passes through FastAPI's body parsing untouched."""

    def __init__(self, code: ErrorCode, message: str, *, details: dict[str, Any] | None = None) -> None:
        headers = {"Connection": "close"} if code is ErrorCode.REQUEST_TIMEOUT else None
        AppError.__init__(self, code, message, details=details, headers=headers)
        HTTPException.__init__(self, status_code=self.status, detail=message, headers=headers)


class ReceiveGuard:
    """ASGI middleware: body deadline (408 request_timeout) and multipart UTF-8 (400 invalid_text)."""

    def __init__(self, app: ASGIApp, body_timeout_s: float) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, _GuardedBody(receive, self.body_timeout_s, _form_checker(scope)), send)


class _GuardedBody:
    """The `receive` callable the app sees while the body streams in; a pass-through afterwards.

    One timer per request, armed at the first read, rather than an `asyncio.timeout_at` around each
    read: a 1 MB body arrives in many reads, and that context manager cost more than the read on a
    cache hit. The timer cancels the task only while it waits in a read, and that cancellation (not
    someone else's, as `asyncio.Timeout` tells them apart) becomes the 408."""

    def __init__(self, receive: Receive, timeout_s: float, form: _FormText | None) -> None:
        self._receive = receive
        self._loop = asyncio.get_running_loop()
        self._deadline = self._loop.time() + timeout_s
        self._timeout_s = timeout_s
        self._form = form
        self._done = False
        self._timer: asyncio.TimerHandle | None = None
        self._reading: asyncio.Task[Any] | None = None  # the task waiting in a read, while it waits
        self._expired = False

    async def __call__(self) -> Message:
        if self._done:
            return await self._receive()
        if self._expired:  # the deadline passed between reads
            raise self._timeout_error()
        task = asyncio.current_task()
        assert task is not None
        if self._timer is None:
            self._timer = self._loop.call_at(self._deadline, self._expire)
        cancelling = task.cancelling()
        self._reading = task
        try:
            message = await self._receive()
        except asyncio.CancelledError:
            if self._expired and task.uncancel() <= cancelling:
                raise self._timeout_error() from None
            raise
        finally:
            self._reading = None
        if message["type"] != "http.request":
            self._finish()
            return message
        if self._form is not None:
            self._form.feed(message.get("body", b""))
        if not message.get("more_body", False):
            self._finish()
            if self._form is not None:
                self._form.finish()
        return message

    def _expire(self) -> None:
        self._expired = True
        if self._reading is not None:
            self._reading.cancel()

    def _finish(self) -> None:
        self._done = True
        if self._timer is not None:
            self._timer.cancel()

    def _timeout_error(self) -> EdgeError:
        return EdgeError(
            ErrorCode.REQUEST_TIMEOUT,
            f"The request body did not arrive within {self._timeout_s:g} s; the connection is closed. "
            "Send the whole request again.",
            details={"body_timeout_s": self._timeout_s},
        )


def _form_checker(scope: Scope) -> _FormText | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            content_type, params = parse_options_header(value)
            if content_type == b"multipart/form-data" and params.get(b"boundary"):
                return _FormText(params[b"boundary"])
    return None


class _FormText:
    """Watches a multipart body for non-file fields whose bytes are not valid UTF-8."""

    def __init__(self, boundary: bytes) -> None:
        self._header_field = b""
        self._header_value = b""
        self._name = ""
        self._is_file = False
        self._data = bytearray()
        self._invalid: list[str] = []
        callbacks: Any = {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
        }
        self._parser: MultipartParser | None = MultipartParser(boundary, callbacks)

    def feed(self, chunk: bytes) -> None:
        if self._parser is None or not chunk:
            return
        try:
            self._parser.write(chunk)
        except Exception:  # a malformed body is the form parser's to report (400), not ours
            self._parser = None

    def finish(self) -> None:
        if self._invalid:
            field = self._invalid[0]
            raise EdgeError(
                ErrorCode.INVALID_TEXT,
                f"The form field {field!r} is not valid UTF-8 text. Send the form with UTF-8 text fields.",
                details={"field": field},
            )

    def _part_begin(self) -> None:
        self._name, self._is_file, self._data = "", False, bytearray()

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.lower() == b"content-disposition":
            _, options = parse_options_header(self._header_value)
            self._name = options.get(b"name", b"").decode("latin-1")
            self._is_file = b"filename" in options
        self._header_field, self._header_value = b"", b""

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._is_file and len(self._data) < _TEXT_PART_CAP:
            self._data += data[start:end]

    def _part_end(self) -> None:
        if self._is_file or len(self._data) >= _TEXT_PART_CAP:  # a capped field may end mid-character
            return
        try:
            bytes(self._data).decode("utf-8")
        except UnicodeDecodeError:
            self._invalid.append(self._name or "?")
