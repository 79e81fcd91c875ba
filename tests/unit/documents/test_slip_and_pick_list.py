from __future__ import annotations

from datetime import date

import pytest

from orderflow.documents import render_packing_slip, render_pick_list
from orderflow.documents.models import (
    Address,
    Contact,
    PackingSlipData,
    PickItem,
    PickListData,
    SlipLine,
)
from orderflow.documents.pick_list import pick_rows

from .conftest import MM, decode, font_names, page_texts, pdf_reader, render_page

A4 = (210 * MM, 297 * MM)


def slip(lines: int = 3) -> PackingSlipData:
    return PackingSlipData(
        "OF-20251111-0001",
        date(2025, 11, 11),
        Contact("张晓明", "13800138000", Address("广东省", "深圳市", "南山区", "高新南七道 18 号")),
        [SlipLine(f"SKU-{i}", f"西湖龙井 <礼盒> & 茶杯 {i}", i + 1) for i in range(lines)],
        shop_name="小鹿优选",
        buyer_note="多放泡沫",
    )


@pytest.mark.parametrize(("language", "title"), [("zh-CN", "发货单"), ("en", "Packing slip")])
def test_packing_slip(language: str, title: str) -> None:
    pdf = render_packing_slip(slip(), language=language)
    text = page_texts(pdf)[0]
    assert title in text
    assert "OF-20251111-0001" in text
    assert "张晓明" in text
    assert "SKU-2" in text
    assert "西湖龙井 <礼盒> & 茶杯 2" in text
    assert any("WenQuanYi" in n for n in font_names(pdf))
    assert decode(render_page(pdf, dpi=200))["CODE128"] == ["OF-20251111-0001"]


def test_a_long_packing_slip_runs_onto_more_pages() -> None:
    pages = pdf_reader(render_packing_slip(slip(80))).pages
    assert len(pages) > 1
    assert (float(pages[0].mediabox.width), float(pages[0].mediabox.height)) == pytest.approx(
        A4, abs=0.1
    )


def items() -> list[PickItem]:
    return [
        PickItem("O1", "TEA", "龙井", 2, "A-01-10"),
        PickItem("O2", "TEA", "龙井", 1, "A-01-10"),
        PickItem("O2", "TEA", "龙井", 1, "A-01-3"),
        PickItem("O1", "CUP", "茶杯", 1, "B-02-01"),
        PickItem("O3", "BAG", "手提袋", 3, "A-01-2"),
        PickItem("O3", "NEW", "无库位商品", 1, None),
    ]


def test_pick_rows_sum_per_sku_in_bin_order() -> None:
    rows = pick_rows(items())
    assert [r.sku for r in rows] == ["BAG", "TEA", "CUP", "NEW"]
    tea = rows[1]
    assert (tea.quantity, tea.bins, tea.order_count) == (4, ("A-01-3", "A-01-10"), 2)


@pytest.mark.parametrize(("language", "title"), [("zh-CN", "拣货单"), ("en", "Pick list")])
def test_pick_list(language: str, title: str) -> None:
    pdf = render_pick_list(PickListData("W-0007", items()), language=language)
    page = pdf_reader(pdf).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.1)
    text = page.extract_text()
    assert title in text
    assert "W-0007" in text
    assert text.index("BAG") < text.index("TEA") < text.index("CUP") < text.index("NEW")
    assert decode(render_page(pdf, dpi=200))["CODE128"] == ["W-0007"]
