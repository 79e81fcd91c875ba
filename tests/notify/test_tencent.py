from __future__ import annotations

import json
import time

import pytest

from orderflow.notify.channels import PermanentFailure, TemporaryFailure
from orderflow.notify.sms.templates import ProviderTemplate
from orderflow.notify.sms.tencent import TencentSms, tc3_authorization, tc3_signature
from tests.fakes.tencent import FakeTencentSms
from tests.notify.conftest import TENCENT_APP, TENCENT_ID, TENCENT_KEY, sms
from tests.support.server import refused_url

TEMPLATES = {"order.shipped": ProviderTemplate("1110", ("carrier_name", "tracking_number"))}


def adapter(url: str, **kw: object) -> TencentSms:
    options: dict[str, object] = {"endpoint": url, "templates": TEMPLATES}
    options.update(kw)
    return TencentSms(TENCENT_ID, TENCENT_KEY, TENCENT_APP, "示例商城", **options)  # type: ignore[arg-type]


def test_documented_tc3_example_is_reproduced() -> None:
    # Tencent Cloud API 3.0 "Signature v3", worked example (cvm DescribeInstances,
    # SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE, X-TC-Timestamp 1551113065).
    body = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    assert (
        tc3_signature(
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service="cvm",
            host="cvm.tencentcloudapi.com",
            timestamp=1551113065,
            body=body,
        )
        == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )
    assert tc3_authorization(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        service="cvm",
        host="cvm.tencentcloudapi.com",
        timestamp=1551113065,
        body=body,
    ) == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


def test_sends_and_the_fake_accepts(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    fake, url = tencent_fake
    result = adapter(url).send(sms())
    assert result.provider_message_id == "5000:0000000000000000000000000001"
    assert fake.rejections == []
    assert fake.accepted == [
        {
            "PhoneNumberSet": ["+8613800138000"],
            "SmsSdkAppId": TENCENT_APP,
            "SignName": "示例商城",
            "TemplateId": "1110",
            "TemplateParamSet": ["顺丰速运", "SF1234567890"],
            "SessionContext": "ntc_01HZX3ABCDEF",
        }
    ]


def test_request_shape(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    _, url = tencent_fake
    request = adapter(url, clock=lambda: 1767323045.7).build_request(sms("13800138000"))
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-timestamp"] == "1767323045"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["authorization"].startswith(
        f"TC3-HMAC-SHA256 Credential={TENCENT_ID}/2026-01-02/sms/tc3_request, "
        "SignedHeaders=content-type;host, Signature="
    )
    assert json.loads(request.content)["PhoneNumberSet"] == ["+8613800138000"]


def test_wrong_secret_is_refused_by_the_fake_as_tencent_does(
    tencent_fake: tuple[FakeTencentSms, str],
) -> None:
    fake, url = tencent_fake
    wrong = TencentSms(TENCENT_ID, "wrong-key", TENCENT_APP, "示例商城", TEMPLATES, endpoint=url)
    with pytest.raises(PermanentFailure) as caught:
        wrong.send(sms())
    assert fake.rejections == ["AuthFailure.SignatureFailure"]
    assert fake.accepted == []
    assert caught.value.code == "sms.auth"
    assert caught.value.reason.startswith("tencent AuthFailure.SignatureFailure:")


def test_stale_timestamp(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    fake, url = tencent_fake
    with pytest.raises(PermanentFailure) as caught:
        adapter(url, clock=lambda: time.time() - 600).send(sms())
    assert (fake.rejections, caught.value.code) == (
        ["AuthFailure.SignatureExpire"],
        "sms.clock_skew",
    )


@pytest.mark.parametrize(
    ("code", "retry_after"),
    [
        ("LimitExceeded.PhoneNumberThirtySecondLimit", 30.0),
        ("LimitExceeded.PhoneNumberOneHourLimit", 3600.0),
        ("LimitExceeded.PhoneNumberDailyLimit", 86400.0),
        ("LimitExceeded.DeliveryFrequencyLimit", None),
    ],
)
def test_throttling_is_temporary(
    tencent_fake: tuple[FakeTencentSms, str], code: str, retry_after: float | None
) -> None:
    fake, url = tencent_fake
    fake.fail_next(code, "limit")
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert (caught.value.code, caught.value.retry_after) == ("sms.throttled", retry_after)


def test_request_rate_limit_on_the_whole_request(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    fake, url = tencent_fake
    fake.fail_next("RequestLimitExceeded", "too many requests", whole_request=True)
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert caught.value.code == "sms.throttled"


@pytest.mark.parametrize(
    ("code", "ours"),
    [
        ("FailedOperation.PhoneNumberInBlacklist", "sms.unsubscribed"),
        ("InvalidParameterValue.IncorrectPhoneNumber", "sms.invalid_number"),
        ("FailedOperation.TemplateIncorrectOrUnapproved", "sms.template_rejected"),
        ("FailedOperation.SignatureIncorrectOrUnapproved", "sms.signature_rejected"),
        ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "sms.rejected"),
        ("InvalidParameterValue.SomethingNew", "sms.rejected"),
    ],
)
def test_permanent_answers(tencent_fake: tuple[FakeTencentSms, str], code: str, ours: str) -> None:
    fake, url = tencent_fake
    fake.fail_next(code, "refused")
    with pytest.raises(PermanentFailure) as caught:
        adapter(url).send(sms())
    assert (caught.value.code, caught.value.reason) == (ours, f"tencent {code}: refused")


def test_internal_errors_are_temporary(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    fake, url = tencent_fake
    fake.fail_next("InternalError.Timeout", "timeout")
    with pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert caught.value.code == "sms.provider_error"


def test_the_fake_checks_template_parameters(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    fake, url = tencent_fake
    short = {"order.shipped": ProviderTemplate("1110", ("tracking_number",))}
    with pytest.raises(PermanentFailure) as caught:
        adapter(url, templates=short).send(sms())
    assert caught.value.code == "sms.template_rejected"
    assert fake.rejections == ["FailedOperation.TemplateParamSetNotMatchApprovedTemplate"]


def test_wrong_app_id(tencent_fake: tuple[FakeTencentSms, str]) -> None:
    fake, url = tencent_fake
    other = TencentSms(TENCENT_ID, TENCENT_KEY, "1400000000", "示例商城", TEMPLATES, endpoint=url)
    with pytest.raises(PermanentFailure) as caught:
        other.send(sms())
    assert (fake.rejections, caught.value.code) == (
        ["InvalidParameterValue.SdkAppIdNotExist"],
        "sms.rejected",
    )


def test_network_error_is_temporary() -> None:
    with refused_url("") as url, pytest.raises(TemporaryFailure) as caught:
        adapter(url).send(sms())
    assert caught.value.code == "sms.network"
