"""A local Twilio Messages endpoint: Basic auth AccountSid:AuthToken, form-encoded To/From/Body.

Answers in Twilio's shapes: 201 with the Message resource, errors as
``{"code", "message", "more_info", "status"}``.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from tests.fakes.server import Reply, Request, json_reply

E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")
PATH_RE = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")


def twilio_error(status: int, code: int, message: str, **headers: str) -> Reply:
    return json_reply(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        **headers,
    )


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    senders: set[str]
    accepted: list[dict[str, str]] = field(default_factory=list)
    rejections: list[int] = field(default_factory=list)
    _scripted: list[Reply] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, code: int, message: str, **headers: str) -> None:
        self._scripted.append(twilio_error(status, code, message, **headers))

    def _refuse(self, status: int, code: int, message: str) -> Reply:
        self.rejections.append(code)
        return twilio_error(status, code, message)

    def handle(self, request: Request) -> Reply:
        with self._lock:
            return self._handle(request)

    def _handle(self, request: Request) -> Reply:
        match = PATH_RE.match(request.path)
        if request.method != "POST" or not match:
            return self._refuse(404, 20404, "The requested resource was not found")
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}" or (
            match["sid"] != self.account_sid
        ):
            return self._refuse(401, 20003, "Authenticate")
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return self._refuse(400, 20001, "Unsupported content type")
        form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        if not form.get("To"):
            return self._refuse(400, 21604, "A 'To' phone number is required.")
        if not E164_RE.match(form["To"]):
            return self._refuse(400, 21211, f"Invalid 'To' Phone Number: {form['To'][:4]}...")
        sender = form.get("From") or form.get("MessagingServiceSid")
        if not sender:
            return self._refuse(400, 21603, "A 'From' or 'MessagingServiceSid' is required.")
        if sender not in self.senders:
            return self._refuse(400, 21606, "The 'From' phone number provided is not valid.")
        if not form.get("Body"):
            return self._refuse(400, 21602, "Message body is required.")
        if self._scripted:
            reply = self._scripted.pop(0)
            assert isinstance(reply.body, dict)
            self.rejections.append(int(reply.body["code"]))
            return reply
        self.accepted.append(form)
        sid = f"SM{len(self.accepted):032x}"
        return json_reply(
            201,
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form["To"],
                "from": sender,
                "body": form["Body"],
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "error_code": None,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
        )
