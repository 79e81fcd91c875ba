"""Tracking settings, read from the environment (ORDERFLOW_TRACKING_*, ORDERFLOW_KUAIDI100_*,
ORDERFLOW_AFTERSHIP_*). Kept apart from orderflow.config so the carrier secrets stay here."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from orderflow.tracking.adapters.simulated import Rates


def _env(name: str, default: str) -> str:
    return os.environ.get(f"ORDERFLOW_{name}", default)


@dataclass(frozen=True)
class TrackingSettings:
    # simulated (demo) | kuaidi100 | aftership: who tracks new shipments
    provider: str = "simulated"
    # handover: the order is shipped when the parcel is handed over (default);
    # pickup: only at the carrier's pickup scan (揽收) or when the grace window ends.
    shipped_at: str = "handover"
    pickup_grace_hours: float = 24.0
    pickup_on_time_hours: float = 24.0  # 揽收及时率: picked up within this after handover
    # Kuaidi100 (快递100): customer id, key, the callback salt, and whether to subscribe
    # (push) or only poll (real-time query with back-off).
    kuaidi100_customer: str = ""
    kuaidi100_key: str = ""
    kuaidi100_salt: str = ""
    kuaidi100_mode: str = "push"  # push | poll
    kuaidi100_url: str = "https://poll.kuaidi100.com"
    # AfterShip: API key for creating trackers, webhook secret for signatures.
    aftership_api_key: str = ""
    aftership_webhook_secret: str = ""
    aftership_url: str = "https://api.aftership.com"
    # Simulated carrier: signing secret for its pushes and its rates (0..1). No default:
    # without a secret its hook is disabled (`make run` generates one into the var dir).
    simulated_secret: str = ""
    sim_speed: float = 720.0  # demo time: one carrier hour every 5 real seconds
    sim_rates: str = "delay=0.10,failed_attempt=0.08,lost=0.02,damaged=0.02,returned=0.03"
    callback_base_url: str = "http://127.0.0.1:8000"

    @property
    def sim_rates_parsed(self) -> Rates:
        return parse_rates(self.sim_rates)


def parse_rates(text: str) -> Rates:
    """`delay=0.1,lost=0.02` -> Rates; unknown names or values outside 0..1 raise ValueError."""
    values: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        if name.strip() not in Rates.__dataclass_fields__:
            raise ValueError(f"unknown simulated carrier rate {name.strip()!r}")
        rate = float(value)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate {name.strip()} must be between 0 and 1")
        values[name.strip()] = rate
    return Rates(**values)


SIMULATED_KEY_FILE = "simulated-carrier.key"


def _var_dir() -> Path:
    return Path(_env("VAR_DIR", "var"))


def _simulated_secret() -> str:
    """ORDERFLOW_TRACKING_SIMULATED_SECRET, else the demo's generated key file, else none."""
    explicit = os.environ.get("ORDERFLOW_TRACKING_SIMULATED_SECRET")
    if explicit:
        return explicit
    key_file = _var_dir() / SIMULATED_KEY_FILE
    return key_file.read_text().strip() if key_file.exists() else ""


def ensure_demo_secret(var_dir: Path) -> None:
    """The demo's simulated-carrier secret: a random key in the var dir (mode 0600), made
    once, unless one is configured in the environment. Never a constant."""
    key_file = var_dir / SIMULATED_KEY_FILE
    if os.environ.get("ORDERFLOW_TRACKING_SIMULATED_SECRET") or key_file.exists():
        return
    var_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(32))


def disabled(settings: TrackingSettings) -> dict[str, str]:
    """Providers whose push hook is off because their secret is missing, with the setting
    that turns each on. A disabled provider's hook answers 404."""
    found: dict[str, str] = {}
    if not settings.simulated_secret:
        found["simulated"] = ("ORDERFLOW_TRACKING_SIMULATED_SECRET is not set "
                              "(`orderflow demo` generates var/simulated-carrier.key)")
    if not settings.kuaidi100_salt:
        found["kuaidi100"] = "ORDERFLOW_KUAIDI100_SALT is not set"
    if not settings.aftership_webhook_secret:
        found["aftership"] = "ORDERFLOW_AFTERSHIP_WEBHOOK_SECRET is not set"
    return found


def load() -> TrackingSettings:
    return TrackingSettings(
        provider=_env("TRACKING_PROVIDER", "simulated"),
        shipped_at=_env("TRACKING_SHIPPED_AT", "handover"),
        pickup_grace_hours=float(_env("TRACKING_PICKUP_GRACE_HOURS", "24")),
        pickup_on_time_hours=float(_env("TRACKING_PICKUP_ON_TIME_HOURS", "24")),
        kuaidi100_customer=_env("KUAIDI100_CUSTOMER", ""),
        kuaidi100_key=_env("KUAIDI100_KEY", ""),
        kuaidi100_salt=_env("KUAIDI100_SALT", ""),
        kuaidi100_mode=_env("KUAIDI100_MODE", "push"),
        kuaidi100_url=_env("KUAIDI100_URL", "https://poll.kuaidi100.com"),
        aftership_api_key=_env("AFTERSHIP_API_KEY", ""),
        aftership_webhook_secret=_env("AFTERSHIP_WEBHOOK_SECRET", ""),
        aftership_url=_env("AFTERSHIP_URL", "https://api.aftership.com"),
        simulated_secret=_simulated_secret(),
        sim_speed=float(_env("TRACKING_SIM_SPEED", "720")),
        sim_rates=_env("TRACKING_SIM_RATES", TrackingSettings.sim_rates),
        callback_base_url=_env("BASE_URL", "http://127.0.0.1:8000"),
    )
