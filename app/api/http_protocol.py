"""The HTTP/1.1 protocol `withu serve` runs: uvicorn's httptools protocol with limits on what a client may hold
(reliability review, finding 7). uvicorn bounds neither the size nor the number of request headers, and closes no
connection that sends its request slowly; a reverse proxy may do so too, but the service does not rely on one.

- A request's head (request line and headers) larger than `http_max_header_bytes`, or with more than
  `http_max_headers` header lines, is answered 431 and the connection closed; at most one read's worth of bytes
  beyond the limit is ever held.
- A connection whose request head has not arrived within `http_header_timeout_seconds` of its first byte (or of the
  connection's opening) is closed; so is one whose body has not arrived within `http_body_timeout_seconds` of its
  head. Idle keep-alive connections are closed by uvicorn after `http_keep_alive_seconds` (`timeout_keep_alive`).

uvicorn loads this class by name (`http="app.api.http_protocol:BoundedHttpToolsProtocol"`) in each worker process;
the limits come from the settings of that process's environment."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import get_settings

PROTOCOL = "app.api.http_protocol:BoundedHttpToolsProtocol"


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_header_bytes = settings.http_max_header_bytes
        self.max_headers = settings.http_max_headers
        self.header_timeout = settings.http_header_timeout_seconds
        self.body_timeout = settings.http_body_timeout_seconds
        self._reading_head = True
        self._head_bytes = 0  # raw bytes received while the head is incomplete (all of them belong to the head)
        self._parsed_head = 0  # the head as parsed: its URL and header lines (a read may carry body bytes too)
        self._too_many = False
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._reading_head and self._head_bytes > self.max_header_bytes:
            self._refuse_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        if self._read_deadline is None:
            self._arm(self.header_timeout)

    def on_url(self, url: bytes) -> None:
        self._parsed_head += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed_head += len(name) + len(value) + 4  # "name: value\r\n"
        if len(self.headers) < self.max_headers:  # past the limit nothing more is kept; the head is refused below
            super().on_header(name, value)
        else:
            self._too_many = True

    def on_headers_complete(self) -> None:
        if self._too_many or self._parsed_head > self.max_header_bytes:
            self._refuse_head()
            return
        self._reading_head = False
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        # what comes next on this connection is the next head
        self._reading_head, self._head_bytes, self._parsed_head, self._too_many = True, 0, 0, False
        super().on_message_complete()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        """The request did not arrive in time: the connection is closed (a request in progress sees a disconnect)."""
        self._read_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _refuse_head(self) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        body = json.dumps(
            {
                "type": "/problems/header-too-large",
                "title": "The request's headers are too large or too many.",
                "status": 431,
                "code": "header-too-large",
                "detail": f"At most {self.max_header_bytes} bytes in at most {self.max_headers} header lines.",
            }
        ).encode()
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/problem+json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()
