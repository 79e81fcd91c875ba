from __future__ import annotations

import json
import random
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from orderflow.notify.channels import EndpointGone, Outgoing, PermanentFailure, TemporaryFailure
from orderflow.notify.webhooks.sender import (
    SPEC_SCHEDULE,
    WebhookAttempt,
    WebhookChannel,
    WebhookEndpointGone,
    WebhookPermanentFailure,
    WebhookSender,
    WebhookTemporaryFailure,
    is_public_address,
    next_delay,
    retry_delays,
)
from tests.fakes.server import serve
from tests.fakes.webhook_receiver import FakeWebhookReceiver
from tests.notify.conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_NEW
from tests.support.server import refused_url


def hook(url: str, message_id: str = "ntc_01HZX3WEBHOOK", **kw: object) -> Outgoing:
    base: dict[str, object] = {
        "message_id": message_id,
        "channel": "webhook",
        "recipient": url,
        "language": "en",
        "text": "",
        "payload": {"order_number": "10023", "carrier": "SF", "tracking_number": "SF1234567890"},
        "event_type": "order.shipped",
        "signing_secrets": (WEBHOOK_SECRET,),
    }
    base.update(kw)
    return Outgoing(**base)  # type: ignore[arg-type]


def local_sender(**kw: object) -> WebhookSender:
    return WebhookSender(allow_private=True, **kw)  # type: ignore[arg-type]


def test_delivery_is_verified_by_standardwebhooks(
    receiver: tuple[FakeWebhookReceiver, str],
) -> None:
    fake, url = receiver
    seen: list[WebhookAttempt] = []
    result = local_sender(on_attempt=seen.append).send(hook(url + "/hooks/orderflow"))
    assert result.detail == "HTTP 200"
    assert result.attempt is seen[0]
    assert (seen[0].outcome, seen[0].status, seen[0].address) == ("delivered", 200, "127.0.0.1")
    assert fake.rejections == []
    [delivery] = fake.deliveries
    assert delivery["id"] == "ntc_01HZX3WEBHOOK"
    payload = delivery["payload"]
    assert (payload["type"], payload["data"]) == (
        "order.shipped",
        {"order_number": "10023", "carrier": "SF", "tracking_number": "SF1234567890"},
    )
    assert payload["timestamp"].endswith("Z")
    h = delivery["headers"]
    assert h["content-type"] == "application/json"
    assert h["user-agent"] == "OrderFlow-Webhooks/0.1"
    assert h["webhook-signature"].startswith("v1,")
    assert fake.requests[0].path == "/hooks/orderflow"


def test_retry_keeps_the_id_and_the_receiver_drops_the_repeat(
    receiver: tuple[FakeWebhookReceiver, str],
) -> None:
    fake, url = receiver
    fake.answer_next(500)
    with pytest.raises(TemporaryFailure):
        local_sender().send(hook(url))
    local_sender().send(hook(url))
    local_sender().send(hook(url))  # e.g. a crash after sending, before recording
    ids = [r.headers["webhook-id"] for r in fake.requests]
    assert ids == ["ntc_01HZX3WEBHOOK"] * 3
    assert [d["id"] for d in fake.deliveries] == ["ntc_01HZX3WEBHOOK"]
    assert fake.duplicates == ["ntc_01HZX3WEBHOOK"]


def test_rotation_old_and_new_receivers_both_verify() -> None:
    for receiver_secret in (WEBHOOK_SECRET, WEBHOOK_SECRET_NEW):
        fake = FakeWebhookReceiver(receiver_secret)
        with serve(fake) as url:
            local_sender().send(hook(url, signing_secrets=(WEBHOOK_SECRET_NEW, WEBHOOK_SECRET)))
        assert len(fake.deliveries) == 1, receiver_secret
        assert len(fake.deliveries[0]["headers"]["webhook-signature"].split(" ")) == 2


def test_secrets_from_the_sender_when_the_message_has_none(
    receiver: tuple[FakeWebhookReceiver, str],
) -> None:
    fake, url = receiver
    WebhookSender(secrets=lambda endpoint: [WEBHOOK_SECRET], allow_private=True).send(
        hook(url, signing_secrets=())
    )
    assert len(fake.deliveries) == 1
    with pytest.raises(PermanentFailure) as caught:
        local_sender().send(hook(url, signing_secrets=()))
    assert caught.value.code == "webhook.no_secret"


