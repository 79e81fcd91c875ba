from __future__ import annotations

import pytest

from orderflow.notify.channels import Outgoing, PermanentFailure, TemporaryFailure
from orderflow.notify.sms.twilio import TwilioSms
from tests.fakes.twilio import FakeTwilio
from tests.notify.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, sms


def adapter(url: str, token: str = TWILIO_TOKEN) -> TwilioSms:
    return TwilioSms(TWILIO_SID, token, from_number=TWILIO_FROM, endpoint=url)


def message() -> Outgoing:
    return sms("+14155550123", text="Your order 10023 has shipped: UPS 1Z999AA10123456784.")


def test_sends_and_the_fake_accepts(twilio_fake: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio_fake
    result = adapter(url).send(message())
    assert result.provider_message_id == "SM" + "0" * 31 + "1"
    assert result.detail == "status queued"
    assert fake.accepted == [
        {
            "To": "+14155550123",
            "From": TWILIO_FROM,
            "Body": "Your order 10023 has shipped: UPS 1Z999AA10123456784.",
        }
    ]


def test_mainland_number_is_sent_in_e164(twilio_fake: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio_fake
    adapter(url).send(sms("13800138000"))
    assert fake.accepted[0]["To"] == "+8613800138000"


def test_wrong_token_is_refused_by_the_fake_as_twilio_does(
    twilio_fake: tuple[FakeTwilio, str],
) -> None:
    fake, url = twilio_fake
    with pytest.raises(PermanentFailure) as caught:
        adapter(url, token="wrong").send(message())
    assert fake.rejections == [20003]
    assert (caught.value.code, caught.value.reason) == (
        "sms.auth",
        "twilio 401 20003: Authenticate",
    )


def test_throttling_honours_retry_after(twilio_fake: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio_fake
    fake.fail_next(429, 20429, "Too Many Requests", **{"Retry-After": "30"})
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(message())
    assert (caught.value.code, caught.value.retry_after) == ("sms.throttled", 30.0)


@pytest.mark.parametrize(
    ("code", "ours"),
    [
        (21211, "sms.invalid_number"),
        (21614, "sms.invalid_number"),
        (21610, "sms.unsubscribed"),
        (21408, "sms.rejected"),
        (21999, "sms.rejected"),
    ],
)
def test_permanent_answers(twilio_fake: tuple[FakeTwilio, str], code: int, ours: str) -> None:
    fake, url = twilio_fake
    fake.fail_next(400, code, "refused")
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(message())
    assert (caught.value.code, caught.value.reason) == (ours, f"twilio 400 {code}: refused")


def test_server_error_is_temporary(twilio_fake: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio_fake
    fake.fail_next(500, 20500, "Internal Server Error")
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(message())
    assert caught.value.code == "sms.provider_error"


def test_the_fake_checks_the_sender(twilio_fake: tuple[FakeTwilio, str]) -> None:
    fake, url = twilio_fake
    other = TwilioSms(TWILIO_SID, TWILIO_TOKEN, from_number="+15005550001", endpoint=url)
    with pytest.raises(PermanentFailure) as caught:
        other.send(message())
    assert (fake.rejections, caught.value.code) == ([21606], "sms.rejected")


def test_no_sender_configured() -> None:
    with pytest.raises(PermanentFailure) as caught:
        TwilioSms(TWILIO_SID, TWILIO_TOKEN).send(message())
    assert caught.value.code == "sms.config"
