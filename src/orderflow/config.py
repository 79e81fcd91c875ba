"""Settings, read once from the environment (ORDERFLOW_*)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_DB_PATH = Path("var") / "orderflow.db"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"ORDERFLOW_{name}", default)


def _secret_key(var_dir: Path) -> str:
    """The signing key for sessions and customer links: env, else a key file kept in var/."""
    explicit = os.environ.get("ORDERFLOW_SECRET_KEY")
    if explicit:
        return explicit
    key_file = var_dir / "secret.key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    timezone: str = "Asia/Shanghai"
    reserve_at: str = "placement"  # placement | payment
    unpaid_timeout_minutes: int = 30
    auto_merge: bool = False  # the merge rule: the worker merges every suggestion (合单)
    default_currency: str = "CNY"
    default_country: str = "CN"
    test_mode: bool = False
    base_url: str = "http://127.0.0.1:8000"
    var_dir: Path = field(default=Path("var"))
    max_failed_logins_per_hour: int = 100
    # Request ceilings (bytes): URL, all headers, and bodies per route class.
    max_url_bytes: int = 8 * 1024
    max_header_bytes: int = 16 * 1024
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024 + 64 * 1024
    max_push_bytes: int = 256 * 1024
    shop_name: str = "OrderFlow Demo Shop"
    service_phone: str = "400-800-8888"
    # Email: the demo's local SMTP sink unless a real server is configured.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_security: str = "none"  # none | starttls | ssl
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str = "OrderFlow <noreply@orderflow.local>"
    # SMS: local (a file sink) | aliyun | tencent | twilio
    sms_provider: str = "local"
    sms_options: dict[str, str] = field(default_factory=dict)
    # Logistics alerts: hours without a carrier update before a parcel is "silent", as
    # "48;SF=24;SF/express=12" (default; per carrier; per carrier/service), the hours
    # staff have to act on each kind of exception, and the days a delivered order waits
    # for after-sales before it completes (签收 -> 完成).
    tracking_silent_hours: str = "48"
    exception_due_hours: str = "24;lost=48;returned=72"
    auto_complete_days: int = 7
    # Tests and benchmarks only: the instant the application's clock starts at in a server
    # or worker process (ORDERFLOW_CLOCK_AT, honoured only with ORDERFLOW_TEST_MODE=1).
    clock_at: str | None = None
    # How long the signed link in a customer's notices proves their order (days).
    customer_link_days: int = 90

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    test_mode = _env("TEST_MODE", "0") == "1"
    var_dir = Path(_env("VAR_DIR", "var"))
    default_url = f"sqlite:///{var_dir / 'orderflow.db'}"
    return Settings(
        database_url=_env("DATABASE_URL", default_url),
        secret_key=_secret_key(var_dir),
        timezone=_env("TIMEZONE", "Asia/Shanghai"),
        reserve_at=_env("RESERVE_AT", "placement"),
        unpaid_timeout_minutes=int(_env("UNPAID_TIMEOUT_MINUTES", "30")),
        auto_merge=_env("AUTO_MERGE", "0") == "1",
        default_currency=_env("DEFAULT_CURRENCY", "CNY"),
        default_country=_env("DEFAULT_COUNTRY", "CN"),
        test_mode=test_mode,
        base_url=_env("BASE_URL", "http://127.0.0.1:8000"),
        var_dir=var_dir,
        max_url_bytes=int(_env("MAX_URL_BYTES", str(8 * 1024))),
        max_header_bytes=int(_env("MAX_HEADER_BYTES", str(16 * 1024))),
        max_body_bytes=int(_env("MAX_BODY_BYTES", str(1024 * 1024))),
        max_upload_bytes=int(_env("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024 + 64 * 1024))),
        max_push_bytes=int(_env("MAX_PUSH_BYTES", str(256 * 1024))),
        shop_name=_env("SHOP_NAME", "OrderFlow Demo Shop"),
        service_phone=_env("SERVICE_PHONE", "400-800-8888"),
        smtp_host=_env("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(_env("SMTP_PORT", "8025")),
        smtp_security=_env("SMTP_SECURITY", "none"),
        smtp_user=os.environ.get("ORDERFLOW_SMTP_USER"),
        smtp_password=os.environ.get("ORDERFLOW_SMTP_PASSWORD"),
        mail_from=_env("MAIL_FROM", "OrderFlow <noreply@orderflow.local>"),
        sms_provider=_env("SMS_PROVIDER", "local"),
        sms_options={
            k.removeprefix("ORDERFLOW_SMS_").lower(): v
            for k, v in os.environ.items()
            if k.startswith("ORDERFLOW_SMS_") and k != "ORDERFLOW_SMS_PROVIDER"
        },
        tracking_silent_hours=_env("TRACKING_SILENT_HOURS", "48"),
        exception_due_hours=_env("EXCEPTION_DUE_HOURS", "24;lost=48;returned=72"),
        auto_complete_days=int(_env("AUTO_COMPLETE_DAYS", "7")),
        clock_at=(_env("CLOCK_AT", "") or None) if test_mode else None,
        customer_link_days=int(_env("CUSTOMER_LINK_DAYS", "90")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
