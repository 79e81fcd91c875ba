from __future__ import annotations

import logging
from pathlib import Path

import pytest

from orderflow.documents.fonts import FALLBACK_CID_FONT, PACKAGED_FONT, cjk_font, find_cjk_font


def test_the_packaged_font_comes_first() -> None:
    assert PACKAGED_FONT.is_file()
    font = cjk_font()
    assert font.embedded
    assert font.source == str(PACKAGED_FONT)


def test_unusable_candidates_are_skipped(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"OTTO" + b"\0" * 64)  # a CFF-flavoured header reportlab refuses
    font = find_cjk_font((tmp_path / "missing.ttc", bogus, PACKAGED_FONT))
    assert font.source == str(PACKAGED_FONT)


def test_stsong_light_is_the_last_resort_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="orderflow.documents.fonts"):
        font = find_cjk_font((tmp_path / "missing.ttc",))
    assert (font.name, font.embedded) == (FALLBACK_CID_FONT, False)
    assert "NOT embedded" in caplog.text
