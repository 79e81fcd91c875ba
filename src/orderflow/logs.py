"""Logging that never writes a full phone number, email, token or password."""

from __future__ import annotations

import logging
import re

_RULES = [
    (re.compile(r"oft_[0-9a-f]{8}_[A-Za-z0-9_\-]+"), lambda m: m.group(0)[:12] + "…"),
    (re.compile(r"(?i)(password|passwd|secret|token)=([^&\s]+)"), lambda m: f"{m.group(1)}=***"),
    (
        re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
        lambda m: m.group(0)[0] + "***@" + m.group(0).split("@", 1)[1],
    ),
    (
        re.compile(
            r"(?<![\d*])(?:(?:\+|%2B)?86)?1[3-9]\d{9}(?!\d)|(?<![\d*])(?:\+|%2B)\d{8,15}(?!\d)"
        ),
        lambda m: m.group(0)[:-8] + "****" + m.group(0)[-4:],
    ),
]


def mask(text: str) -> str:
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text


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
