"""Line breaking and shrink-to-fit for a box, with any width measure.

CJK text may break between any two characters; runs of printable ASCII
(words, numbers, 12-3-401室) stay whole unless a run alone is wider than the box.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

Measure = Callable[[str, float], float]
"""(text, font size) -> width, in the same unit as the size (mm here)."""

ELLIPSIS = "…"
_TOKENS = re.compile(r"[!-~]+|\s+|.", re.DOTALL)


def estimate_width(text: str, size: float) -> float:
    """A font-free measure: full-width characters one em, the rest 0.55 em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return size * (wide + 0.55 * (len(text) - wide))


def _split_long(token: str, width: float, size: float, measure: Measure) -> list[str]:
    pieces, current = [], ""
    for ch in token:
        if current and measure(current + ch, size) > width:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current] if current else pieces


def wrap(text: str, width: float, size: float, measure: Measure) -> list[str]:
    """Greedy line breaking of `text` (newlines respected) into lines no wider than `width`."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(_wrap_paragraph(paragraph, width, size, measure))
    return [line for line in lines if line]


def _wrap_paragraph(text: str, width: float, size: float, measure: Measure) -> list[str]:
    """Greedy, with a running width: both measures are additive per character (no kerning),
    so a line's width is the sum of its tokens' and each token is measured once."""
    lines: list[str] = []
    current, current_w = "", 0.0
    for token in _TOKENS.findall(text):
        token_w = measure(token, size)
        if current_w + token_w <= width + 1e-9:
            current, current_w = current + token, current_w + token_w
            continue
        if current.strip():
            lines.append(current.rstrip())
        current, current_w = ("", 0.0) if token.isspace() else (token, token_w)
        if current_w > width:
            *full, current = _split_long(current, width, size, measure)
            lines.extend(full)
            current_w = measure(current, size)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def ellipsize(line: str, width: float, size: float, measure: Measure) -> str:
    while line and measure(line + ELLIPSIS, size) > width:
        line = line[:-1]
    return line + ELLIPSIS


def fit(
    text: str,
    box: tuple[float, float],
    sizes: tuple[float, float],
    measure: Measure,
    leading: float = 1.2,
) -> tuple[float, list[str]]:
    """The largest size in [min, max] whose wrapped lines fit the (width, height) box.

    At the smallest size, lines that still do not fit are cut and the last kept
    line ends with an ellipsis, so nothing is ever drawn outside the box.
    """
    width, height = box
    smallest, size = sizes[1], sizes[0]
    while True:
        lines = wrap(text, width, size, measure)
        if len(lines) * size * leading <= height + 1e-6:
            return size, lines
        if size <= smallest:
            break
        size = max(smallest, size - 0.1 * sizes[0])
    keep = max(1, int((height + 1e-6) // (size * leading)))
    if len(lines) > keep:
        lines = [*lines[: keep - 1], ellipsize(lines[keep - 1], width, size, measure)]
    return size, lines
