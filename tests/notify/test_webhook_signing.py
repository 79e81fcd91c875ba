from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from orderflow.notify.webhooks.signing import (
    WebhookSignatureError,
    new_secret,
    secret_bytes,
    sign,
    signature_header,
    verify,
)
from tests.notify.conftest import WEBHOOK_SECRET, WEBHOOK_SECRET_NEW


def test_published_known_answer_vector() -> None:
    # The Standard Webhooks reference test vector: standard-webhooks/standard-webhooks,
    # libraries/python/tests/test_webhooks.py::test_sign_function (the same values are in
    # the other language libraries' tests).
    assert (
        sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            '{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )
    # the secret without its prefix is the same key
    assert (
        sign(
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def headers(msg_id: str, stamp: int, sig: str) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": sig}


def test_standardwebhooks_accepts_our_signature() -> None:
    body = '{"type":"order.shipped","timestamp":"2026-01-02T03:04:05Z","data":{"n":"10023"}}'
    stamp = int(time.time())
    sig = signature_header([WEBHOOK_SECRET], "ntc_01", stamp, body)
    assert Webhook(WEBHOOK_SECRET).verify(body, headers("ntc_01", stamp, sig)) == {
        "type": "order.shipped",
        "timestamp": "2026-01-02T03:04:05Z",
        "data": {"n": "10023"},
    }


def test_rotation_both_secrets_sign_and_each_alone_verifies() -> None:
    body = b'{"type":"order.paid","data":{}}'
    stamp = int(time.time())
    sig = signature_header([WEBHOOK_SECRET_NEW, WEBHOOK_SECRET], "ntc_02", stamp, body)
    new_sig, old_sig = sig.split(" ")
    assert new_sig == sign(WEBHOOK_SECRET_NEW, "ntc_02", stamp, body)
    assert old_sig == sign(WEBHOOK_SECRET, "ntc_02", stamp, body)
    for secret in (WEBHOOK_SECRET, WEBHOOK_SECRET_NEW):
        Webhook(secret).verify(body, headers("ntc_02", stamp, sig))
        assert verify(secret, headers("ntc_02", stamp, sig), body).msg_id == "ntc_02"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers("ntc_02", stamp, sig))


def test_verify_refuses_tampering_staleness_and_missing_headers() -> None:
    body = b'{"a":1}'
    now = 1_767_323_045
    good = headers("ntc_03", now, sign(WEBHOOK_SECRET, "ntc_03", now, body))
    assert verify([WEBHOOK_SECRET_NEW, WEBHOOK_SECRET], good, body, now=now).timestamp == now
    with pytest.raises(WebhookSignatureError, match="no matching signature"):
        verify(WEBHOOK_SECRET, good, b'{"a":2}', now=now)
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        verify(WEBHOOK_SECRET, good, body, now=now + 301)
    with pytest.raises(WebhookSignatureError, match="missing"):
        verify(WEBHOOK_SECRET, {"webhook-id": "x"}, body, now=now)
    other_version = headers("ntc_03", now, "v1a," + good["webhook-signature"][3:])
    with pytest.raises(WebhookSignatureError, match="no matching signature"):
        verify(WEBHOOK_SECRET, other_version, body, now=now)


def test_secrets_and_ids() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(secret_bytes(secret)) == 32
    assert len(base64.b64decode(secret[6:])) == 32
    with pytest.raises(ValueError, match="not base64"):
        secret_bytes("whsec_!!!")
    with pytest.raises(ValueError, match=r"no '\.'"):
        sign(WEBHOOK_SECRET, "bad.id", 1, b"")
    with pytest.raises(ValueError, match="24 to 64"):
        new_secret(16)
