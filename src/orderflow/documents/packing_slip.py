"""发货单 / packing slip: what is in the parcel, for the buyer and the packer."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from orderflow.documents.models import PackingSlipData
from orderflow.documents.pages import build, code128, grid, para, usable_width
from orderflow.documents.texts import texts


def _head(data: PackingSlipData, t: dict[str, str], width: float) -> Table:
    title = f"{data.shop_name} · {t['slip_title']}" if data.shop_name else t["slip_title"]
    left = [para(title, 16), Spacer(1, 2 * mm)]
    left += [para(f"{t['order']}: {data.order_number}", 10)]
    left += [para(f"{t['order_date']}: {data.order_date.isoformat()}", 9)]
    right = [code128(data.order_number), para(data.order_number, 8, align=1)]
    table = Table([[left, right]], colWidths=[width - 66 * mm, 66 * mm])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER")])
    )
    return table


def _who(data: PackingSlipData, t: dict[str, str]) -> list[Flowable]:
    r = data.recipient
    name_phone = " ".join(p.strip() for p in (r.name, r.phone) if p and p.strip())
    rows = [f"{t['recipient']}: {name_phone}".rstrip(": "), r.address.one_line()]
    if data.carrier_name or data.tracking_number:
        shipped = " ".join(p for p in (data.carrier_name, data.tracking_number) if p)
        rows.append(f"{t['carrier']} / {t['tracking']}: {shipped}")
    if data.buyer_note:
        rows.append(f"{t['note']}: {data.buyer_note}")
    return [para(row, 10) for row in rows if row]


def _lines(data: PackingSlipData, t: dict[str, str], width: float) -> Table:
    heading = [para(t[k], 9) for k in ("line_no", "sku", "item", "options", "qty")]
    rows: list[list[Any]] = [heading]
    for i, line in enumerate(data.lines, start=1):
        rows.append(
            [
                str(i),
                para(line.sku, 9),
                para(line.name, 9),
                para(line.options or "", 9),
                str(line.quantity),
            ]
        )
    total = sum(line.quantity for line in data.lines)
    rows.append(["", "", para(t["total"], 9), "", str(total)])
    widths = [12 * mm, 38 * mm, width - 108 * mm, 40 * mm, 18 * mm]
    return grid(rows, widths, numeric_cols=(0, 4))


def render_packing_slip(
    data: PackingSlipData, *, language: str = "zh-CN", page_size: str = "A4"
) -> bytes:
    """The packing slip as PDF; headings in `language` ('zh-CN' or 'en'), A4 or A5."""
    t = texts(language)
    width = usable_width(page_size)
    story: list[Flowable] = [_head(data, t, width), Spacer(1, 5 * mm)]
    story += [*_who(data, t), Spacer(1, 5 * mm), _lines(data, t, width)]
    return build(story, size=page_size, title=t["slip_title"], footer=t["page"])
