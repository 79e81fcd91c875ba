"""Code128 and QR drawing on a reportlab canvas, fitted into a box (points)."""

from __future__ import annotations

import itertools
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm

QUIET_MODULES = 10
QR_QUIET_MODULES = 4
MAX_MODULE = 0.6 * mm


def code128_modules(value: str) -> int:
    """Width of `value` as Code128 in modules (reportlab picks subsets A/B/C)."""
    return int(Code128(value, barWidth=1, quiet=0).minWidth())


def draw_code128(canvas: Any, value: str, box: tuple[float, float, float, float]) -> None:
    """Bars as wide as fit `box` (x, y-bottom, w, h) with quiet zones, centred."""
    x, y, w, h = box
    module = min(MAX_MODULE, w / (code128_modules(value) + 2 * QUIET_MODULES))
    code = Code128(
        value,
        barWidth=module,
        barHeight=h,
        quiet=1,
        lquiet=QUIET_MODULES * module,
        rquiet=QUIET_MODULES * module,
    )
    code.drawOn(canvas, x + (w - code.width) / 2, y)


def qr_matrix(value: str) -> list[list[bool]]:
    """The QR code of `value` (error correction M, smallest version) as rows of dark modules."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    return [[bool(module) for module in row] for row in qr.modules]


def draw_qr(canvas: Any, value: str, box: tuple[float, float, float]) -> None:
    """A QR code with a 4-module quiet zone filling the square (x, y-bottom, size).

    Runs of dark modules are drawn as one rectangle each in a single path,
    which is far faster than reportlab's QR widget for batches of labels.
    """
    x, y, size = box
    rows = qr_matrix(value)
    module = size / (len(rows) + 2 * QR_QUIET_MODULES)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + QR_QUIET_MODULES) * module
        c = 0
        for dark, run in itertools.groupby(row):
            n = len(list(run))
            if dark:
                path.rect(x + (c + QR_QUIET_MODULES) * module, top - module, n * module, module)
            c += n
    canvas.drawPath(path, stroke=0, fill=1)
