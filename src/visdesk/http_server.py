"""uvicorn as visdesk runs it: a deadline for request headers on top of uvicorn's own options.

Why a protocol subclass: uvicorn has `timeout_keep_alive` (idle time between requests, reset by
every byte received) but no limit on how long a client may take to send a request's head, so a
client trickling one header byte at a time (slowloris) held a connection for ever. ASGI middleware
cannot see such a client: the app is only called once the headers are complete. The body's
deadline is the app's (`visdesk.api.receive_guard`), where a JSON error can still be sent.

The deadline runs from the moment the connection opens, and on a keep-alive connection from the
first byte of each later request: a complete request head must arrive within
`limits.header_timeout_s`, else the server answers 408 with a JSON body and closes the connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from visdesk.settings import Settings

if TYPE_CHECKING:  # the mixin is typed against the protocol it is mixed into; at run time its base is object
    from uvicorn.protocols.http.h11_impl import H11Protocol as _ProtocolBase
else:
    _ProtocolBase = object

log = logging.getLogger("visdesk.server")


def _timeout_response(timeout_s: float) -> bytes:
    body = json.dumps(
        {
            "error": {
                "code": "request_timeout",
                "message": f"The request headers did not arrive within {timeout_s:g} s; the connection is closed.",
                "details": {"header_timeout_s": timeout_s},
            }
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class HeaderDeadline(_ProtocolBase):
    """Mixin for uvicorn's HTTP protocols (httptools or h11): 408 when a request head is too slow.

    Both protocols create a new `cycle` when a request's headers are complete, so "no new cycle since
    the timer was armed" means "the head has not arrived". The timer is armed when a connection opens
    and when the first byte of a later request arrives; an idle keep-alive connection stays uvicorn's
    business (`timeout_keep_alive` closes it silently), so a pooled client never reads a 408 it did not
    ask for. A connection that sent nothing at all is closed silently too.
    """

    header_timeout_s: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _armed_cycle: Any = None
    _head_started = False

    # asyncio declares BaseTransport; uvicorn narrows it to Transport with the same ignore.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline(started=False)

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self._awaiting_head():
            self._arm_header_deadline(started=True)
        else:
            self._head_started = True
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _awaiting_head(self) -> bool:
        cycle = self.cycle
        return cycle is None or bool(cycle.response_complete)

    def _arm_header_deadline(self, *, started: bool) -> None:
        self._disarm_header_deadline()
        self._armed_cycle = self.cycle
        self._head_started = started
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_deadline_passed)

    def _disarm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_deadline_passed(self) -> None:
        self._header_timer = None
        transport: asyncio.Transport = self.transport
        if self.cycle is not self._armed_cycle or transport.is_closing():
            return  # a request head arrived in time: it is being served
        if self._head_started:
            log.warning(
                "request headers too slow; connection closed", extra={"fields": {"timeout_s": self.header_timeout_s}}
            )
            transport.write(_timeout_response(self.header_timeout_s))
        transport.close()


def protocol_class(header_timeout_s: float) -> type[asyncio.Protocol]:
    """uvicorn's fastest available HTTP protocol (httptools, else h11) with the header deadline."""
    base: type[asyncio.Protocol]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:  # httptools is optional in uvicorn; h11 always ships
        from uvicorn.protocols.http.h11_impl import H11Protocol as base
    return type(f"HeaderDeadline{base.__name__}", (HeaderDeadline, base), {"header_timeout_s": header_timeout_s})


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for uvicorn.run / uvicorn.Config that carry visdesk's client limits."""
    return {"http": protocol_class(settings.limits.header_timeout_s)}
