"""The CJK font every document embeds: packaged → system → reportlab's STSong-Light.

reportlab embeds TrueType (`glyf`) fonts only; CFF-flavoured OpenType such as
Noto Sans CJK `.otf` is refused by `TTFont`, so such candidates are skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

FONT_NAME = "OrderFlowCJK"
FALLBACK_CID_FONT = "STSong-Light"
PACKAGED_FONT = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
SYSTEM_FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJKsc-Regular.ttf"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
)


@dataclass(frozen=True)
class CjkFont:
    """The registered font name, where it came from, and whether PDFs embed it."""

    name: str
    source: str
    embedded: bool


def _try_truetype(path: Path) -> TTFont | None:
    if not path.is_file():
        return None
    try:
        return TTFont(FONT_NAME, str(path), subfontIndex=0)
    except (TTFError, OSError) as exc:
        log.debug("CJK font candidate %s refused: %s", path, exc)
        return None


def find_cjk_font(candidates: tuple[Path, ...] | None = None) -> CjkFont:
    """Register and describe the first usable font; STSong-Light when none loads."""
    paths = candidates if candidates is not None else (PACKAGED_FONT, *SYSTEM_FONTS)
    for path in paths:
        font = _try_truetype(path)
        if font is not None:
            pdfmetrics.registerFont(font)
            return CjkFont(FONT_NAME, str(path), embedded=True)
    log.warning(
        "no TrueType CJK font found (tried %s); falling back to reportlab's %s, "
        "which is NOT embedded: viewers without Adobe's Asian font pack show boxes",
        ", ".join(str(p) for p in paths),
        FALLBACK_CID_FONT,
    )
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
    return CjkFont(FALLBACK_CID_FONT, FALLBACK_CID_FONT, embedded=False)


@lru_cache(maxsize=1)
def cjk_font() -> CjkFont:
    """The process-wide CJK font, looked up once."""
    return find_cjk_font()
