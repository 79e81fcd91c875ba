"""Shared pieces of the A4/A5 documents (packing slip, pick list): styles, tables, build."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from orderflow.documents.fonts import cjk_font

PAGE_SIZES = {"A4": A4, "A5": A5}
MARGIN = 14 * mm


def page_size(name: str) -> tuple[float, float]:
    try:
        size: tuple[float, float] = PAGE_SIZES[name]
    except KeyError:
        raise ValueError(f"page size must be one of {sorted(PAGE_SIZES)}, not {name!r}") from None
    return size


def style(size: float = 9.5, *, align: int = 0) -> ParagraphStyle:
    """A paragraph style in the CJK font (which has no bold face: emphasis is size)."""
    name = f"of-{size}-{align}"
    return ParagraphStyle(
        name,
        fontName=cjk_font().name,
        fontSize=size,
        leading=size * 1.3,
        alignment=align,
        wordWrap="CJK",
    )


def para(text: str, size: float = 9.5, *, align: int = 0) -> Paragraph:
    """A paragraph of plain text (escaped, so < & > in product names print as they are)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>"), style(size, align=align))


def code128(value: str, height: float = 12 * mm) -> Flowable:
    module = min(0.45 * mm, 60 * mm / (Code128(value, barWidth=1, quiet=0).minWidth() + 20))
    code: Flowable = Code128(value, barWidth=module, barHeight=height, humanReadable=False)
    return code


def grid(
    rows: Sequence[Sequence[Any]], widths: Sequence[float], numeric_cols: Sequence[int]
) -> Table:
    """A table with a shaded heading row repeated on every page."""
    table = Table(list(rows), colWidths=list(widths), repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    commands += [("ALIGN", (c, 0), (c, -1), "RIGHT") for c in numeric_cols]
    table.setStyle(TableStyle(commands))
    return table


def build(story: list[Flowable], *, size: str, title: str, footer: str) -> bytes:
    """Lay the story out on pages of `size` with `footer` ('{n}' = page number) at the bottom."""
    width, height = page_size(size)
    buffer = io.BytesIO()

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.setFont(cjk_font().name, 8)
        text = f"{title} · {footer.format(n=doc.page)}"
        canvas.drawRightString(width - MARGIN, MARGIN / 2, text)

    doc = SimpleDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        creator="OrderFlow",
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def usable_width(size: str) -> float:
    return float(page_size(size)[0] - 2 * MARGIN)
