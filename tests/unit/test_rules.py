from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow import ids, logs, money
from orderflow.notify.dispatch import RateLimit
from orderflow.orders import rules
from orderflow.orders.models import LINE_QUANTITIES


def q(**kw):
    base = dict.fromkeys(LINE_QUANTITIES, 0)
    base["ordered"] = 5
    base.update(kw)
    return base


def test_a_consistent_partially_shipped_and_returned_line_has_no_problems():
    line = q(
        reserved=5, allocated=5, picked=5, packed=5, shipped=3, delivered=3, returned=1, refunded=1
    )
    assert rules.line_problems(line) == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            q(reserved=5, allocated=5, picked=5, packed=5, shipped=6),
            "shipped (6) exceeds packed (5)",
        ),
        (q(reserved=5, cancelled=1), "reserved (5) exceeds ordered minus cancelled (4)"),
        (
            q(reserved=2, allocated=2, picked=2, packed=2, shipped=2, delivered=1, returned=3),
            "returned (3) exceeds shipped (2)",
        ),
        (q(refunded=6), "refunded plus exchanged (6) exceeds ordered (5)"),
        (q(exchanged=1), "exchanged (1) exceeds returned (0)"),
        (q(delivered=-1), "delivered is negative"),
    ],
)
def test_lines_that_disagree_are_named(line, problem):
    assert problem in rules.line_problems(line)


def test_order_number_has_a_luhn_check_digit_that_catches_a_typo():
    number = ids.order_number("261123", 421)

    assert number == "261123004218"
    assert ids.luhn_valid(number)
    assert not ids.luhn_valid("261123004318")
    assert ids.format_for_reading(number) == "2611 2300 4218"


@given(st.integers(min_value=1, max_value=9_999_999))
def test_every_order_number_validates_and_a_swap_of_neighbours_is_caught(seq):
    number = ids.order_number("261123", seq)
    assert ids.luhn_valid(number)
    for i in range(len(number) - 1):
        a, b = number[i], number[i + 1]
        if a != b and {a, b} != {"0", "9"}:
            swapped = number[:i] + b + a + number[i + 2 :]
            assert not ids.luhn_valid(swapped)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.30", "CNY", 1230),
        ("0", "CNY", 0),
        (5, "CNY", 500),
        ("1000", "JPY", 1000),
        ("1.234", "BHD", 1234),
    ],
)
def test_money_is_exact_in_minor_units(amount, currency, minor):
    assert money.to_minor(amount, currency) == minor
    assert money.to_minor(money.to_str(minor, currency), currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("1.005", "CNY", "more decimals"),
        ("1.5", "JPY", "more decimals"),
        ("abc", "CNY", "not a number"),
        (1.5, "CNY", "not floats"),
        ("NaN", "CNY", "finite"),
    ],
)
def test_bad_money_is_refused_with_a_reason(amount, currency, reason):
    with pytest.raises(money.MoneyError, match=reason):
        money.to_minor(amount, currency)


def test_unknown_currency_is_refused():
    with pytest.raises(money.MoneyError, match="ISO 4217"):
        money.check_currency("RMB")


@pytest.mark.parametrize(
    ("raw", "value", "masked"),
    [
        ("13800138000", "+8613800138000", False),
        ("+86 138 0013 8000", "+8613800138000", False),
        ("131****1907", "131****1907", True),
        ("13800138000-1234", "+8613800138000;ext=1234", True),
        ("13800138000转5678", "+8613800138000;ext=5678", True),
    ],
)
def test_chinese_phones_masked_and_virtual_numbers_are_understood(raw, value, masked):
    phone, problem = rules.check_phone(raw, "CN", "customer.phone")
    assert problem is None
    assert (phone.value, phone.masked) == (value, masked)


def test_an_invalid_phone_names_the_field():
    phone, problem = rules.check_phone("12345", "CN", "customer.phone")
    assert phone is None
    assert (problem.field, problem.code) == ("customer.phone", "phone.invalid")


def test_chinese_address_needs_province_city_district_and_detail():
    problems = rules.address_problems(
        {"country": "CN", "province": "浙江省", "city": "杭州市"}, "shipping_address"
    )
    assert [p.field for p in problems] == ["shipping_address.district", "shipping_address.detail"]


def test_foreign_address_checks_the_postal_code_format():
    problems = rules.address_problems(
        {"country": "US", "city": "Seattle", "detail": "1 Main St", "postal_code": "ABCDE"}, "a"
    )
    assert [(p.field, p.code) for p in problems] == [("a.postal_code", "address.postal_code")]


def test_logs_mask_phones_emails_and_tokens_but_not_order_numbers():
    line = (
        "GET /orders?q=13800138000 by zhang.san@example.com with "
        "oft_1a2b3c4d_SECRETSECRETSECRET order 261123004215 +447911123456"
    )

    masked = logs.mask(line)

    assert "13800138000" not in masked
    assert "138****8000" in masked
    assert "zhang.san@" not in masked
    assert "z***@example.com" in masked
    assert "SECRET" not in masked
    assert "261123004215" in masked
    assert "+447911123456" not in masked


def test_a_channel_rate_limit_spaces_sends_after_the_burst():
    limit = RateLimit(50.0, burst=5)
    start = time.monotonic()
    for _ in range(15):
        limit.wait()

    assert time.monotonic() - start >= (15 - 5) / 50.0 * 0.9
