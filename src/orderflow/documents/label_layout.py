"""An e-waybill layout as drawing operations in millimetres (origin top-left).

Bands from top to bottom: carrier/service header, sorting code (三段码), Code128
barcode with its number, recipient (收), sender (寄), parcel/weight/COD, and a
footer with order number, remarks, print time and a QR code. Every text is
fitted into its box with the backend's own width measure, so long addresses
shrink and wrap instead of leaving the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow.documents.label_view import LabelView, PartyView
from orderflow.documents.text import Measure, fit


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # top of the line
    size: float  # em height in mm
    text: str
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    x: float
    y: float
    w: float
    h: float  # w == 0 or h == 0 for a line; both for a box outline


@dataclass(frozen=True, slots=True)
class Barcode:
    x: float
    y: float
    w: float
    h: float
    value: str


@dataclass(frozen=True, slots=True)
class Qr:
    x: float
    y: float
    size: float
    value: str


Op = Text | Rule | Barcode | Qr


@dataclass(frozen=True, slots=True)
class LabelSize:
    width: float
    height: float
    margin: float
    bands: tuple[float, float, float, float, float, float]  # header … info; footer = rest

    @property
    def scale(self) -> float:
        return (self.width - 2 * self.margin) / 94


SIZES: dict[str, LabelSize] = {
    "100x150": LabelSize(100, 150, 3, (11, 16, 25, 32, 18, 10)),
    "76x130": LabelSize(76, 130, 2.5, (9, 13, 20, 27, 16, 9)),
}


def label_size(name: str) -> LabelSize:
    try:
        return SIZES[name]
    except KeyError:
        raise ValueError(f"label size must be one of {sorted(SIZES)}, not {name!r}") from None


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float


class _Layout:
    """Collects the operations of one label; one method per band."""

    def __init__(self, size: LabelSize, measure: Measure) -> None:
        self.size, self.measure, self.s = size, measure, size.scale
        self.ops: list[Op] = []

    def text_box(self, text: str, box: Box, sizes: tuple[float, float], bold: bool = False) -> None:
        if not text:
            return
        em, lines = fit(text, (box.w, box.h), (sizes[0] * self.s, sizes[1] * self.s), self.measure)
        for i, line in enumerate(lines):
            self.ops.append(Text(box.x, box.y + i * em * 1.2, em, line, bold))

    def centred(self, text: str, box: Box, size: float, bold: bool = False) -> None:
        """One line centred in `box`, shrunk (never wrapped) until it fits."""
        if not text:
            return
        em = min(size * self.s, box.w / max(self.measure(text, 1.0), 1e-6), box.h / 1.2)
        x = box.x + (box.w - self.measure(text, em)) / 2
        self.ops.append(Text(x, box.y + (box.h - em) / 2, em, text, bold))

    def header(self, v: LabelView, b: Box) -> None:
        service_w = b.w * 0.38
        self.text_box(
            v.carrier, Box(b.x + 1, b.y + 1.5, b.w - service_w - 2, b.h - 2), (6, 3), True
        )
        if v.service:
            self.ops.append(Rule(b.x + b.w - service_w, b.y + 1.5, service_w - 1, b.h - 3))
            self.centred(
                v.service, Box(b.x + b.w - service_w + 1, b.y + 1.5, service_w - 3, b.h - 3), 4
            )

    def sort_code(self, v: LabelView, b: Box) -> None:
        if v.sort_code:
            self.centred(v.sort_code, Box(b.x + 1, b.y + 0.5, b.w - 2, b.h - 1), 10, bold=True)

    def barcode(self, v: LabelView, b: Box) -> None:
        number_h = 4 * self.s
        self.ops.append(Barcode(b.x + 2, b.y + 1.5, b.w - 4, b.h - number_h - 2.5, v.tracking))
        self.centred(v.tracking, Box(b.x, b.y + b.h - number_h - 0.5, b.w, number_h), 3.2, True)

    def party(self, label: str, p: PartyView, b: Box, big: bool) -> None:
        tag_w = (9 if big else 7) * self.s
        self.ops.append(Rule(b.x + tag_w, b.y, 0, b.h))
        self.centred(label, Box(b.x, b.y, tag_w, b.h), 6 if big else 4.5, bold=True)
        inner = Box(b.x + tag_w + 1.5, b.y + 1.2, b.w - tag_w - 2.5, b.h - 2.2)
        name_h = (5.6 if big else 4) * self.s if p.name_phone else 0
        self.text_box(
            p.name_phone,
            Box(inner.x, inner.y, inner.w, name_h),
            (4.5, 3) if big else (3.2, 2),
            True,
        )
        addr = Box(inner.x, inner.y + name_h, inner.w, inner.h - name_h)
        self.text_box(p.address, addr, (4.2, 2.2) if big else (3, 1.8))

    def info(self, v: LabelView, b: Box) -> None:
        h = v.headings
        cells = [(h["parcel"], v.parcel), (h["weight"], v.weight), (h["cod"], v.cod)]
        widths = (0.27 * b.w, 0.3 * b.w, 0.43 * b.w)
        x = b.x
        for (title, value), w in zip(cells, widths, strict=True):
            if x > b.x:
                self.ops.append(Rule(x, b.y, 0, b.h))
            if value:
                self.text_box(title, Box(x + 1, b.y + 0.8, w - 2, 3 * self.s), (2.6, 1.8))
            value_box = Box(x + 1, b.y + 0.8 + 3 * self.s, w - 2, b.h - 1.3 - 3 * self.s)
            self.text_box(value, value_box, (4, 2.5), True)
            x += w

    def footer(self, v: LabelView, b: Box) -> None:
        qr = min(b.h - 2, 26 * self.s)
        self.ops.append(Qr(b.x + b.w - qr - 0.5, b.y + 1, qr, v.qr_value))
        col = Box(b.x + 1, b.y + 1.2, b.w - qr - 3, b.h - 2)
        line = 3.6 * self.s
        h = v.headings
        rows = [(h["order"], v.order), (h["printed"], v.printed)]
        for i, (title, value) in enumerate((t, val) for t, val in rows if val):
            self.text_box(f"{title}: {value}", Box(col.x, col.y + i * line, col.w, line), (3, 1.8))
        used = line * sum(1 for _, val in rows if val)
        sign = Box(col.x, b.y + b.h - line - 1, col.w, line)
        if v.remarks:
            remarks = f"{h['remarks']}: {v.remarks}"
            room = sign.y - col.y - used - 1.6
            self.text_box(remarks, Box(col.x, col.y + used + 0.8, col.w, room), (3, 1.8))
        self.text_box(h["sign"], sign, (2.8, 1.8))


def layout_label(v: LabelView, size: LabelSize, measure: Measure) -> list[Op]:
    """The drawing operations of one label of `size`, texts fitted with `measure`."""
    lay = _Layout(size, measure)
    m = size.margin
    width, top = size.width - 2 * m, m
    bands = [*size.bands, size.height - 2 * m - sum(size.bands)]
    boxes = []
    for h in bands:
        boxes.append(Box(m, top, width, h))
        top += h
    lay.ops.append(Rule(m, m, width, size.height - 2 * m))
    lay.ops.extend(Rule(m, b.y, width, 0) for b in boxes[1:])
    lay.header(v, boxes[0])
    lay.sort_code(v, boxes[1])
    lay.barcode(v, boxes[2])
    lay.party(v.headings["to"], v.recipient, boxes[3], big=True)
    lay.party(v.headings["from"], v.sender, boxes[4], big=False)
    lay.info(v, boxes[5])
    lay.footer(v, boxes[6])
    return lay.ops
