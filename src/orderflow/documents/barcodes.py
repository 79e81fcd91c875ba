"""Code128 and QR drawing on a reportlab canvas, fitted into a box (points)."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm

QUIET_MODULES = 10
QR_QUIET_MODULES = 4
MAX_MODULE = 0.6 * mm
FIXED_MASK = 0
_DARK_RUNS = re.compile(b"\x01+")


@lru_cache(maxsize=4096)
def code128_pattern(value: str) -> str:
    """Bars (upper case) and spaces (lower case) of `value`, width in modules as A=1..D=4."""
    code = Code128(value, barWidth=1, quiet=0)
    code._calculate()
    return str(code.decomposed)


def code128_modules(value: str) -> int:
    """Width of `value` as Code128 in modules (reportlab picks subsets A/B/C)."""
    return sum(ord(c.upper()) - ord("A") + 1 for c in code128_pattern(value))


def draw_code128(canvas: Any, value: str, box: tuple[float, float, float, float]) -> None:
    """Bars as wide as fit `box` (x, y-bottom, w, h) with quiet zones, centred.

    The bars go straight into the page stream, in module units under one scaling matrix,
    as one filled path of rectangles.
    """
    x, y, w, h = box
    modules = code128_modules(value)
    module = min(MAX_MODULE, w / (modules + 2 * QUIET_MODULES))
    left = x + (w - modules * module) / 2
    ops = [f"q {module:.5f} 0 0 {h:.3f} {left:.2f} {y:.2f} cm"]
    at = 0
    for c in code128_pattern(value):
        width = ord(c.upper()) - 64
        if c.isupper():
            ops.append(f"{at} 0 {width} 1 re")
        at += width
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))


def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i], log[x] = x, i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D  # QR's field polynomial x^8 + x^4 + x^3 + x^2 + 1
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


@lru_cache(maxsize=64)
def _generator_logs(ec_count: int) -> tuple[int, ...]:
    """Logs of the coefficients (after the leading 1) of prod (x - a^i), i < ec_count."""
    g = [1]
    for i in range(ec_count):
        nxt = [*g, 0]
        for j, c in enumerate(g):
            if c:
                nxt[j + 1] ^= _EXP[_LOG[c] + i]
        g = nxt
    return tuple(_LOG[c] for c in g[1:])


def _ecc(data: list[int], ec_count: int) -> list[int]:
    """Reed-Solomon error-correction codewords of one block, with log/antilog tables."""
    logs = _generator_logs(ec_count)
    rest = [*data, *([0] * ec_count)]
    for i in range(len(data)):
        c = rest[i]
        if c:
            lc = _LOG[c]
            for j, gl in enumerate(logs, start=1):
                rest[i + j] ^= _EXP[gl + lc]
    return rest[len(data):]


def _codewords(version: int, level: int, data_list: list[Any]) -> list[int]:
    """reportlab's `QRCode.createData`, with the Reed-Solomon step done by `_ecc`
    (reportlab's polynomial objects cost most of a QR code's time)."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    buffer = qrencoder.QRBitBuffer()
    for data in data_list:
        data.write(buffer, version)
    capacity = sum(b.dataCount for b in blocks) * 8
    if buffer.getLengthInBits() > capacity:
        raise ValueError(f"QR data too long ({buffer.getLengthInBits()} > {capacity} bits)")
    if buffer.getLengthInBits() + 4 <= capacity:
        buffer.put(0, 4)
    while buffer.getLengthInBits() % 8:
        buffer.putBit(False)
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    while buffer.getLengthInBits() < capacity:
        buffer.put(next(pads), 8)
    dc: list[list[int]] = []
    ec: list[list[int]] = []
    offset = 0
    for block in blocks:
        dc.append(list(buffer.buffer[offset:offset + block.dataCount]))
        offset += block.dataCount
        ec.append(_ecc(dc[-1], block.totalCount - block.dataCount))
    return [d for group in (dc, ec) for column in itertools.zip_longest(*group)
            for d in column if d is not None]


def qr_matrix(value: str, *, best_mask: bool = False) -> list[list[bool]]:
    """The QR code of `value` (error correction M, smallest version) as rows of dark modules.

    By default the data mask is fixed (pattern 0) instead of scoring all eight: every mask
    is valid QR and scanners read them all; scoring them costs most of a label's time.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    if best_mask:
        qr.make()
        return [[bool(module) for module in row] for row in qr.modules]
    version = qr.calculate_version()
    template, positions = _template(version, qr.errorCorrectLevel)
    matrix = [list(row) for row in template]
    i = 0
    for byte in _codewords(version, qr.errorCorrectLevel, qr.dataList):
        for shift in (7, 6, 5, 4, 3, 2, 1, 0):
            if byte >> shift & 1:
                col, row = positions[i]
                matrix[row][col] = not matrix[row][col]
            i += 1
    return matrix


@lru_cache(maxsize=80)
def _template(version: int, level: int) -> tuple[tuple[tuple[bool, ...], ...],
                                                 tuple[tuple[int, int], ...]]:
    """The symbol of all-zero codewords (function patterns, format info, masked zeros) and
    the data module positions in placement order: a data bit of 1 flips its module."""
    qr = qrencoder.QRCode(version, level)
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, level)
    qr.dataCache = [0] * sum(b.totalCount for b in blocks)
    qr.makeImpl(False, FIXED_MASK)
    modules = tuple(tuple(bool(m) for m in row) for row in qr.modules)
    return modules, tuple(qr.dataPosIterator())


@lru_cache(maxsize=4096)
def qr_modules(value: str) -> int:
    """Modules per side of `value`'s QR code (without quiet zone), without encoding it."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    return int(qr.calculate_version()) * 4 + 17


def draw_qr(canvas: Any, value: str, box: tuple[float, float, float]) -> None:
    """A QR code with a 4-module quiet zone filling the square (x, y-bottom, size).

    Runs of dark modules are written straight into the page stream as rectangles in module
    units under one scaling matrix: integers only, one filled path — far faster than
    reportlab's QR widget (or even its path object).
    """
    x, y, size = box
    rows = qr_matrix(value)
    n = len(rows)
    module = size / (n + 2 * QR_QUIET_MODULES)
    quiet = QR_QUIET_MODULES * module
    ops = [f"q {module:.5f} 0 0 {module:.5f} {x + quiet:.2f} {y + quiet:.2f} cm"]
    for r, row in enumerate(rows):
        top = n - 1 - r
        ops += [f"{m.start()} {top} {m.end() - m.start()} 1 re"
                for m in _DARK_RUNS.finditer(bytes(row))]
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))
