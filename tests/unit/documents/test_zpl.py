from __future__ import annotations

import re

import pytest

from orderflow.documents import render_zpl
from orderflow.documents.models import Address, Contact, LabelData

from .conftest import make_label


def blocks(zpl: str) -> list[str]:
    return re.findall(r"\^XA.*?\^XZ", zpl, re.DOTALL)


@pytest.mark.parametrize(("size", "dots"), [("100x150", (800, 1200)), ("76x130", (608, 1040))])
def test_one_block_per_label_with_the_expected_commands(
    size: str, dots: tuple[int, int], batch: list[LabelData]
) -> None:
    found = blocks(render_zpl(batch, size=size))
    assert len(found) == len(batch)
    for block, label in zip(found, batch, strict=True):
        assert f"^PW{dots[0]}^LL{dots[1]}" in block
        assert "^CI28" in block
        assert "^CW1,E:SIMSUN.TTF" in block
        assert re.search(rf"\^BCN,\d+,N,N,N,A\^FH_\^FD{label.tracking_number}\^FS", block)
        assert re.search(rf"\^BQN,2,\d+\^FH_\^FDMA,{label.tracking_number}\^FS", block)
        assert f"{label.parcel_index}/{label.parcel_count}" in block
        assert all(
            0 <= int(x) <= dots[0] and 0 <= int(y) <= dots[1]
            for x, y in re.findall(r"\^FO(\d+),(\d+)", block)
        )
    assert "¥128.00" in found[0]


def test_font_is_configurable() -> None:
    assert "^CW1,E:NOTOSANSSC.TTF" in render_zpl([make_label()], font="E:NOTOSANSSC.TTF")


def test_privacy_masks_exactly_like_the_pdf(batch: list[LabelData]) -> None:
    zpl = render_zpl(batch[:2], privacy=True)
    assert "13800138000" not in zpl
    assert "张三1" not in zpl
    assert zpl.count("张** 138****8000") == 2
    masked = make_label(recipient=Contact("王**", "131****1907", Address(detail="x")))
    assert "王** 131****1907" in render_zpl([masked], privacy=True)


def test_absent_fields_print_nothing_and_caret_is_escaped() -> None:
    label = make_label(
        recipient=Contact(None, None, Address(detail="A^B~C_D")),
        remarks=None,
        order_number=None,
        weight_grams=None,
        printed_at=None,
        sort_code=None,
    )
    zpl = render_zpl([label])
    assert "None" not in zpl
    assert "A_5EB_7EC_5FD" in zpl