def test_a_wrong_secret_is_rejected_by_the_receiver(
    receiver: tuple[FakeWebhookReceiver, str],
) -> None:
    fake, url = receiver
    with pytest.raises(TemporaryFailure) as caught:
        local_sender().send(hook(url, signing_secrets=(WEBHOOK_SECRET_NEW,)))
    assert fake.rejections == ["No matching signature found"]
    assert caught.value.code == "webhook.http_4xx"


def test_410_gone(receiver: tuple[FakeWebhookReceiver, str]) -> None:
    fake, url = receiver
    fake.answer_next(410, {"error": "unsubscribed"})
    with pytest.raises(EndpointGone) as caught:
        local_sender().send(hook(url))
    assert isinstance(caught.value, WebhookEndpointGone)
    assert caught.value.code == "webhook.gone"
    attempt = caught.value.attempt
    assert (attempt.outcome, attempt.status, attempt.response_body) == (
        "gone",
        410,
        '{"error": "unsubscribed"}',
    )


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_throttling_with_retry_after_seconds(
    receiver: tuple[FakeWebhookReceiver, str], status: int
) -> None:
    fake, url = receiver
    fake.answer_next(status, **{"Retry-After": "120"})
    with pytest.raises(TemporaryFailure) as caught:
        local_sender().send(hook(url))
    assert (caught.value.code, caught.value.retry_after) == ("webhook.throttled", 120.0)


def test_retry_after_as_http_date(receiver: tuple[FakeWebhookReceiver, str]) -> None:
    fake, url = receiver
    when = datetime.now(UTC) + timedelta(seconds=600)
    fake.answer_next(429, **{"Retry-After": format_datetime(when, usegmt=True)})
    with pytest.raises(TemporaryFailure) as caught:
        local_sender().send(hook(url))
    assert caught.value.retry_after is not None
    assert 590 <= caught.value.retry_after <= 600


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "webhook.http_5xx"),
        (404, "webhook.http_4xx"),
        (400, "webhook.http_4xx"),
        (401, "webhook.http_4xx"),
        (302, "webhook.redirect"),
    ],
)
def test_other_failures_are_retried(
    receiver: tuple[FakeWebhookReceiver, str], status: int, code: str
) -> None:
    fake, url = receiver
    fake.answer_next(
        status, **({"Location": "http://127.0.0.1:9/elsewhere"} if status == 302 else {})
    )
    with pytest.raises(TemporaryFailure) as caught:
        local_sender().send(hook(url))
    assert isinstance(caught.value, WebhookTemporaryFailure)
    assert (caught.value.code, caught.value.retry_after) == (code, None)
    assert caught.value.attempt.status == status
    assert len(fake.requests) == 1  # the redirect was not followed


def test_connection_refused_and_timeout_are_temporary() -> None:
    with refused_url() as url, pytest.raises(TemporaryFailure) as caught:
        local_sender().send(hook(url))
    assert caught.value.code == "webhook.connect"

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(TemporaryFailure) as caught:
        local_sender(transport=httpx.MockTransport(slow)).send(hook("http://127.0.0.1:1/"))
    assert caught.value.code == "webhook.timeout"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
def test_private_targets_are_refused(url: str) -> None:
    calls: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200)

    with pytest.raises(PermanentFailure) as caught:
        WebhookSender(transport=httpx.MockTransport(record)).send(hook(url))
    assert isinstance(caught.value, WebhookPermanentFailure)
    assert caught.value.code == "webhook.private_target"
    assert caught.value.attempt.outcome == "refused"
    assert calls == []


def resolver_of(answers: dict[str, list[str]], calls: list[str]) -> Callable[[str, int], list[str]]:
    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[host]

    return resolve


def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    calls: list[str] = []
    sender = WebhookSender(
        resolver=resolver_of({"hooks.example.com": ["93.184.216.34", "10.0.0.5"]}, calls)
    )
    with pytest.raises(PermanentFailure) as caught:
        sender.send(hook("https://hooks.example.com/in"))
    assert caught.value.reason == "hooks.example.com resolves to a non-public address (10.0.0.5)"


