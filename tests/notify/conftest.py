"""Fixtures: fake providers on 127.0.0.1, each in a thread, one per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from orderflow.notify.channels import Outgoing
from tests.fakes.aliyun import FakeAliyunSms
from tests.fakes.server import serve
from tests.fakes.tencent import FakeTencentSms
from tests.fakes.twilio import FakeTwilio
from tests.fakes.webhook_receiver import FakeWebhookReceiver

ALIYUN_KEY_ID, ALIYUN_SECRET = "LTAI5tFakeKeyId0001", "FakeAccessKeySecretForTests01"
TENCENT_ID, TENCENT_KEY = "AKIDfakeSecretId000000000000000001", "fakeSecretKey0000000000000000001"
TENCENT_APP = "1400006666"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0123456789abcdef" * 2, "fake_auth_token_0123456789abcdef"
TWILIO_FROM = "+15005550006"
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WEBHOOK_SECRET_NEW = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def sms(recipient: str = "+8613800138000", **kw: object) -> Outgoing:
    base: dict[str, object] = {
        "message_id": "ntc_01HZX3ABCDEF",
        "channel": "sms",
        "recipient": recipient,
        "language": "zh-CN",
        "text": "【示例商城】您的订单已发货，顺丰速运SF1234567890。",
        "template_code": "order.shipped",
        "template_params": {"carrier_name": "顺丰速运", "tracking_number": "SF1234567890"},
    }
    base.update(kw)
    return Outgoing(**base)  # type: ignore[arg-type]


@pytest.fixture
def aliyun_fake() -> Iterator[tuple[FakeAliyunSms, str]]:
    fake = FakeAliyunSms(
        access_keys={ALIYUN_KEY_ID: ALIYUN_SECRET},
        sign_names={"示例商城"},
        templates={"SMS_465830123": {"carrier_name", "tracking_number"}},
    )
    with serve(fake) as url:
        yield fake, url


@pytest.fixture
def tencent_fake() -> Iterator[tuple[FakeTencentSms, str]]:
    fake = FakeTencentSms(
        secrets={TENCENT_ID: TENCENT_KEY},
        sdk_app_id=TENCENT_APP,
        sign_names={"示例商城"},
        templates={"1110": 2},
    )
    with serve(fake) as url:
        yield fake, url


@pytest.fixture
def twilio_fake() -> Iterator[tuple[FakeTwilio, str]]:
    fake = FakeTwilio(TWILIO_SID, TWILIO_TOKEN, senders={TWILIO_FROM})
    with serve(fake) as url:
        yield fake, url


@pytest.fixture
def receiver() -> Iterator[tuple[FakeWebhookReceiver, str]]:
    fake = FakeWebhookReceiver(WEBHOOK_SECRET)
    with serve(fake) as url:
        yield fake, url
