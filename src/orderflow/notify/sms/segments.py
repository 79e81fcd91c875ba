"""How many billed SMS parts a text takes.

Two alphabets exist on the air interface (3GPP TS 23.038):

* GSM-7: 160 septets in a single message, 153 per part of a concatenated one (the
  user-data header eats 7). Characters from the extension table (``^ { } \\ [ ~ ] | €``
  and form feed) are sent as ESC + char, so they count twice and are never split
  across two parts.
* UCS-2 (really UTF-16 on modern handsets): used as soon as one character is outside
  GSM-7, e.g. any Chinese character. 70 units single, 67 per part. Characters
  outside the BMP (most emoji) are a surrogate pair: two units, never split.

Chinese providers bill the same 70/67 rule for every domestic message, signature
included (DOMAIN-CN.md §5.1): ``count_segments(text, signature="商城")`` prefixes
``【商城】`` the way the provider does before counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
CN_MAX_CHARS = 500  # Aliyun / Tencent refuse longer domestic texts (signature included)

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2), signature included
    segments: int  # billed parts; 0 for an empty text
    text: str  # what was counted: signature + text

    @property
    def per_part(self) -> int:
        if self.encoding == "GSM-7":
            return GSM7_SINGLE if self.segments <= 1 else GSM7_PART
        return UCS2_SINGLE if self.segments <= 1 else UCS2_PART


def with_signature(text: str, signature: str | None) -> str:
    """Prefix the Chinese signature as the provider does: 商城 -> 【商城】text."""
    if not signature:
        return text
    sig = signature.strip()
    if not (sig.startswith("【") and sig.endswith("】")):
        sig = f"【{sig}】"
    return sig + text


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _weights(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _parts(weights: list[int], single: int, part: int) -> int:
    total = sum(weights)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, used = 1, 0
    for weight in weights:  # an escape pair or surrogate pair never straddles two parts
        if used + weight > part:
            parts, used = parts + 1, 0
        used += weight
    return parts


def count_segments(text: str, signature: str | None = None) -> SegmentCount:
    full = with_signature(text, signature)
    encoding: Encoding = "GSM-7" if is_gsm7(full) else "UCS-2"
    weights = _weights(full, encoding)
    single, part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    return SegmentCount(encoding, sum(weights), _parts(weights, single, part), full)


def count_segments_cn(text: str, signature: str | None = None) -> SegmentCount:
    """Domestic Chinese billing: every character counts (letters too), 70 single / 67 per part.

    Aliyun and Tencent apply this to all mainland messages even when the text is
    plain ASCII (DOMAIN-CN.md §5.1). Emoji count as two (UTF-16 units).
    """
    full = with_signature(text, signature)
    weights = _weights(full, "UCS-2")
    return SegmentCount("UCS-2", sum(weights), _parts(weights, UCS2_SINGLE, UCS2_PART), full)
