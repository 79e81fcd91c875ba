"""Idempotency-Key for POSTs, as the IETF draft and Stripe define it.

First use of a key stores `in_flight`; the finished response is stored with it.
The same key again: the stored response (replayed); with a different body, 422;
while the first request is still running, 409. A request that failed with a
server error frees its key so the client may retry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from orderflow import clock
from orderflow.db import Db
from orderflow.errors import Conflict, OrderFlowError
from orderflow.orders.models import IdempotencyRecord

STALE_AFTER = timedelta(minutes=2)  # an in-flight key older than this was abandoned by a crash


class KeyReusedWithOtherBody(OrderFlowError):
    code = "idempotency.key_reused"
    http_status = 422
    title = "Idempotency-Key reused with a different request body"


class KeyInFlight(Conflict):
    code = "idempotency.in_flight"
    title = "A request with this Idempotency-Key is still being processed"


# The headers a replay repeats (the rest belong to the connection, not the answer).
KEPT_HEADERS = ("location", "content-language", "retry-after", "www-authenticate")


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]
    text: str | None = None  # the first answer's body, byte for byte (None: an old record)
    media_type: str = "application/json"
    headers: dict[str, str] | None = None


def fingerprint(method: str, path: str, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def begin(db: Db, scope: str, key: str, request_hash: str) -> Replay | None:
    """Claim the key, or answer from it. Returns None when this request owns the key."""
    now = clock.utcnow()
    try:
        with db.transaction() as s:
            s.add(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash,
                                    state="in_flight", created_at=now))
        return None
    except IntegrityError:
        pass
    with db.transaction() as s:
        rec = s.scalars(select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)).one()
        if rec.request_hash != request_hash:
            raise KeyReusedWithOtherBody(
                "this Idempotency-Key was first used with a different request body")
        if rec.state == "done" and rec.response_status is not None:
            return Replay(rec.response_status, rec.response_body or {}, rec.response_text,
                          rec.response_media_type or "application/json",
                          dict(rec.response_headers or {}))
        if now - rec.created_at < STALE_AFTER:
            raise KeyInFlight("the first request with this key has not finished; retry later")
        taken = s.execute(update(IdempotencyRecord)
                          .where(IdempotencyRecord.id == rec.id,
                                 IdempotencyRecord.created_at == rec.created_at)
                          .values(created_at=now))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise KeyInFlight("the first request with this key has not finished; retry later")
        return None


def finish(db: Db, scope: str, key: str, status: int, body: dict[str, Any], *,
           text: str | None = None, media_type: str | None = None,
           headers: dict[str, str] | None = None) -> None:
    """Keep the answer (or free the key after a server error)."""
    kept = {k: v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS}
    with db.transaction() as s:
        if status >= 500:
            s.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))
            return
        s.execute(update(IdempotencyRecord)
                  .where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
                  .values(state="done", response_status=status, response_body=body,
                          response_text=text, response_media_type=media_type,
                          response_headers=kept))
