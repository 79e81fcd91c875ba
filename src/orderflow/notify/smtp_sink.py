"""The demo's local SMTP sink: a real SMTP server (aiosmtpd) that keeps every
message in a Maildir, so the console's Mailbox shows what customers received."""

from __future__ import annotations

import logging
import mailbox
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, directory: Path):
        for sub in ("tmp", "new", "cur"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(directory, create=False)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self.box.add(mailbox.MaildirMessage(raw))
        return "250 Message accepted for delivery"


def start(directory: Path, host: str = "127.0.0.1", port: int = 8025) -> Controller:
    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def serve_forever(directory: Path, host: str = "127.0.0.1", port: int = 8025) -> None:
    # aiosmtpd logs every SMTP command at INFO: five lines a message would bury the
    # console that `make run` prints. Its warnings and errors still show.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = start(directory, host, port)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


@dataclass(frozen=True)
class Mail:
    key: str
    message_id: str
    to: str
    subject: str
    date: str
    text: str
    html: str | None


def read(directory: Path, limit: int = 100) -> list[Mail]:
    """Newest first."""
    if not directory.exists():
        return []
    box = mailbox.Maildir(directory, create=False)
    parser = BytesParser(policy=policy.default)
    items = []
    for key in box.iterkeys():  # iterating a Mailbox itself would yield messages, not keys
        subdir = "new" if (Path(directory) / "new" / key).exists() else "cur"
        path = Path(directory) / subdir / key
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            mtime = 0.0
        items.append((mtime, key))
    mails = []
    for _, key in sorted(items, reverse=True)[:limit]:
        msg = parser.parsebytes(box.get_bytes(key))
        assert isinstance(msg, EmailMessage)
        text_part = msg.get_body(preferencelist=("plain",))
        html_part = msg.get_body(preferencelist=("html",))
        mails.append(Mail(key, str(msg["Message-ID"]), str(msg["To"]), str(msg["Subject"]),
                          str(msg["Date"]), text_part.get_content() if text_part else "",
                          html_part.get_content() if html_part else None))
    return mails
