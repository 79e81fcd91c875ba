from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from orderflow.notify.channels import PermanentFailure, TemporaryFailure
from orderflow.notify.sms.aliyun import AliyunSms, authorization, canonical_request
from orderflow.notify.sms.templates import ProviderTemplate
from tests.fakes.aliyun import FakeAliyunSms
from tests.notify.conftest import ALIYUN_KEY_ID, ALIYUN_SECRET, sms

TEMPLATES = {
    "order.shipped": ProviderTemplate("SMS_465830123", ("carrier_name", "tracking_number"))
}


def adapter(url: str, **kw: object) -> AliyunSms:
    options: dict[str, object] = {"endpoint": url, "templates": TEMPLATES}
    options.update(kw)
    return AliyunSms(ALIYUN_KEY_ID, ALIYUN_SECRET, "示例商城", **options)  # type: ignore[arg-type]


def test_documented_v3_example_is_reproduced() -> None:
    # Alibaba Cloud, "Request syntax and signature method V3", section "Fixed parameter values"
    # (alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature).
    headers = {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-version": "2014-05-26",
    }
    query = {
        "ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        "RegionId": "cn-shanghai",
    }
    text, signed = canonical_request("POST", "/", query, headers, b"")
    assert signed == (
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    )
    assert text == (
        "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
        "host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n"
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
        "x-acs-version:2014-05-26\n\n"
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert authorization("YourAccessKeyId", "YourAccessKeySecret", "POST", "/", query, headers) == (
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
        "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )


def test_percent_encoding_follows_rfc3986() -> None:
    text, _ = canonical_request("POST", "/", {"b": "a b*~", "a": "中"}, {"host": "h"}, b"")
    assert text.split("\n")[2] == "a=%E4%B8%AD&b=a%20b%2A~"


def test_sends_and_the_fake_accepts(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    fake, url = aliyun_fake
    result = adapter(url).send(sms())
    assert result.provider_message_id == "100619746936498^0"
    assert fake.rejections == []
    assert fake.accepted == [
        {
            "PhoneNumbers": "13800138000",
            "SignName": "示例商城",
            "TemplateCode": "SMS_465830123",
            "TemplateParam": '{"carrier_name":"顺丰速运","tracking_number":"SF1234567890"}',
            "OutId": "ntc_01HZX3ABCDEF",
        }
    ]


def test_international_number_keeps_its_country_code(
    aliyun_fake: tuple[FakeAliyunSms, str],
) -> None:
    fake, url = aliyun_fake
    adapter(url).send(sms("+85291234567"))
    assert fake.accepted[0]["PhoneNumbers"] == "85291234567"


def test_wrong_secret_is_refused_by_the_fake_as_aliyun_does(
    aliyun_fake: tuple[FakeAliyunSms, str],
) -> None:
    fake, url = aliyun_fake
    wrong = AliyunSms(ALIYUN_KEY_ID, "not-the-secret", "示例商城", TEMPLATES, endpoint=url)
    with pytest.raises(PermanentFailure) as caught:
        wrong.send(sms())
    assert fake.rejections == ["SignatureDoesNotMatch"]
    assert fake.accepted == []
    assert caught.value.code == "sms.auth"
    assert caught.value.reason.startswith("aliyun SignatureDoesNotMatch:")


def test_unknown_access_key(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    fake, url = aliyun_fake
    other = AliyunSms("LTAIunknown", ALIYUN_SECRET, "示例商城", TEMPLATES, endpoint=url)
    with pytest.raises(PermanentFailure) as caught:
        other.send(sms())
    assert (fake.rejections, caught.value.code) == (["InvalidAccessKeyId.NotFound"], "sms.auth")


def test_stale_timestamp_is_refused(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    fake, url = aliyun_fake
    late = adapter(url, clock=lambda: datetime.now(UTC) - timedelta(minutes=20))
    with pytest.raises(PermanentFailure) as caught:
        late.send(sms())
    assert (fake.rejections, caught.value.code) == (["InvalidTimeStamp.Expired"], "sms.clock_skew")


def test_reused_nonce_is_refused_and_retryable(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    fake, url = aliyun_fake
    fixed = adapter(url, nonce=lambda: "same-nonce-every-time")
    fixed.send(sms())
    with pytest.raises(TemporaryFailure) as caught:
        fixed.send(sms())
    assert fake.rejections == ["SignatureNonceUsed"]
    assert caught.value.code == "sms.provider_error"


def test_throttling_is_temporary_with_the_window(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    fake, url = aliyun_fake
    fake.fail_next("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert (caught.value.code, caught.value.retry_after) == ("sms.throttled", 60.0)
    fake.fail_next("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控Permits:5")
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert caught.value.retry_after == 3600.0


@pytest.mark.parametrize(
    ("aliyun_code", "our_code"),
    [
        ("isv.MOBILE_NUMBER_ILLEGAL", "sms.invalid_number"),
        ("isv.SMS_TEMPLATE_ILLEGAL", "sms.template_rejected"),
        ("isv.SMS_SIGNATURE_ILLEGAL", "sms.signature_rejected"),
        ("isv.AMOUNT_NOT_ENOUGH", "sms.account"),
        ("isv.DAY_LIMIT_CONTROL", "sms.quota"),
        ("isv.SOMETHING_NEW", "sms.rejected"),
    ],
)
def test_permanent_answers(
    aliyun_fake: tuple[FakeAliyunSms, str], aliyun_code: str, our_code: str
) -> None:
    fake, url = aliyun_fake
    fake.fail_next(aliyun_code, "refused")
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(sms())
    assert caught.value.code == our_code
    assert caught.value.reason == f"aliyun {aliyun_code}: refused"


def test_platform_errors_are_temporary(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    fake, url = aliyun_fake
    fake.fail_next("isp.SYSTEM_ERROR", "系统错误")
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert caught.value.code == "sms.provider_error"


def test_the_fake_checks_signature_name_and_template_variables(
    aliyun_fake: tuple[FakeAliyunSms, str],
) -> None:
    fake, url = aliyun_fake
    unsigned = AliyunSms(ALIYUN_KEY_ID, ALIYUN_SECRET, "别的签名", TEMPLATES, endpoint=url)
    with pytest.raises(PermanentFailure) as caught:
        unsigned.send(sms())
    assert caught.value.code == "sms.signature_rejected"
    short = {"order.shipped": ProviderTemplate("SMS_465830123", ("carrier_name",))}
    with pytest.raises(PermanentFailure) as caught:
        adapter(url, templates=short).send(sms())
    assert caught.value.code == "sms.template_rejected"
    assert fake.rejections == ["isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS"]


def test_missing_parameter_or_template_is_refused_before_sending(
    aliyun_fake: tuple[FakeAliyunSms, str],
) -> None:
    fake, url = aliyun_fake
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(sms(template_params={"carrier_name": "顺丰速运"}))
    assert caught.value.code == "sms.template_params"
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(sms(template_code="order.paid"))
    assert caught.value.code == "sms.template_unmapped"
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(sms("138****8000"))
    assert caught.value.code == "sms.masked_number"
    assert (fake.accepted, fake.rejections) == ([], [])


def test_server_errors_and_network_errors_are_temporary() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="Service Unavailable")

    down = adapter("https://dysmsapi.aliyuncs.com", transport=httpx.MockTransport(answer))
    with pytest.raises(TemporaryFailure) as caught:
        down.send(sms())
    assert caught.value.code == "sms.provider_error"

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TemporaryFailure) as caught:
        adapter("https://x.invalid", transport=httpx.MockTransport(broken)).send(sms())
    assert (caught.value.code, caught.value.reason) == (
        "sms.network",
        "aliyun: request failed: ConnectError",
    )


def test_request_shape(aliyun_fake: tuple[FakeAliyunSms, str]) -> None:
    _, url = aliyun_fake
    request = adapter(
        url, clock=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), nonce=lambda: "n1"
    ).build_request(sms())
    assert request.method == "POST"
    assert request.url.path == "/"
    assert request.content == b""
    assert request.headers["x-acs-action"] == "SendSms"
    assert request.headers["x-acs-version"] == "2017-05-25"
    assert request.headers["x-acs-date"] == "2026-01-02T03:04:05Z"
    assert request.headers["authorization"].startswith(
        f"ACS3-HMAC-SHA256 Credential={ALIYUN_KEY_ID},SignedHeaders=host;x-acs-action;"
        "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature="
    )
    params = dict(request.url.params)
    assert json.loads(params["TemplateParam"]) == {
        "carrier_name": "顺丰速运",
        "tracking_number": "SF1234567890",
    }


def test_logs_never_hold_the_full_number(
    aliyun_fake: tuple[FakeAliyunSms, str], caplog: pytest.LogCaptureFixture
) -> None:
    fake, url = aliyun_fake
    caplog.set_level(logging.DEBUG)
    adapter(url).send(sms())
    fake.fail_next("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号 13800138000")
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(sms())
    assert "13800138000" not in caplog.text
    assert "13800138000" not in caught.value.reason
    assert "+86138****8000" in caplog.text
