"""拣货单 / pick list of a wave: one row per SKU, walked in bin order."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from orderflow.documents.models import PickItem, PickListData
from orderflow.documents.pages import build, code128, grid, para, usable_width
from orderflow.documents.texts import texts


@dataclass(frozen=True, slots=True)
class PickRow:
    sku: str
    name: str
    quantity: int
    bins: tuple[str, ...]
    order_count: int


def bin_key(location: str | None) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """Natural order of bin codes (A-01-2 before A-01-10); items without a bin last."""
    if not location:
        return (1, ())
    parts = re.findall(r"\d+|\D+", location.upper())
    return (0, tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts))


def pick_rows(items: Iterable[PickItem]) -> list[PickRow]:
    """Sum quantities per SKU, collect its bins and orders, sort by the first bin."""
    by_sku: dict[str, list[PickItem]] = {}
    for item in items:
        by_sku.setdefault(item.sku, []).append(item)
    rows = [
        PickRow(
            sku,
            group[0].name,
            sum(i.quantity for i in group),
            tuple(sorted({i.bin for i in group if i.bin}, key=bin_key)),
            len({i.order_number for i in group}),
        )
        for sku, group in by_sku.items()
    ]
    return sorted(rows, key=lambda r: (bin_key(r.bins[0] if r.bins else None), r.sku))


def _head(data: PickListData, t: dict[str, str], width: float) -> Table:
    left = [para(f"{t['pick_title']} · {t['wave']} {data.wave_id}", 16), Spacer(1, 2 * mm)]
    if data.warehouse:
        left.append(para(f"{t['warehouse']}: {data.warehouse}", 9.5))
    if data.created_at:
        left.append(para(f"{t['created']}: {data.created_at.strftime('%Y-%m-%d %H:%M')}", 9.5))
    right = [code128(data.wave_id), para(data.wave_id, 8, align=1)]
    table = Table([[left, right]], colWidths=[width - 66 * mm, 66 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _table(rows: list[PickRow], t: dict[str, str], width: float) -> Table:
    keys = ("line_no", "bin", "sku", "item", "qty", "orders", "check")
    table_rows: list[list[Any]] = [[para(t[k], 8.5) for k in keys]]
    for i, row in enumerate(rows, start=1):
        bins = para("\n".join(row.bins), 10)
        table_rows.append(
            [
                str(i),
                bins,
                para(row.sku, 9),
                para(row.name, 9),
                para(str(row.quantity), 11, align=2),
                str(row.order_count),
                "",
            ]
        )
    widths = [12 * mm, 26 * mm, 36 * mm, width - 120 * mm, 14 * mm, 16 * mm, 16 * mm]
    return grid(table_rows, widths, numeric_cols=(0, 4, 5))


def render_pick_list(data: PickListData, *, language: str = "zh-CN") -> bytes:
    """The wave's pick list on A4, rows in bin order; headings in 'zh-CN' or 'en'."""
    t = texts(language)
    width = usable_width("A4")
    rows = pick_rows(data.items)
    summary = t["summary"].format(
        skus=len(rows),
        units=sum(r.quantity for r in rows),
        orders=len({i.order_number for i in data.items}),
    )
    story: list[Flowable] = [_head(data, t, width), Spacer(1, 4 * mm), para(summary, 10)]
    story += [Spacer(1, 3 * mm), _table(rows, t, width)]
    return build(story, size="A4", title=t["pick_title"], footer=t["page"])
