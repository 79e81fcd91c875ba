"""Staff accounts (argon2id), login throttling, and scoped API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from orderflow import clock
from orderflow.auth.models import ApiToken, LoginAttempt, Role, StaffUser
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, TooManyRequests, Unauthorized, ValidationFailed

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("timing-equaliser")

SCOPES = frozenset({
    "orders:read", "orders:write", "payments:write", "catalog:read", "catalog:write",
    "stock:read", "stock:write", "notify:read", "notify:write",
    "channels:read", "channels:write",
    "exceptions:read", "exceptions:write",
    "fulfilment:read", "fulfilment:write",
    "shipping:read", "shipping:write",
    "aftersales:read", "aftersales:write", "refunds:read", "refunds:write",
})
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


def authenticate(db: Db, username: str, password: str, *,
                 max_failures_per_hour: int = 100) -> StaffIdentity:
    """Checks the password; refuses after too many failures in the last hour for that account."""
    now = clock.utcnow()
    with db.read() as s:
        failures = s.scalar(select(func.count()).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(False),
            LoginAttempt.at > now - timedelta(hours=1))) or 0
        user = s.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if failures >= max_failures_per_hour:
        raise TooManyRequests("too many failed logins for this account; try again later",
                              code="auth.locked")
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    with db.transaction() as s:
        s.add(LoginAttempt(username=username[:64], at=now, success=ok))
    if not ok or user is None:
        raise Unauthorized("wrong username or password", code="auth.bad_credentials")
    return _identity(user)


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
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        raise Unauthorized("unknown or revoked API token", code="auth.bad_token")
    identity = TokenIdentity(row.id, row.name, frozenset(row.scopes))
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
