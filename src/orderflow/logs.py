"""Logging that never writes a full phone number, email, token or password.

Masking runs on every log line, on the event loop for the access log, so it must be
cheap whatever a client sends: each line is first cut to `MAX_LINE` characters (with a
"…(N more)" marker), then masked in time linear in its length. Emails are found from
their `@` (or `%40`) outwards with bounded scans instead of a backtracking pattern; the
remaining patterns are anchored on a fixed-length shape.
"""

from __future__ import annotations

import logging
import re

MAX_LINE = 2000

_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-%")
_DOMAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_MAX_LOCAL, _MAX_DOMAIN = 64, 255

_TOKEN = re.compile(r"oft_[0-9a-f]{8}_[A-Za-z0-9_\-]{1,200}")
_SECRET = re.compile(r"(?i)(password|passwd|secret|token|sign)=([^&\s]{1,2000})")
# Personal query parameters in URLs (names, addresses, contacts) lose their value.
_PERSONAL = re.compile(
    r"(?i)\b(name|recipient|recipient_name|customer_name|address|detail|phone|mobile|email"
    r"|tail)=([^&\s]{1,2000})")
# Mainland mobiles, with or without +86 / %2B86 and with '-' or ' ' separators
# (139-1234-0000, 139 1234 0000), and any other international number.
_CN_MOBILE = re.compile(
    r"(?<![\d*])(?:(?:\+|%2B)?86[- ]?)?1[3-9]\d(?:[- ]|%20)?\d{4}(?:[- ]|%20)?\d{4}(?!\d)")
_INTL = re.compile(r"(?<![\d*])(?:\+|%2B)\d{8,15}(?!\d)")
# Percent-encoded non-ASCII text (a Chinese name or address in a URL): two or more
# encoded UTF-8 bytes in a row.
_ENCODED_TEXT = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f]){2,}")


def bound(text: str, limit: int = MAX_LINE) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…({len(text) - limit} more)"


def _mask_phone(m: re.Match[str]) -> str:
    text = m.group(0)
    return text[:-8] + "****" + text[-4:]


def _mask_emails(text: str) -> str:
    """Each `@` or `%40` with a plausible local part before it and a dotted domain after it:
    keep the local part's first character and the domain. Linear: the scans left and right
    of one `@` never cover characters scanned for an earlier one."""
    out: list[str] = []
    done = 0  # text[:done] is already in out
    i = 0
    n = len(text)
    at = enc = -2  # the next '@' and '%40' at or after i (-1: none left)
    while i < n:
        if -1 < at < i or at == -2:
            at = text.find("@", i)
        if -1 < enc < i or enc == -2:
            enc = text.find("%40", i)
        if at < 0 and enc < 0:
            break
        if at < 0 or (0 <= enc < at):
            pos, width = enc, 3
        else:
            pos, width = at, 1
        start, floor = pos, max(i, pos - _MAX_LOCAL)  # no character is scanned twice
        while start > floor and text[start - 1] in _LOCAL:
            start -= 1
        end = pos + width
        limit = min(n, end + _MAX_DOMAIN)
        while end < limit and text[end] in _DOMAIN:
            end += 1
        domain = text[pos + width:end].rstrip(".-")
        if start < pos and "." in domain and not domain.startswith("."):
            out.append(text[done:start])
            out.append(text[start] + "***" + text[pos:pos + width] + domain)
            done = pos + width + len(domain)
            i = done
        else:
            i = pos + width
    out.append(text[done:])
    return "".join(out)


def mask(text: str) -> str:
    """`text` bounded to MAX_LINE characters, with secrets, contacts and names masked."""
    text = bound(text)
    text = _TOKEN.sub(lambda m: m.group(0)[:12] + "…", text)
    text = _SECRET.sub(lambda m: f"{m.group(1)}=***", text)
    text = _PERSONAL.sub(lambda m: f"{m.group(1)}=***", text)
    text = _mask_emails(text)
    text = _CN_MOBILE.sub(_mask_phone, text)
    text = _INTL.sub(_mask_phone, text)
    return _ENCODED_TEXT.sub("%…", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup(level: int = logging.INFO) -> None:
    """Mask every handler of the root logger and of uvicorn's loggers."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    masking = MaskingFilter()
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "orderflow"):
        logger = logging.getLogger(name)
        logger.addFilter(masking)
        for handler in logger.handlers:
            handler.addFilter(masking)
