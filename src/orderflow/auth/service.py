"""Staff accounts (argon2id), login throttling, and scoped API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.auth import permissions
from orderflow.auth.models import ApiToken, LoginAttempt, Role, StaffSession, StaffUser
from orderflow.db import Db
from orderflow.errors import (
    Conflict,
    FieldProblem,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("timing-equaliser")

SCOPES = permissions.SCOPES  # one table: orderflow.auth.permissions
ALL_SCOPES = sorted(SCOPES)
TOKEN_PREFIX = "oft_"


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    username: str
    display_name: str
    role: Role
    language: str


@dataclass(frozen=True)
class TokenIdentity:
    id: int
    name: str
    scopes: frozenset[str]
    role: Role | None = None  # the role of the staff user the token was made for, if any


def _identity(user: StaffUser) -> StaffIdentity:
    return StaffIdentity(user.id, user.username, user.display_name, user.role, user.language)


def create_user(db: Db, username: str, password: str, *, role: Role,
                display_name: str | None = None, language: str = "zh-CN") -> StaffIdentity:
    problems = []
    if (not username or len(username) > 64
            or not username.replace("_", "").replace(".", "").isalnum()):
        problems.append(FieldProblem("username", "username.invalid",
                                     "use 1-64 letters, digits, dots or underscores"))
    if len(password) < 8:
        problems.append(FieldProblem("password", "password.too_short", "use at least 8 characters"))
    if problems:
        raise ValidationFailed(problems)
    with db.transaction() as s:
        if s.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            raise Conflict(f"user '{username}' already exists", code="user.exists")
        user = StaffUser(username=username, display_name=display_name or username,
                         password_hash=_hasher.hash(password), role=role, language=language,
                         active=True, created_at=clock.utcnow())
        s.add(user)
        s.flush()
        return _identity(user)


# --- login throttling -------------------------------------------------------------------
# Gradual back-off, never a lock for everyone: after `free` failures in the last hour,
# each further try waits 2**(failures - free) seconds after the last failure, up to a cap.
# Three keys: this account from this address (cap 15 min), this address on any account
# (cap 15 min), and this account from anywhere (cap 30 s, and not applied to an address
# that signed in to the account before: a spread-out attack slows guessing to two a
# minute without keeping the real user out).
PAIR_FREE, ADDRESS_FREE_FACTOR = 5, 4
LOCAL_CAP_S, ACCOUNT_CAP_S = 900, 30
KNOWN_ADDRESS_DAYS = 30


class LoginThrottled(TooManyRequests):
    def __init__(self, retry_after_s: int):
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s",
                         code="auth.throttled")
        self.retry_after_s = retry_after_s


def backoff_s(failures: int, free: int, cap: int) -> int:
    return 0 if failures < free else min(cap, 2 ** min(failures - free, 20))


def _failures(s: Session, *conditions: Any) -> tuple[int, datetime | None]:
    row = s.execute(select(func.count(), func.max(LoginAttempt.at))
                    .where(LoginAttempt.success.is_(False), *conditions)).one()
    return int(row[0] or 0), row[1]


def _address_is(address: str | None) -> Any:
    return LoginAttempt.address.is_(None) if address is None else LoginAttempt.address == address


def _wait_s(s: Session, username: str, address: str | None, now: datetime,
            account_free: int) -> int:
    """Seconds this address must still wait before trying this account (0: go ahead)."""
    hour = LoginAttempt.at > now - timedelta(hours=1)
    last_ok = s.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username, _address_is(address), LoginAttempt.success.is_(True)))
    since_ok = LoginAttempt.at > last_ok if last_ok is not None else hour
    keys = [(_failures(s, LoginAttempt.username == username, _address_is(address), hour,
                       since_ok), PAIR_FREE, LOCAL_CAP_S)]
    if address is not None:
        keys.append((_failures(s, LoginAttempt.address == address, hour),
                     PAIR_FREE * ADDRESS_FREE_FACTOR, LOCAL_CAP_S))
    known = last_ok is not None and last_ok > now - timedelta(days=KNOWN_ADDRESS_DAYS)
    if not known:
        keys.append((_failures(s, LoginAttempt.username == username, hour), account_free,
                     ACCOUNT_CAP_S))
    wait = 0
    for (count, last), free, cap in keys:
        if last is not None and (delay := backoff_s(count, free, cap)):
            wait = max(wait, int((last + timedelta(seconds=delay) - now).total_seconds() + 0.999))
    return wait


def authenticate(db: Db, username: str, password: str, *, address: str | None = None,
                 max_failures_per_hour: int = 100) -> StaffIdentity:
    """Checks the password, with gradual back-off per account + address, per address and
    (from addresses the account never signed in from) per account: a refused try raises
    LoginThrottled with the seconds to wait and is not counted."""
    now = clock.utcnow()
    address = address[:64] if address else None
    with db.read() as s:
        wait = _wait_s(s, username, address, now, max_failures_per_hour)
        user = s.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if wait > 0:
        raise LoginThrottled(wait)
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    with db.transaction() as s:
        s.add(LoginAttempt(username=username[:64], at=now, success=ok, address=address))
    if not ok or user is None:
        raise Unauthorized("wrong username or password", code="auth.bad_credentials")
    return _identity(user)


# --- server-side sessions ----------------------------------------------------------------
SESSION_TTL = timedelta(hours=12)


def open_session(db: Db, user_id: int) -> str:
    """A new console session; returns the secret the signed cookie carries (only its
    SHA-256 is stored)."""
    sid = secrets.token_urlsafe(32)
    now = clock.utcnow()
    with db.transaction() as s:
        s.add(StaffSession(id=_digest(sid), user_id=user_id, created_at=now,
                           expires_at=now + SESSION_TTL))
    return sid


def session_user(db: Db, sid: str) -> StaffIdentity | None:
    """The active user of a live session (not revoked, not expired); one query."""
    with db.read() as s:
        user = s.scalars(select(StaffUser).join(StaffSession, StaffSession.user_id == StaffUser.id)
                         .where(StaffSession.id == _digest(sid),
                                StaffSession.revoked_at.is_(None),
                                StaffSession.expires_at > clock.utcnow(),
                                StaffUser.active.is_(True))).first()
        return _identity(user) if user else None


def revoke_session(db: Db, sid: str) -> None:
    with db.transaction() as s:
        s.execute(update(StaffSession).where(StaffSession.id == _digest(sid),
                                             StaffSession.revoked_at.is_(None))
                  .values(revoked_at=clock.utcnow()))


def revoke_sessions(s: Session, user_id: int) -> None:
    """Step: end every session of the user (password change, deactivation)."""
    s.execute(update(StaffSession).where(StaffSession.user_id == user_id,
                                         StaffSession.revoked_at.is_(None))
              .values(revoked_at=clock.utcnow()))


def set_password(db: Db, username: str, password: str) -> None:
    """A new password; every open session of the user ends (a stolen cookie too)."""
    if len(password) < 8:
        raise ValidationFailed([FieldProblem("password", "password.too_short",
                                             "use at least 8 characters")])
    with db.transaction() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            raise NotFound(f"no user '{username}'", code="user.not_found")
        user.password_hash = _hasher.hash(password)
        revoke_sessions(s, user.id)


def get_user(db: Db, user_id: int) -> StaffIdentity | None:
    with db.read() as s:
        user = s.get(StaffUser, user_id)
        return _identity(user) if user and user.active else None


def set_language(db: Db, user_id: int, language: str) -> None:
    with db.transaction() as s:
        s.execute(update(StaffUser).where(StaffUser.id == user_id).values(language=language))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(db: Db, name: str, scopes: list[str], *, user_id: int | None = None) -> str:
    """Returns the token once; only its SHA-256 is kept."""
    unknown = sorted(set(scopes) - SCOPES)
    if unknown or not scopes:
        raise ValidationFailed([FieldProblem(
            "scopes", "scope.unknown",
            f"unknown scopes {unknown}; choose from {ALL_SCOPES}" if unknown
            else "give at least one scope")])
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with db.transaction() as s:
        s.add(ApiToken(name=name, prefix=prefix, token_hash=_digest(token),
                       scopes=sorted(set(scopes)), user_id=user_id, created_at=clock.utcnow(),
                       meta={}))
    return token


# Tokens verified in the last few seconds (per process): the API's hot path skips a
# database read per request. A revocation in this process clears it at once; other
# processes honour it within VERIFIED_TTL seconds. Only successes are remembered.
VERIFIED_TTL = 5.0
_verified: dict[tuple[int, str], tuple[float, TokenIdentity]] = {}
_verified_lock = threading.Lock()


def verify_token(db: Db, token: str) -> TokenIdentity:
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthorized("not an OrderFlow API token", code="auth.bad_token")
    digest = _digest(token)
    key = (id(db), digest)
    hit = _verified.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    with db.read() as s:
        row = s.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
        role = s.scalar(select(StaffUser.role).where(StaffUser.id == row.user_id)
                        ) if row and row.user_id is not None else None
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        raise Unauthorized("unknown or revoked API token", code="auth.bad_token")
    identity = TokenIdentity(row.id, row.name, frozenset(row.scopes), role)
    with _verified_lock:
        if len(_verified) > 10_000:
            _verified.clear()
        _verified[key] = (time.monotonic() + VERIFIED_TTL, identity)
    return identity


def revoke_token(db: Db, prefix: str) -> None:
    with db.transaction() as s:
        s.execute(update(ApiToken).where(ApiToken.prefix == prefix)
                  .values(revoked_at=clock.utcnow()))
    with _verified_lock:
        _verified.clear()
