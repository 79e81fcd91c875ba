"""Providers that go down and come back, for the outage tests and the outage benchmark:
an SMTP sink that really stops listening (connections refused) and starts again on the
same port, and a switch in front of any fake HTTP provider that answers 503 while down."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.fakes.server import Fake, Reply, Request, json_reply
from tests.support.server import free_port
from tests.support.smtp import Recorder


@dataclass
class StoppableSmtp:
    """A recording SMTP sink on a fixed port: `stop()` closes the port, `start()` opens it."""

    recorder: Recorder = field(default_factory=Recorder)
    port: int = field(default_factory=free_port)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self, milestone: str) -> list[str]:
        with self.recorder.lock:
            return [str(m["Message-ID"]) for m in self.recorder.messages
                    if m["X-OrderFlow-Milestone"] == milestone]


@dataclass
class Switch:
    """In front of a fake provider: while `down`, every request gets a 503 and is counted."""

    fake: Fake
    down: bool = False
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> Reply:
        with self.lock:
            if self.down:
                self.refused += 1
                return json_reply(503, {"Code": "ServiceUnavailable",
                                        "Message": "down for maintenance"})
        return self.fake.handle(request)
