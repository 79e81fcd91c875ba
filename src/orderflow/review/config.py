"""The merchant's review settings: which rules run, their thresholds, cut-off times.

Stored as one JSON document (review_settings row 1); edited in the console and the API.
Amounts are minor units of the shop currency.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Outcome = Literal["pass", "warn", "block"]
RULES = ("completeness", "validity", "address", "duplicates", "risk")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Minor = Annotated[int, Field(ge=0, le=10**12)]


class ReviewConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auto_approve: bool = True
    disabled_rules: list[Literal["completeness", "validity", "address", "duplicates", "risk"]] = []
    # A finding code → the outcome it gives instead of its default (e.g. address.remote: pass).
    severity: dict[str, Outcome] = {}
    duplicate_window_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    high_value_minor: Minor = 200_000
    first_order_high_value_minor: Minor = 80_000
    cod_max_minor: Minor = 100_000
    cod_excluded_provinces: list[str] = ["65", "54"]  # adcode prefixes: 新疆, 西藏
    remote_provinces: list[str] = ["65", "54", "63", "15", "62", "64"]
    remark_keywords: list[str] = [
        "改地址", "修改地址", "换地址", "加急", "急用", "发票", "开票", "change address",
        "urgent", "asap", "invoice",
    ]
    sms_needs_mobile: bool = True
    vip_min_orders: Annotated[int, Field(ge=1, le=10_000)] = 5
    vip_min_spend_minor: Minor = 300_000
    expedited_services: list[str] = ["express", "next_day", "same_day"]
    deferred_services: list[str] = ["economy", "presale", "deferred"]
    expedite_within_hours: Annotated[int, Field(ge=0, le=240)] = 4
    # Promise dates: paid before cut_off (merchant's zone) ships that working day.
    cut_off: str = "16:00"
    ship_days_before_cut_off: Annotated[int, Field(ge=0, le=30)] = 0
    ship_days_after_cut_off: Annotated[int, Field(ge=0, le=30)] = 1
    ship_by_time: str = "18:00"
    calendar: str = "CN"  # CN (holidays with 调休, see workdays.py), another ISO country, or ""
    closed_days: list[str] = []  # extra days off (YYYY-MM-DD), e.g. a stock-take
    open_days: list[str] = []  # extra working days

    @field_validator("cut_off", "ship_by_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("must be a time HH:MM (24h)")
        return value

    @field_validator("remark_keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        return [k.strip() for k in value if k.strip()]

    @field_validator("calendar")
    @classmethod
    def _calendar(cls, value: str) -> str:
        value = value.strip().upper()
        if value and not re.match(r"^[A-Z]{2}$", value):
            raise ValueError("must be an ISO country code such as CN or US, or empty")
        return value

    @field_validator("closed_days", "open_days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        for day in value:
            if not re.match(r"^\d{4}-\d{2}-\d{2}$", day):
                raise ValueError(f"'{day}' is not a date YYYY-MM-DD")
        return value


DEFAULT = ReviewConfig()