def test_the_connection_goes_to_the_address_resolved_once(
    receiver: tuple[FakeWebhookReceiver, str],
) -> None:
    """DNS rebinding: the name is resolved once and that address is used for the
    connection; nothing resolves it again between the check and the connect."""
    fake, url = receiver
    port = httpx.URL(url).port
    calls: list[str] = []
    sender = local_sender(resolver=resolver_of({"hooks.merchant.test": ["127.0.0.1"]}, calls))
    sender.send(hook(f"http://hooks.merchant.test:{port}/in"))  # not in any real DNS
    assert calls == ["hooks.merchant.test"]
    assert fake.requests[0].headers["host"] == f"hooks.merchant.test:{port}"
    assert len(fake.deliveries) == 1


def test_https_pins_the_address_and_keeps_sni_and_host() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = WebhookSender(
        resolver=resolver_of({"hooks.example.com": ["93.184.216.34"]}, []),
        transport=httpx.MockTransport(record),
    )
    result = sender.send(hook("https://hooks.example.com/in?x=1"))
    assert result.detail == "HTTP 204"
    [request] = seen
    assert str(request.url) == "https://93.184.216.34/in?x=1"
    assert request.headers["host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


def test_bad_urls() -> None:
    for url, code in [
        ("ftp://example.com/x", "webhook.bad_url"),
        ("https://user:pw@example.com/x", "webhook.bad_url"),
        ("not a url", "webhook.bad_url"),
    ]:
        with pytest.raises(PermanentFailure) as caught:
            WebhookSender().send(hook(url))
        assert caught.value.code == code, url


def test_dns_failure_is_temporary() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(TemporaryFailure) as caught:
        WebhookSender(resolver=fail).send(hook("https://hooks.example.com/in"))
    assert caught.value.code == "webhook.dns"


def test_an_envelope_payload_is_sent_unchanged(receiver: tuple[FakeWebhookReceiver, str]) -> None:
    fake, url = receiver
    envelope = {"type": "order.paid", "timestamp": "2026-01-02T03:04:05Z", "data": {"n": 1}}
    local_sender().send(hook(url, payload=envelope))
    assert json.loads(fake.requests[0].body) == envelope
    assert (
        fake.requests[0].body
        == b'{"type":"order.paid","timestamp":"2026-01-02T03:04:05Z","data":{"n":1}}'
    )


def test_channel_name_and_alias() -> None:
    assert WebhookChannel is WebhookSender
    assert WebhookChannel(allow_private=True).name == "webhook"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("224.0.0.1", False),
        ("239.1.1.1", False),
        ("64:ff9b::a00:1", False),
        ("2002:a00:1::", False),
        ("::ffff:10.0.0.1", False),
        ("255.255.255.255", False),
    ],
)
def test_public_address_check(address: str, public: bool) -> None:
    assert is_public_address(address) is public


class FixedRng(random.Random):
    def __init__(self, value: float):
        super().__init__(0)
        self.value = value

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.value


def test_retry_schedule_is_the_specs() -> None:
    assert retry_delays() == (
        0.0,
        5.0,
        300.0,
        1800.0,
        7200.0,
        18000.0,
        36000.0,
        50400.0,
        72000.0,
        86400.0,
    )
    assert SPEC_SCHEDULE[-1] == 24 * 3600


def test_next_delay_with_jitter() -> None:
    low, mid, high = FixedRng(0.0), FixedRng(0.5), FixedRng(1.0)
    assert next_delay(0, mid) == 0.0  # first attempt: immediately
    assert next_delay(1, mid) == 5.0
    assert next_delay(1, low) == 4.0  # ±20 %
    assert next_delay(1, high) == 6.0
    assert next_delay(2, mid) == 300.0
    assert next_delay(9, mid) == 86400.0
    assert next_delay(10, mid) is None  # exhausted: dead-letter
    assert next_delay(1, mid, retry_after=120.0) == 120.0  # Retry-After is a floor
    assert next_delay(3, mid, retry_after=120.0) == 1800.0
    delays = [next_delay(2, random.Random(seed)) for seed in range(50)]
    assert all(d is not None and 240.0 <= d <= 360.0 for d in delays)
    assert len(set(delays)) == 50
    with pytest.raises(ValueError, match="from 0"):
        next_delay(-1, mid)
