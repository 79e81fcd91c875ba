"""The same labels as ZPL II for Zebra-compatible thermal printers (203 dpi, 8 dots/mm).

Text uses a printer-resident TrueType CJK font assigned with ``^CW1,<font>``
(default ``E:SIMSUN.TTF``; download one to the printer first) and UTF-8 field
data (``^CI28``). Lines are broken here, with a full-width/half-width estimate,
so the printer never has to wrap Chinese text itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from orderflow.documents.barcodes import QUIET_MODULES, code128_modules, qr_modules
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
from orderflow.documents.text import estimate_width

DOTS_PER_MM = 8
DEFAULT_FONT = "E:SIMSUN.TTF"
RULE_DOTS = 2


def dots(value: float) -> int:
    return round(value * DOTS_PER_MM)


def field_data(value: str) -> str:
    """Field data for ``^FH_``: the three characters ZPL would read as commands, hex-escaped."""
    return value.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _text(op: Text) -> str:
    h = max(10, dots(op.size))
    return f"^FO{dots(op.x)},{dots(op.y)}^A1N,{h},{h}^FH_^FD{field_data(op.text)}^FS"


def _rule(op: Rule) -> str:
    w, h = max(dots(op.w), RULE_DOTS), max(dots(op.h), RULE_DOTS)
    return f"^FO{dots(op.x)},{dots(op.y)}^GB{w},{h},{RULE_DOTS}^FS"


def _barcode(op: Barcode) -> str:
    modules = code128_modules(op.value)
    module = max(1, min(4, dots(op.w) // (modules + 2 * QUIET_MODULES)))
    x = dots(op.x) + (dots(op.w) - module * modules) // 2
    h = dots(op.h)
    return f"^FO{x},{dots(op.y)}^BY{module},3,{h}^BCN,{h},N,N,N,A^FH_^FD{field_data(op.value)}^FS"


def _qr(op: Qr) -> str:
    magnification = max(1, min(10, dots(op.size) // (qr_modules(op.value) + 2)))
    return f"^FO{dots(op.x)},{dots(op.y)}^BQN,2,{magnification}^FH_^FDMA,{field_data(op.value)}^FS"


def _command(op: Op) -> str:
    if isinstance(op, Text):
        return _text(op)
    if isinstance(op, Rule):
        return _rule(op)
    if isinstance(op, Barcode):
        return _barcode(op)
    return _qr(op)


def label_zpl(ops: list[Op], size: LabelSize, font: str = DEFAULT_FONT) -> str:
    head = f"^XA^CI28^PW{dots(size.width)}^LL{dots(size.height)}^LH0,0^CW1,{font}"
    return "\n".join([head, *(_command(op) for op in ops), "^PQ1^XZ"])


def render_zpl(
    labels: Iterable[LabelData],
    *,
    size: str = "100x150",
    privacy: bool = False,
    language: str = "zh-CN",
    font: str = DEFAULT_FONT,
) -> str:
    """One ``^XA … ^XZ`` block per label, in order, with the PDF's content and masking."""
    geometry = label_size(size)
    blocks = (
        label_zpl(
            layout_label(
                label_view(lb, privacy=privacy, language=language), geometry, estimate_width
            ),
            geometry,
            font,
        )
        for lb in labels
    )
    return "\n".join(blocks) + "\n"
