"""Bits every HTTP adapter shares: timeouts, Retry-After, transport errors."""

from __future__ import annotations

import email.utils
import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx

from orderflow.notify.channels import TemporaryFailure

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RETRY_AFTER = 24 * 3600.0


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """RFC 9110 Retry-After: delay-seconds or an HTTP-date. None when absent or garbage."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def transport_failure(provider: str, exc: httpx.HTTPError) -> TemporaryFailure:
    """A request that never got an answer: retry later. The provider may or may not have
    sent it (SendSms is not idempotent); the stable reference we passed lets staff check."""
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
    return TemporaryFailure(f"{provider}: request {kind}: {type(exc).__name__}", code="sms.network")


def exchange(provider: str, request: httpx.Request, *, timeout: httpx.Timeout | float,
             transport: httpx.BaseTransport | None, shown: str) -> httpx.Response:
    """Send one request; a request that got no answer is a TemporaryFailure."""
    try:
        with httpx.Client(timeout=timeout, transport=transport, trust_env=False) as client:
            return client.send(request)
    except httpx.HTTPError as exc:
        logging.getLogger(f"orderflow.sms.{provider}").warning(
            "%s request to %s failed: %s", provider, shown, type(exc).__name__)
        raise transport_failure(provider, exc) from exc


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = json.loads(response.content or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _mask_httpx_logs() -> None:
    """httpx logs every request URL at INFO; Aliyun's carries the phone number in its query
    string. Mask those records at the source, whatever handlers the application installs."""
    from orderflow.logs import MaskingFilter

    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())


_mask_httpx_logs()
