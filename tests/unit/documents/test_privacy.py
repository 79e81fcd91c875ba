from __future__ import annotations

import pytest

from orderflow.documents.privacy import mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("王五", "王*"),
        ("李", "李*"),
        ("王**", "王**"),
        ("张*三", "张*三"),
        (None, ""),
        ("", ""),
        ("  ", ""),
        ("Alice", "A****"),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138 0013 8000", "138****8000"),
        ("8613800138000", "138****8000"),
        ("131****1907", "131****1907"),
        ("12345678901-1234", "123****8901-1234"),
        ("0571-88886666", "057*****6666"),
        ("95338", "***38"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked
