"""Waybill labels (面单, 隐私面单) as one multi-page PDF, one label per page."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream, PDFZCompress
from reportlab.pdfgen.canvas import Canvas

from orderflow.documents.barcodes import draw_code128, draw_qr
from orderflow.documents.fonts import cjk_font
from orderflow.documents.label_layout import (
    Barcode,
    LabelSize,
    Op,
    Qr,
    Rule,
    Text,
    label_size,
    layout_label,
)
from orderflow.documents.label_view import label_view
from orderflow.documents.models import LabelData
from orderflow.documents.text import Measure

Progress = Callable[[int, int | None], None]
"""progress(done, total); total is None when the labels come from an unsized iterable."""

ASCENT = 0.84  # baseline below the top of the line, in em
RULE_WIDTH = 0.25 * mm


def pdf_measure(font: str) -> Measure:
    """Width in mm of `text` at an em size given in mm, from the font's metrics.

    Glyph widths are looked up once per character (reportlab's pure-Python TrueType
    width loop is a visible share of a label's time otherwise).
    """
    widths: dict[str, float] = {}

    def em(char: str) -> float:
        width = widths.get(char)
        if width is None:
            width = widths[char] = float(pdfmetrics.stringWidth(char, font, 1.0))
        return width

    return lambda text, size: sum(em(c) for c in text) * size


def _draw_text(c: Any, op: Text, page_h: float, font: str) -> None:
    size = op.size * mm
    text = c.beginText(op.x * mm, page_h - (op.y + ASCENT * op.size) * mm)
    text.setFont(font, size)
    c.setLineWidth(size * 0.04)
    text.setTextRenderMode(2 if op.bold else 0)
    text.textOut(op.text)
    c.drawText(text)


def _draw_op(c: Any, op: Op, page_h: float, font: str) -> None:
    if isinstance(op, Text):
        _draw_text(c, op, page_h, font)
        return
    x, w, h = op.x * mm, getattr(op, "w", 0) * mm, getattr(op, "h", 0) * mm
    if isinstance(op, Rule):
        c.setLineWidth(RULE_WIDTH)
        if w and h:
            c.rect(x, page_h - op.y * mm - h, w, h)
        else:
            c.line(x, page_h - op.y * mm, x + w, page_h - op.y * mm - h)
    elif isinstance(op, Barcode):
        draw_code128(c, op.value, (x, page_h - op.y * mm - h, w, h))
    elif isinstance(op, Qr):
        size = op.size * mm
        draw_qr(c, op.value, (x, page_h - op.y * mm - size, size))


def _draw_label(c: Any, ops: list[Op], size: LabelSize, font: str) -> None:
    page_h = size.height * mm
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(0, 0, 0)
    for op in ops:
        _draw_op(c, op, page_h, font)
    c.showPage()
    _compress_last_page(c)


def _compress_last_page(c: Any) -> None:
    """Deflate the page just finished now, not at save: reportlab otherwise keeps every
    page's uncompressed operators (~11 KB a label) until the end of the batch."""
    page = c._doc.Pages.pages[-1]
    if page.Contents or not page.stream:
        return
    stream = PDFStream(content=PDFZCompress.encode(page.stream))
    stream.dictionary["Filter"] = PDFArray([PDFName(PDFZCompress.pdfname)])
    page.Contents, page.stream = stream, None


def write_labels(
    out: BinaryIO,
    labels: Iterable[LabelData],
    *,
    size: str = "100x150",
    privacy: bool = False,
    language: str = "zh-CN",
    progress: Progress | None = None,
) -> int:
    """Write the labels to `out` page by page; returns the number of labels written."""
    geometry = label_size(size)
    with _binary_streams():
        return _write(out, labels, geometry, privacy, language, progress)


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Compressed page streams without the ASCII85 layer (pure Python here, ~20% of the time)."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def _write(out: BinaryIO, labels: Iterable[LabelData], geometry: LabelSize, privacy: bool,
           language: str, progress: Progress | None) -> int:
    font = cjk_font().name
    measure = pdf_measure(font)
    total = len(labels) if isinstance(labels, Sized) else None
    c = Canvas(out, pagesize=(geometry.width * mm, geometry.height * mm), pageCompression=1)
    c.setTitle("隐私面单" if privacy else "面单")
    c.setCreator("OrderFlow")
    done = 0
    for label in labels:
        view = label_view(label, privacy=privacy, language=language)
        _draw_label(c, layout_label(view, geometry, measure), geometry, font)
        done += 1
        if progress is not None:
            progress(done, total)
    if done == 0:
        c.showPage()
    c.save()
    return done


def render_labels(
    labels: Iterable[LabelData],
    *,
    size: str = "100x150",
    privacy: bool = False,
    language: str = "zh-CN",
    progress: Progress | None = None,
) -> bytes:
    """One PDF, one label per page in the given order (sizes "100x150" and "76x130")."""
    buffer = io.BytesIO()
    write_labels(buffer, labels, size=size, privacy=privacy, language=language, progress=progress)
    return buffer.getvalue()
