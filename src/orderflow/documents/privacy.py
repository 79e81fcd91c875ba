"""隐私面单 masking: never print what is absent, never unmask what came masked."""

from __future__ import annotations

import re

MASK = "*"
_VIRTUAL = re.compile(r"^(\d{11})-(\d{1,6})$")  # WeChat virtual number 主机号-分机号


def is_masked(value: str) -> bool:
    return MASK in value or "＊" in value


def mask_name(name: str | None) -> str:
    """张三丰 -> 张**; 王** stays 王**; None -> ''."""
    text = (name or "").strip()
    if not text or is_masked(text):
        return text
    return text[0] + MASK * max(1, len(text) - 1)


def _mask_digits(digits: str) -> str:
    if len(digits) >= 8:
        return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]
    if len(digits) > 2:
        return MASK * (len(digits) - 2) + digits[-2:]
    return MASK * len(digits)


def mask_phone(phone: str | None) -> str:
    """13800138000 -> 138****8000; +86 prefix dropped; 131****1907 stays; None -> ''."""
    text = (phone or "").strip()
    if not text or is_masked(text):
        return text
    virtual = _VIRTUAL.match(text)
    if virtual:
        return f"{_mask_digits(virtual.group(1))}-{virtual.group(2)}"
    digits = re.sub(r"\D", "", text)
    if text.startswith("+86") or (digits.startswith("86") and len(digits) == 13):
        digits = digits[2:]
    return _mask_digits(digits)
