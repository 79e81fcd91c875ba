"""Phones as people write them: every spelling phonenumbers accepts, normalised to E.164."""

from __future__ import annotations

import pytest

from orderflow.orders.rules import check_phone

SPELLINGS = [
    ("13812345678", "CN", "+8613812345678"),
    ("138-1234-5678", "CN", "+8613812345678"),
    ("138 1234 5678", "CN", "+8613812345678"),
    ("138.1234.5678", "CN", "+8613812345678"),
    ("(138) 1234 5678", "CN", "+8613812345678"),
    ("１３８１２３４５６７８", "CN", "+8613812345678"),
    ("１３８－１２３４－５６７８", "CN", "+8613812345678"),
    ("+86-138-1234-5678", "CN", "+8613812345678"),
    ("+86 138 1234 5678", "CN", "+8613812345678"),
    ("＋８６ １３８ １２３４ ５６７８", "CN", "+8613812345678"),
    ("0086 138 1234 5678", "CN", "+8613812345678"),
    ("0086-13812345678", "CN", "+8613812345678"),
    ("8613812345678", "CN", "+8613812345678"),
    ("027-8765-4321", "CN", "+862787654321"),
    ("(027) 8765 4321", "CN", "+862787654321"),
    ("010-65529988", "CN", "+861065529988"),
    ("+86 (10) 6552 9988", "CN", "+861065529988"),
    ("（010）6552-9988 转 123", "CN", "+861065529988;ext=123"),
    ("010-65529988 分机 8", "CN", "+861065529988;ext=8"),
    ("010-65529988-123", "CN", "+861065529988;ext=123"),
    ("010-65529988#123", "CN", "+861065529988;ext=123"),
    ("+1 650-253-0000", "CN", "+16502530000"),
    ("(650) 253-0000", "US", "+16502530000"),
    ("650.253.0000", "US", "+16502530000"),
    ("+1 (650) 253-0000 ext. 12", "US", "+16502530000;ext=12"),
    ("+44 20-7946-0958", "CN", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("+49 30 901820", "DE", "+4930901820"),
    ("+81 3-1234-5678", "JP", "+81312345678"),
]


@pytest.mark.parametrize(("raw", "country", "e164"), SPELLINGS)
def test_every_real_spelling_is_normalised_to_e164(raw, country, e164):
    phone, problem = check_phone(raw, country, "customer.phone")

    assert problem is None
    assert phone is not None
    assert phone.value == e164


@pytest.mark.parametrize("raw", ["13800138000-1234", "13800138000转1234", "138 0013 8000,1234"])
def test_a_mobile_with_an_extension_is_a_virtual_number_and_masked(raw):
    phone, problem = check_phone(raw, "CN", "customer.phone")

    assert problem is None
    assert phone == phone.__class__("+8613800138000;ext=1234", masked=True, mobile=True)


def test_a_landline_extension_is_not_a_masked_number():
    phone, _ = check_phone("027-8765-4321 转 55", "CN", "customer.phone")

    assert phone is not None
    assert (phone.value, phone.masked, phone.mobile) == ("+862787654321;ext=55", False, False)


@pytest.mark.parametrize("raw", ["131****1907", "138＊＊＊＊5678"])
def test_masked_phones_keep_working(raw):
    phone, problem = check_phone(raw, "CN", "customer.phone")

    assert problem is None
    assert phone is not None
    assert (phone.value, phone.masked) == (raw, True)


@pytest.mark.parametrize(("raw", "code"), [("12", "phone.invalid"), ("abc", "phone.unparseable"),
                                           ("138-1234-567", "phone.invalid"),
                                           ("+86 138 1234 56789 0", "phone.invalid")])
def test_what_is_not_a_phone_is_refused(raw, code):
    phone, problem = check_phone(raw, "CN", "customer.phone")

    assert phone is None
    assert problem is not None
    assert problem.code == code
