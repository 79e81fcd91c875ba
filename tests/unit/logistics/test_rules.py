"""Pure logistics rules: thresholds per carrier and service, due times, what a carrier
status opens, refunds that cannot exceed what was paid."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orderflow.errors import ValidationFailed
from orderflow.logistics import rules
from orderflow.logistics.models import CaseKind, CaseState

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_silent_hours_take_the_most_specific_setting() -> None:
    table = rules.parse_hours("48; SF=24; SF/express=12", "tracking_silent_hours")

    assert rules.silent_hours(table, "SF", "express") == 12
    assert rules.silent_hours(table, "sf", "standard") == 24
    assert rules.silent_hours(table, "ZTO", "standard") == 48


def test_a_table_without_a_default_falls_back_to_48_hours() -> None:
    assert rules.parse_hours("EMS=72", "x").for_("ZTO") == 48


@pytest.mark.parametrize("spec", ["abc", "SF=0", "SF=-3", "48;JD=x"])
def test_a_bad_hours_setting_names_the_setting(spec: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.parse_hours(spec, "tracking_silent_hours")

    assert [p.field for p in caught.value.fields] == ["tracking_silent_hours"]


def test_due_time_depends_on_the_kind() -> None:
    table = rules.parse_hours("24;lost=48", "exception_due_hours")

    assert rules.due_at(table, CaseKind.LOST, NOW) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert rules.due_at(table, CaseKind.DAMAGED, NOW) == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("status", "detail", "kind"), [
    ("delivery_attempted", None, CaseKind.DELIVERY_FAILED),
    ("returning", None, CaseKind.RETURNED),
    ("returned", "退回寄件人", CaseKind.RETURNED),
    ("exception", "快件丢失", CaseKind.LOST),
    ("exception", "Shipment damaged in transit", CaseKind.DAMAGED),
    ("exception", "地址不详", CaseKind.CARRIER_EXCEPTION),
    ("in_transit", None, None),
    ("delivered", None, None),
])
def test_which_carrier_status_opens_which_case(status: str, detail: str | None,
                                               kind: CaseKind | None) -> None:
    assert rules.kind_for(status, detail) is kind


def test_only_open_cases_are_overdue() -> None:
    earlier = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)

    assert rules.is_overdue(CaseState.OPEN, earlier, NOW)
    assert not rules.is_overdue(CaseState.RESOLVED, earlier, NOW)
    assert not rules.is_overdue(CaseState.OPEN, NOW, earlier)


def test_a_refund_is_positive_exact_and_at_most_what_is_left() -> None:
    assert rules.refund_minor("12.30", "CNY", 5000) == 1230
    for amount, code in [("0", "amount.not_positive"), ("60.00", "amount.too_much"),
                         ("1.234", "amount.invalid"), ("ten", "amount.invalid")]:
        with pytest.raises(ValidationFailed) as caught:
            rules.refund_minor(amount, "CNY", 5000)
        assert [(p.field, p.code) for p in caught.value.fields] == [("amount", code)]


def test_every_kind_has_a_reason_in_both_languages() -> None:
    assert {k: sorted(v) for k, v in rules.CUSTOMER_REASON.items()} == {
        k: ["en", "zh-CN"] for k in CaseKind}
