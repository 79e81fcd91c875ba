"""A webhook receiver for the crash test: the fake receiver (which verifies with the
independent standardwebhooks package and drops repeats by webhook-id) on a local port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from orderflow import clock
from orderflow.notify.service import new_secret
from tests.fakes.server import serve
from tests.fakes.webhook_receiver import FakeWebhookReceiver


@dataclass
class Receiver:
    url: str
    secret: str
    fake: FakeWebhookReceiver

    def now(self) -> datetime:
        return clock.utcnow()

    def distinct_ids(self) -> set[str]:
        return {d["id"] for d in self.fake.deliveries}

    def repeats(self) -> int:
        return len(self.fake.duplicates)

    @property
    def bad_signatures(self) -> int:
        return len(self.fake.rejections)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    secret = new_secret()
    fake = FakeWebhookReceiver(secret)
    with serve(fake) as url:
        yield Receiver(f"{url}/hooks", secret, fake)
