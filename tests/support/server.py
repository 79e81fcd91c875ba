"""A real uvicorn server on a localhost port, in a background thread; and sockets bound once.

Ports are never picked, released and bound again (another process, or another xdist worker,
may take the port in between): a socket is bound to port 0 and listening before anything
learns its number, and the server is handed that socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI


def listening_socket(host: str = "127.0.0.1") -> socket.socket:
    """A TCP socket bound to a free port and listening; give it to the server as it is."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    return sock


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def free_port(host: str = "127.0.0.1") -> int:
    """A port number for a server that must bind it itself: a separate `orderflow serve`
    process, or a sink stopped and started again on the same port in an outage test. The
    number is picked from the kernel's ephemeral range, away from the ports other xdist
    workers hold bound; prefer `listening_socket` whenever the server can take a socket."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return port_of(sock)


@contextmanager
def refused_url(path: str = "/") -> Iterator[str]:
    """A URL whose connections are refused, known rather than assumed (ports 1 and 9 may
    be open somewhere): a port this test holds bound but not listening, so the kernel
    refuses connections and nobody else can bind it until the block ends."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{port_of(sock)}{path}"


@contextmanager
def running(app: FastAPI, **options: Any) -> Iterator[str]:
    sock = listening_socket()
    config = uvicorn.Config(app, log_level="warning", limit_concurrency=500, backlog=512,
                            **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port_of(sock)}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class BoundController(Controller):
    """aiosmtpd's threaded SMTP controller on a socket we bound (see `listening_socket`)."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)
