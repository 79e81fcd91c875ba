from __future__ import annotations

from pathlib import Path

import pytest

from orderflow.config import Settings
from orderflow.notify.channels import PermanentFailure
from orderflow.notify.sms.aliyun import AliyunSms
from orderflow.notify.sms.local import LocalSmsSink, recent
from orderflow.notify.sms.phones import aliyun_number, mask_phone, to_e164
from orderflow.notify.sms.registry import parse_templates, sms_channel
from orderflow.notify.sms.templates import ProviderTemplate
from orderflow.notify.sms.tencent import TencentSms
from orderflow.notify.sms.twilio import TwilioSms
from tests.notify.conftest import sms


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("+85291234567", "+85291234567"),
        ("+14155550123", "+14155550123"),
    ],
)
def test_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("131****1907", "sms.masked_number"),
        ("13800138000;1234", "sms.virtual_number"),
        ("13800138000转1234", "sms.virtual_number"),
        ("12345", "sms.invalid_number"),
        ("hello", "sms.invalid_number"),
    ],
)
def test_numbers_that_cannot_be_texted(raw: str, code: str) -> None:
    with pytest.raises(PermanentFailure) as caught:
        to_e164(raw)
    assert caught.value.code == code


def test_aliyun_number_and_mask() -> None:
    assert aliyun_number("+8613800138000") == "13800138000"
    assert aliyun_number("+85291234567") == "85291234567"
    assert mask_phone("+8613800138000") == "+86138****8000"
    assert mask_phone("13800138000") == "138****8000"


def test_local_sink_writes_and_reads_back(tmp_path: Path) -> None:
    sink = LocalSmsSink(tmp_path / "sms")
    result = sink.send(sms(text="【示例商城】" + "中" * 64))
    sink.send(sms("+14155550123", message_id="ntc_2", text="Order 1 shipped"))
    assert result.provider_message_id == "local-ntc_01HZX3ABCDEF"
    assert result.detail == "1 segment(s), UCS-2"
    lines = (tmp_path / "sms" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "13800138000" not in "".join(lines)
    newest, older = recent(tmp_path / "sms", limit=10)
    assert (newest["message_id"], newest["to"], newest["encoding"], newest["segments"]) == (
        "ntc_2",
        "+141****0123",
        "GSM-7",
        1,
    )
    assert (older["to"], older["units"], older["segments"]) == ("+86138****8000", 70, 1)
    assert [m["message_id"] for m in recent(tmp_path / "sms" / "sms.jsonl", limit=1)] == ["ntc_2"]
    assert recent(tmp_path / "nothing", limit=5) == []


def test_local_sink_counts_signature_and_rolls_over(tmp_path: Path) -> None:
    sink = LocalSmsSink(tmp_path, signature="示例商城", max_bytes=800)
    for i in range(5):
        sink.send(sms(message_id=f"m{i}", text="中" * 65))
    line = (tmp_path / "sms.jsonl").read_bytes().splitlines()[0]
    assert 400 < len(line) <= 800  # one line per file at this size
    assert (tmp_path / "sms.jsonl.1").exists()
    latest = recent(tmp_path, limit=3)  # the current file and the one rolled over
    assert [m["message_id"] for m in latest] == ["m4", "m3"]
    assert (latest[0]["text"][:6], latest[0]["units"], latest[0]["segments"]) == (
        "【示例商城】",
        71,
        2,
    )


def test_local_sink_refuses_masked_numbers(tmp_path: Path) -> None:
    with pytest.raises(PermanentFailure):
        LocalSmsSink(tmp_path).send(sms("138****8000"))
    assert recent(tmp_path) == []


def settings(tmp_path: Path, provider: str, **options: str) -> Settings:
    return Settings("sqlite://", "k", var_dir=tmp_path, sms_provider=provider, sms_options=options)


def test_registry_builds_each_provider(tmp_path: Path) -> None:
    local = sms_channel(settings(tmp_path, "local"))
    assert isinstance(local, LocalSmsSink)
    assert local.directory == tmp_path / "sms"
    templates = '{"order.shipped": "SMS_1:carrier_name,tracking_number"}'
    aliyun = sms_channel(
        settings(
            tmp_path,
            "aliyun",
            access_key_id="a",
            access_key_secret="s",
            sign_name="示例商城",
            templates=templates,
        )
    )
    assert isinstance(aliyun, AliyunSms)
    assert aliyun.templates == {
        "order.shipped": ProviderTemplate("SMS_1", ("carrier_name", "tracking_number"))
    }
    tencent = sms_channel(
        settings(
            tmp_path,
            "tencent",
            secret_id="i",
            secret_key="k",
            sdk_app_id="1400006666",
            sign_name="示例商城",
            templates='{"order.shipped": {"code": "1110", "variables": ["a"]}}',
        )
    )
    assert isinstance(tencent, TencentSms)
    assert tencent.templates == {"order.shipped": ProviderTemplate("1110", ("a",))}
    twilio = sms_channel(
        settings(tmp_path, "twilio", account_sid="AC1", auth_token="t", from_number="+15005550006")
    )
    assert isinstance(twilio, TwilioSms)
    assert all(c.name == "sms" for c in (local, aliyun, tencent, twilio))


def test_registry_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ORDERFLOW_SMS_ACCESS_KEY_SECRET, ORDERFLOW_SMS_SIGN"):
        sms_channel(settings(tmp_path, "aliyun", access_key_id="a"))
    with pytest.raises(ValueError, match="unknown SMS provider 'carrier-pigeon'"):
        sms_channel(settings(tmp_path, "carrier-pigeon"))
    with pytest.raises(ValueError, match="needs a template code"):
        parse_templates('{"order.shipped": 5}')
