"""A tiny HTTP server on 127.0.0.1 (free port) in a thread, for fake providers.

A fake is a class with ``handle(request) -> Reply``; ``serve(fake)`` runs it and yields
the base URL. stdlib only, so the fakes check what they check without our own code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.raw_query, keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON, bytes/str as is
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, body: Any, **headers: str) -> Reply:
    return Reply(status, body, {"Content-Type": "application/json", **headers})


class Fake(Protocol):
    def handle(self, request: Request) -> Reply: ...


def _handler(fake: Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                parts.path,
                parts.query,
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            reply = fake.handle(request)
            if isinstance(reply.body, dict | list):
                data = json.dumps(reply.body, ensure_ascii=False).encode()
            elif isinstance(reply.body, str):
                data = reply.body.encode()
            else:
                data = reply.body or b""
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(fake: Fake) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
