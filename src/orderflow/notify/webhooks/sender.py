"""Channel "webhook": POST a signed Standard Webhooks delivery to a merchant's endpoint.

What a delivery looks like (spec 1.0.0, https://github.com/standard-webhooks/standard-webhooks,
spec/standard-webhooks.md):

* body: JSON ``{"type": <event type>, "timestamp": <ISO 8601>, "data": {...}}``, compact;
* headers: ``webhook-id`` (= ``Outgoing.message_id``, identical on every retry, so the
  receiver can drop repeats), ``webhook-timestamp`` (this attempt, unix seconds),
  ``webhook-signature`` (``v1,…`` per secret, space-separated during a rotation),
  ``content-type: application/json``, ``user-agent``.

How an answer is read ("Delivery success and failure"):

* 2xx: delivered.
* 410 Gone: the receiver wants no more -> ``EndpointGone`` (disable, tell staff).
* 429, 502, 503, 504: throttle -> ``TemporaryFailure`` with ``retry_after`` from
  ``Retry-After`` (seconds or HTTP date) when present.
* every other status, 3xx included (redirects are not followed), and timeouts /
  connection errors: a failed attempt -> ``TemporaryFailure``, retried on the schedule.
  Decision: other 4xx are NOT permanent. The spec treats "the rest of the status codes"
  as failures to retry and reserves disabling for 410; a 401/404 from a receiver that is
  being redeployed or rotating its secret usually heals within the ~3 days the schedule
  spans, and the dispatcher's dead-letter list catches the rest.

SSRF ("Server side request forgery (SSRF)" in the spec): the host is resolved once, every
address it resolves to must be public (not private, loopback, link-local, CGNAT, multicast,
reserved, unspecified; IPv4-mapped / NAT64 / 6to4 / Teredo forms are unwrapped), and the
request is sent to that resolved address (Host header and TLS SNI / certificate check keep
the original name). A second DNS answer can therefore not redirect the connection
(DNS rebinding). Proxies from the environment are ignored for the same reason.
``allow_private=True`` (test mode) skips the address check, not the pinning.

Every attempt is recorded as a ``WebhookAttempt`` for the webhook console: it is on the
result (``WebhookResult.attempt``), on the raised failure (``.attempt`` of
``WebhookTemporaryFailure`` / ``WebhookEndpointGone`` / ``WebhookPermanentFailure``,
subclasses of the channel failures), and passed to ``on_attempt`` if one is given.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import httpx

from orderflow.notify.channels import (
    EndpointGone,
    Outgoing,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from orderflow.notify.sms._http import parse_retry_after
from orderflow.notify.webhooks.signing import signature_header

log = logging.getLogger("orderflow.notify.webhooks")

USER_AGENT = "OrderFlow-Webhooks/0.1"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)  # the spec recommends 15-30 s
KEEP_BODY = 4096  # bytes of the receiver's answer kept for the console

# "Example retry schedule" of the spec: delay before attempt 1, 2, 3, ... (seconds).
SPEC_SCHEDULE: tuple[float, ...] = (
    0,
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
)
THROTTLE_STATUSES = frozenset({429, 502, 503, 504})


def retry_delays(schedule: Sequence[float] = SPEC_SCHEDULE) -> tuple[float, ...]:
    """Delay before each attempt, without jitter (first attempt immediate)."""
    return tuple(float(d) for d in schedule)


def next_delay(
    attempt: int,
    rng: random.Random,
    *,
    schedule: Sequence[float] = SPEC_SCHEDULE,
    jitter: float = 0.2,
    retry_after: float | None = None,
) -> float | None:
    """Seconds to wait before the next attempt after ``attempt`` attempts have failed.

    ``attempt`` counts failed attempts (1 after the first failure). Returns None when the
    schedule is exhausted: give up (dead-letter). The scheduled delay is spread by
    ±``jitter`` (fraction) so endpoints that failed together do not retry together; a
    receiver's ``Retry-After`` is honoured as a lower bound.
    """
    if attempt < 0:
        raise ValueError("attempt counts failed attempts, from 0")
    if attempt >= len(schedule):
        return None
    base = float(schedule[attempt])
    delay = base * rng.uniform(1 - jitter, 1 + jitter) if base else 0.0
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


Outcome = Literal["delivered", "retry", "gone", "refused"]


@dataclass
class WebhookAttempt:
    """One delivery attempt, as the webhook console shows it."""

    message_id: str
    url: str
    at: datetime
    request_headers: dict[str, str]
    request_body: str
    address: str | None = None  # the IP actually connected to
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""  # first KEEP_BODY bytes
    duration_ms: int = 0
    error: str | None = None
    outcome: Outcome = "retry"
    retry_after: float | None = None


@dataclass(frozen=True)
class WebhookResult(SendResult):
    attempt: WebhookAttempt | None = None


class WebhookTemporaryFailure(TemporaryFailure):
    def __init__(
        self, reason: str, *, code: str, attempt: WebhookAttempt, retry_after: float | None = None
    ):
        super().__init__(reason, code=code, retry_after=retry_after)
        self.attempt = attempt


class WebhookPermanentFailure(PermanentFailure):
    def __init__(self, reason: str, *, code: str, attempt: WebhookAttempt):
        super().__init__(reason, code=code)
        self.attempt = attempt


class WebhookEndpointGone(EndpointGone):
    def __init__(self, reason: str, *, code: str, attempt: WebhookAttempt):
        super().__init__(reason, code=code)
        self.attempt = attempt


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    embedded: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            embedded.append(ip.ipv4_mapped)
        if ip.sixtofour:
            embedded.append(ip.sixtofour)
        if ip.teredo:
            embedded.extend(ip.teredo)
        if ip in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return all(a.is_global and not a.is_multicast for a in embedded)


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def envelope(message: Outgoing, now: datetime) -> dict[str, Any]:
    """The Standard Webhooks payload. A payload that already is an envelope (type,
    timestamp, data) is sent unchanged, which keeps the event time stable across retries."""
    payload = message.payload
    if {"type", "timestamp", "data"} <= payload.keys():
        return dict(payload)
    return {
        "type": message.event_type or payload.get("type") or "",
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": payload,
    }


@dataclass
class WebhookSender:
    """Channel "webhook". Signing secrets come from ``Outgoing.signing_secrets`` (the
    endpoint's live secrets, newest first, as the dispatcher loads them); ``secrets`` is a
    fallback for callers without that: a list, or a function of the endpoint URL.
    Two secrets during a rotation: both sign, space-separated."""

    secrets: Sequence[str] | Callable[[str], Sequence[str]] = ()
    allow_private: bool = False
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    user_agent: str = USER_AGENT
    resolver: Callable[[str, int], list[str]] = system_resolver
    clock: Callable[[], float] = time.time
    transport: httpx.BaseTransport | None = None
    on_attempt: Callable[[WebhookAttempt], None] | None = None
    name: str = "webhook"

    def _secrets_for(self, message: Outgoing) -> list[str]:
        if message.signing_secrets:
            return list(message.signing_secrets)
        found = self.secrets(message.recipient) if callable(self.secrets) else self.secrets
        return list(found)

    def send(self, message: Outgoing) -> WebhookResult:
        now = self.clock()
        body = json.dumps(
            envelope(message, datetime.fromtimestamp(now, UTC)),
            ensure_ascii=False,
            separators=(",", ":"),
            default=_json_default,
        ).encode("utf-8")
        stamp = int(now)
        headers = {
            "webhook-id": message.message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": "",
            "content-type": "application/json",
            "user-agent": self.user_agent,
        }
        attempt = WebhookAttempt(
            message_id=message.message_id,
            url=message.recipient,
            at=datetime.fromtimestamp(now, UTC),
            request_headers=headers,
            request_body=body.decode("utf-8"),
        )
        try:
            return self._deliver(message, body, headers, stamp, attempt)
        finally:
            if self.on_attempt is not None:
                self.on_attempt(attempt)

    def _refuse(self, attempt: WebhookAttempt, reason: str, code: str) -> WebhookPermanentFailure:
        attempt.outcome, attempt.error = "refused", reason
        log.warning("webhook %s refused: %s", attempt.message_id, reason)
        return WebhookPermanentFailure(reason, code=code, attempt=attempt)

    def _retry(
        self, attempt: WebhookAttempt, reason: str, code: str, retry_after: float | None = None
    ) -> WebhookTemporaryFailure:
        attempt.outcome, attempt.error, attempt.retry_after = "retry", reason, retry_after
        log.info("webhook %s to retry: %s", attempt.message_id, reason)
        return WebhookTemporaryFailure(reason, code=code, attempt=attempt, retry_after=retry_after)

    def _target(self, message: Outgoing, attempt: WebhookAttempt) -> tuple[httpx.URL, str, str]:
        """(URL with the host replaced by the pinned address, Host header value, hostname)."""
        try:
            url = httpx.URL(message.recipient)
        except (httpx.InvalidURL, TypeError):
            raise self._refuse(attempt, "endpoint URL is not a URL", "webhook.bad_url") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise self._refuse(attempt, "endpoint URL must be http(s)://host/…", "webhook.bad_url")
        if url.userinfo:
            raise self._refuse(
                attempt, "endpoint URL must not carry credentials", "webhook.bad_url"
            )
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = self.resolver(url.host, port)
        except OSError as exc:
            raise self._retry(attempt, f"cannot resolve {url.host}: {exc}", "webhook.dns") from exc
        if not addresses:
            raise self._retry(attempt, f"cannot resolve {url.host}", "webhook.dns")
        if not self.allow_private:
            blocked = [a for a in addresses if not is_public_address(a)]
            if blocked:
                raise self._refuse(
                    attempt,
                    f"{url.host} resolves to a non-public address ({blocked[0]})",
                    "webhook.private_target",
                )
        attempt.address = addresses[0]
        return url.copy_with(host=addresses[0]), url.netloc.decode("ascii"), url.host

    def _deliver(
        self,
        message: Outgoing,
        body: bytes,
        headers: dict[str, str],
        stamp: int,
        attempt: WebhookAttempt,
    ) -> WebhookResult:
        secrets = self._secrets_for(message)
        if not secrets:
            raise self._refuse(attempt, "endpoint has no signing secret", "webhook.no_secret")
        headers["webhook-signature"] = signature_header(secrets, message.message_id, stamp, body)
        target, host_header, hostname = self._target(message, attempt)
        extensions = {"sni_hostname": hostname} if target.scheme == "https" else {}
        started = time.monotonic()
        try:
            client = httpx.Client(
                timeout=self.timeout,
                transport=self.transport,
                trust_env=False,
                follow_redirects=False,
            )
            with (
                client,
                client.stream(
                    "POST",
                    target,
                    headers={**headers, "host": host_header},
                    content=body,
                    extensions=extensions,
                ) as response,
            ):
                kept = b""
                for chunk in response.iter_bytes():
                    kept += chunk
                    if len(kept) >= KEEP_BODY:
                        break
        except httpx.TimeoutException as exc:
            raise self._retry(
                attempt, f"timed out ({type(exc).__name__})", "webhook.timeout"
            ) from exc
        except httpx.HTTPError as exc:
            raise self._retry(
                attempt, f"connection failed ({type(exc).__name__})", "webhook.connect"
            ) from exc
        finally:
            attempt.duration_ms = int((time.monotonic() - started) * 1000)
        return self._answer(response, kept[:KEEP_BODY], attempt)

    def _answer(
        self, response: httpx.Response, kept: bytes, attempt: WebhookAttempt
    ) -> WebhookResult:
        status = response.status_code
        attempt.status = status
        attempt.response_headers = dict(response.headers)
        attempt.response_body = kept.decode("utf-8", errors="replace")
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if 200 <= status < 300:
            attempt.outcome = "delivered"
            log.info("webhook %s delivered: HTTP %s", attempt.message_id, status)
            return WebhookResult(provider_message_id=None, detail=f"HTTP {status}", attempt=attempt)
        if status == 410:
            attempt.outcome, attempt.error = "gone", "HTTP 410 Gone"
            log.warning("webhook %s: endpoint answered 410 Gone", attempt.message_id)
            raise WebhookEndpointGone(
                "endpoint answered 410 Gone", code="webhook.gone", attempt=attempt
            )
        if status in THROTTLE_STATUSES:
            raise self._retry(
                attempt, f"HTTP {status}: throttled", "webhook.throttled", retry_after
            )
        if 300 <= status < 400:
            raise self._retry(
                attempt,
                f"HTTP {status}: redirects are not followed; update the endpoint URL",
                "webhook.redirect",
                retry_after,
            )
        kind = "webhook.http_5xx" if status >= 500 else "webhook.http_4xx"
        raise self._retry(attempt, f"HTTP {status}", kind, retry_after)


# The name the notification service wires in (``WebhookChannel(allow_private=test_mode)``).
WebhookChannel = WebhookSender
