"""A real SMTP server for tests (aiosmtpd) that records messages and can refuse:
recipients containing `+tempfail` get 451, `+reject` get 550."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from tests.support.server import BoundController, listening_socket, port_of


@dataclass
class Recorder:
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:
        if "+tempfail" in address:
            return "451 4.3.0 mailbox busy, try later"
        if "+reject" in address:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(m["Subject"]) for m in self.messages]


@contextmanager
def smtp_server() -> Iterator[tuple[int, Recorder]]:
    recorder = Recorder()
    sock = listening_socket()
    controller = BoundController(recorder, sock)
    controller.start()
    try:
        yield port_of(sock), recorder
    finally:
        controller.stop()
        sock.close()
