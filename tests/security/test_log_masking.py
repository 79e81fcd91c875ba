"""Finding 12: log masking also covers phones with separators, `%40` emails and
percent-encoded names in URLs."""

from __future__ import annotations

from orderflow import logs


def test_phones_with_separators_are_masked() -> None:
    for phone in ("139-1234-0000", "139 1234 0000", "+86 139-1234-0000", "139%201234%200000"):
        masked = logs.mask(f"GET /track?q={phone} 200")
        assert "1234" not in masked, masked
        assert "0000" in masked


def test_percent_encoded_emails_and_names_in_urls_are_masked() -> None:
    line = ('GET /customers?e=zhang.san%40example.com&n=%E5%BC%A0%E4%B8%89'
            '&recipient=Li%20Si HTTP/1.1" 200')

    masked = logs.mask(line)

    assert "zhang.san" not in masked and "z***%40example.com" in masked
    assert "%E5%BC%A0" not in masked
    assert "Li%20Si" not in masked


def test_order_numbers_and_timestamps_stay_readable() -> None:
    line = "order 261123004215 at 2026-12-07 14:30:00 tracking SF1234567890123"
    assert logs.mask(line) == line
