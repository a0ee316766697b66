"""Real receivers on 127.0.0.1 for what the toolkit sends customers: an SMTP relay (aiosmtpd) and HTTP servers.

Shared by the monitor's emergency tests and the stop-service notice tests; kept out of the
test modules so neither imports the other.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from typing import Any

from tests.conftest import free_port


class _Status(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class Gateway(http.server.BaseHTTPRequestHandler):
    """An SMS/IM gateway: keeps each JSON body POSTed (server.received) and answers server.status."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def http_server(status: int = 200, handler: type[http.server.BaseHTTPRequestHandler] = _Status) -> Iterator[Any]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.status = status  # type: ignore[attr-defined]
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[Any]:
    """A relay that accepts everything; `inbox.messages` holds (recipients, message). `port`: a given port."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(1))
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()
