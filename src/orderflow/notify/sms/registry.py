"""Pick the SMS channel from settings: ``ORDERFLOW_SMS_PROVIDER`` = local | aliyun | tencent |
twilio, options from ``ORDERFLOW_SMS_*`` (``settings.sms_options``, keys lower-cased).

=========  ====================================================================
local      ``dir`` (default ``<var_dir>/sms``)
aliyun     ``access_key_id``, ``access_key_secret``, ``sign_name``, ``templates``,
           optional ``endpoint``
tencent    ``secret_id``, ``secret_key``, ``sdk_app_id``, ``sign_name``, ``templates``,
           optional ``endpoint``, ``region``
twilio     ``account_sid``, ``auth_token``, ``from_number`` or
           ``messaging_service_sid``, optional ``endpoint``
=========  ====================================================================

``templates`` is JSON mapping our milestone to the approved provider template:
``{"order.shipped": {"code": "SMS_123", "variables": ["carrier_name", "tracking_number"]}}``
or the short form ``{"order.shipped": "SMS_123:carrier_name,tracking_number"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orderflow.config import Settings
from orderflow.notify.channels import Channel
from orderflow.notify.sms.aliyun import DEFAULT_ENDPOINT as ALIYUN_ENDPOINT
from orderflow.notify.sms.aliyun import AliyunSms
from orderflow.notify.sms.local import LocalSmsSink
from orderflow.notify.sms.templates import ProviderTemplate
from orderflow.notify.sms.tencent import DEFAULT_ENDPOINT as TENCENT_ENDPOINT
from orderflow.notify.sms.tencent import TencentSms
from orderflow.notify.sms.twilio import DEFAULT_ENDPOINT as TWILIO_ENDPOINT
from orderflow.notify.sms.twilio import TwilioSms


def parse_templates(raw: str | None) -> dict[str, ProviderTemplate]:
    if not raw:
        return {}
    try:
        data: Any = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"ORDERFLOW_SMS_TEMPLATES is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("ORDERFLOW_SMS_TEMPLATES must be a JSON object")
    out: dict[str, ProviderTemplate] = {}
    for key, value in data.items():
        if isinstance(value, str):
            code, _, names = value.partition(":")
            variables = tuple(n.strip() for n in names.split(",") if n.strip())
        elif isinstance(value, dict) and isinstance(value.get("code"), str):
            code, variables = value["code"], tuple(str(v) for v in value.get("variables", ()))
        else:
            raise ValueError(f"ORDERFLOW_SMS_TEMPLATES[{key!r}] needs a template code")
        out[str(key)] = ProviderTemplate(code.strip(), variables)
    return out


def _need(options: Mapping[str, str], provider: str, *names: str) -> list[str]:
    missing = [n for n in names if not options.get(n)]
    if missing:
        env = ", ".join(f"ORDERFLOW_SMS_{n.upper()}" for n in missing)
        raise ValueError(f"SMS provider {provider} needs {env}")
    return [options[n] for n in names]


def sms_channel(settings: Settings) -> Channel:
    provider = (settings.sms_provider or "local").lower()
    options = settings.sms_options
    if provider == "local":
        return LocalSmsSink(Path(options.get("dir") or Path(settings.var_dir) / "sms"))
    if provider == "aliyun":
        key_id, secret, sign = _need(
            options, provider, "access_key_id", "access_key_secret", "sign_name"
        )
        return AliyunSms(
            key_id,
            secret,
            sign,
            parse_templates(options.get("templates")),
            endpoint=options.get("endpoint") or ALIYUN_ENDPOINT,
        )
    if provider == "tencent":
        sid, skey, app, sign = _need(
            options, provider, "secret_id", "secret_key", "sdk_app_id", "sign_name"
        )
        return TencentSms(
            sid,
            skey,
            app,
            sign,
            parse_templates(options.get("templates")),
            endpoint=options.get("endpoint") or TENCENT_ENDPOINT,
            region=options.get("region") or "ap-guangzhou",
        )
    if provider == "twilio":
        account, token = _need(options, provider, "account_sid", "auth_token")
        if not (options.get("from_number") or options.get("messaging_service_sid")):
            raise ValueError(
                "SMS provider twilio needs ORDERFLOW_SMS_FROM_NUMBER or "
                "ORDERFLOW_SMS_MESSAGING_SERVICE_SID"
            )
        return TwilioSms(
            account,
            token,
            from_number=options.get("from_number") or None,
            messaging_service_sid=options.get("messaging_service_sid") or None,
            endpoint=options.get("endpoint") or TWILIO_ENDPOINT,
        )
    raise ValueError(
        f"unknown SMS provider {settings.sms_provider!r} (local, aliyun, tencent, twilio)"
    )
