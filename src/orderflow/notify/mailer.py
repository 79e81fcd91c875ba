"""Email over SMTP (plain, STARTTLS or SSL, with auth): text and HTML parts and a
stable Message-ID, so a repeat after a crash carries the same id."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate

from orderflow.config import Settings
from orderflow.notify.channels import Outgoing, PermanentFailure, SendResult, TemporaryFailure

TEMPORARY_SMTP = range(400, 500)


def build_message(message: Outgoing, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = message.recipient
    msg["Subject"] = message.subject or ""
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "orderflow.local"
    msg["Message-ID"] = f"<{message.message_id}@{domain}>"
    msg["X-OrderFlow-Notice"] = message.message_id
    if message.event_type:
        msg["X-OrderFlow-Milestone"] = message.event_type
    if message.template_params.get("order_number"):
        msg["X-OrderFlow-Order"] = message.template_params["order_number"]
    msg["Content-Language"] = message.language
    msg.set_content(message.text)
    if message.html:
        msg.add_alternative(message.html, subtype="html")
    return msg


class SmtpChannel:
    """One SMTP connection per thread, reused across messages."""

    name = "email"

    def __init__(self, settings: Settings, *, timeout: float = 15.0):
        self.settings = settings
        self.timeout = timeout
        self._local = threading.local()

    def _connect(self) -> smtplib.SMTP:
        st = self.settings
        if st.smtp_security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(st.smtp_host, st.smtp_port, timeout=self.timeout,
                                                  context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(st.smtp_host, st.smtp_port, timeout=self.timeout)
            if st.smtp_security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        if st.smtp_user and st.smtp_password:
            conn.login(st.smtp_user, st.smtp_password)
        return conn

    def _conn(self) -> smtplib.SMTP:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def send(self, message: Outgoing) -> SendResult:
        msg = build_message(message, self.settings.mail_from)
        try:
            refused = self._conn().send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            code, text = next(iter(exc.recipients.values()))
            if code in TEMPORARY_SMTP:
                raise TemporaryFailure(f"recipient deferred: {code}", code="smtp.deferred") from exc
            raise PermanentFailure(f"recipient refused: {code} {text!r}",
                                   code="smtp.refused") from exc
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()  # the account, not this message: the circuit holds every notice
            raise PermanentFailure(f"SMTP login refused: {exc.smtp_code}",
                                   code="smtp.auth") from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            if exc.smtp_code in TEMPORARY_SMTP:
                raise TemporaryFailure(f"SMTP {exc.smtp_code}", code="smtp.temporary") from exc
            raise PermanentFailure(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                                   code="smtp.rejected") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TemporaryFailure(f"SMTP unavailable: {exc}", code="smtp.unavailable") from exc
        if refused:
            raise PermanentFailure(f"recipient refused: {refused}", code="smtp.refused")
        return SendResult(provider_message_id=str(msg["Message-ID"]))

    def close(self) -> None:
        self._drop()


__all__ = ["SmtpChannel", "build_message"]
