"""Each adapter's failures sorted into the provider's (open the circuit, spend nothing)
and the notice's (count an attempt): real adapters against local servers or their
documented answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from orderflow.config import Settings
from orderflow.notify.channels import DeliveryFailure, Outgoing
from orderflow.notify.health import circuit_key, provider_level, split_key
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.sms.aliyun import AliyunSms
from orderflow.notify.sms.tencent import classify
from orderflow.notify.sms.twilio import TwilioSms
from orderflow.notify.webhooks.sender import WebhookSender
from tests.support.server import free_port
from tests.support.smtp import Recorder

MAIL = Outgoing(message_id="ntc_1", channel="email", recipient="emma@example.com",
                language="en", text="hi", subject="hi")


def mail_settings(port: int) -> Settings:
    return Settings("sqlite://", "k" * 40, smtp_host="127.0.0.1", smtp_port=port)


@dataclass
class Busy(Recorder):
    """Answers MAIL FROM with a server-level code (421 closing, 451 local error)."""

    code: str = "421 4.3.2 service not available, closing channel"

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:
        if self.code.startswith("250"):
            envelope.mail_from = address
        return self.code


@pytest.fixture
def smtp() -> Iterator[tuple[Settings, Busy]]:
    handler = Busy()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mail_settings(port), handler
    finally:
        controller.stop()


def failure_of(send: Any, message: Outgoing) -> DeliveryFailure:
    with pytest.raises(DeliveryFailure) as caught:
        send(message)
    return caught.value


def test_smtp_connection_refused_is_the_providers():
    channel = SmtpChannel(mail_settings(free_port()), timeout=2.0)

    assert provider_level(failure_of(channel.send, MAIL))


@pytest.mark.parametrize("code", ["421 4.3.2 closing", "451 4.3.0 local error"])
def test_smtp_421_and_451_outside_rcpt_are_the_providers(smtp, code):
    settings, handler = smtp
    handler.code = code

    failure = failure_of(SmtpChannel(settings).send, MAIL)

    assert (failure.code, provider_level(failure)) == ("smtp.temporary", True)


@pytest.mark.parametrize(("recipient", "code"), [("emma+tempfail@example.com", "smtp.deferred"),
                                                  ("emma+reject@example.com", "smtp.refused")])
def test_smtp_4xx_or_5xx_naming_the_recipient_is_the_notices(smtp, recipient, code):
    settings, handler = smtp
    handler.code = "250 OK"

    failure = failure_of(SmtpChannel(settings).send, Outgoing(
        message_id="ntc_2", channel="email", recipient=recipient, language="en", text="hi"))

    assert (failure.code, provider_level(failure)) == (code, False)


@pytest.mark.parametrize(("code", "down"), [
    ("isv.BUSINESS_LIMIT_CONTROL", True), ("Throttling.User", True), ("isp.SYSTEM_ERROR", True),
    ("isv.AMOUNT_NOT_ENOUGH", True), ("SignatureDoesNotMatch", True),
    ("isv.MOBILE_NUMBER_ILLEGAL", False), ("isv.SMS_TEMPLATE_ILLEGAL", False),
    ("isv.DAY_LIMIT_CONTROL", False)])
def test_aliyun_answers_sorted(code, down):
    assert provider_level(AliyunSms._failure(200, code, "触发分钟级流控Permits:1")) is down


def test_aliyun_5xx_without_a_code_is_the_providers():
    assert provider_level(AliyunSms._failure(503, "", ""))


@pytest.mark.parametrize(("code", "down"), [
    ("LimitExceeded.PhoneNumberThirtySecondLimit", True), ("RequestLimitExceeded", True),
    ("InternalError.Timeout", True), ("AuthFailure.SecretIdNotFound", True),
    ("InvalidParameterValue.IncorrectPhoneNumber", False),
    ("FailedOperation.TemplateIncorrectOrUnapproved", False)])
def test_tencent_answers_sorted(code, down):
    assert provider_level(classify(code, "")) is down


def twilio(status: int, body: dict[str, Any]) -> TwilioSms:
    transport = httpx.MockTransport(lambda _r: httpx.Response(status, json=body))
    return TwilioSms("AC" + "0" * 32, "token", from_number="+15005550006", transport=transport)


SMS = Outgoing(message_id="ntc_3", channel="sms", recipient="+14155550100", language="en",
               text="Your order shipped")


@pytest.mark.parametrize(("status", "body", "down"), [
    (429, {"code": 20429, "message": "Too Many Requests"}, True),
    (503, {"message": "unavailable"}, True),
    (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, False),
    (400, {"code": 21610, "message": "unsubscribed"}, False)])
def test_twilio_answers_sorted(status, body, down):
    assert provider_level(failure_of(twilio(status, body).send, SMS)) is down


def test_twilio_unreachable_is_the_providers():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)
    sender = TwilioSms("AC" + "0" * 32, "t", from_number="+15005550006",
                       transport=httpx.MockTransport(refuse))

    assert provider_level(failure_of(sender.send, SMS))


def hook(status: int) -> DeliveryFailure:
    transport = httpx.MockTransport(lambda _r: httpx.Response(status, json={}))
    sender = WebhookSender(secrets=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], allow_private=True,
                           resolver=lambda host, port: ["127.0.0.1"], transport=transport)
    return failure_of(sender.send, Outgoing(message_id="msg_1", channel="webhook",
                                            recipient="http://hooks.example/x", language="en",
                                            text="", payload={"a": 1}, event_type="t"))


@pytest.mark.parametrize(("status", "down"), [(500, True), (503, True), (429, True),
                                              (404, False), (400, False), (410, False)])
def test_webhook_answers_sorted(status, down):
    assert provider_level(hook(status)) is down


def test_circuit_keys_name_the_channel_or_the_webhook_endpoint():
    assert circuit_key("email") == "notify:email"
    assert circuit_key("webhook", 7) == "notify:webhook:7"
    assert split_key("notify:webhook:7") == ("webhook", 7)
    assert split_key("notify:sms") == ("sms", None)
