"""Finding 4: login throttling per account AND per client address with gradual back-off;
never a hard lock that refuses the right password from elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow import clock
from orderflow.auth import service as auth
from orderflow.auth.models import LoginAttempt, Role
from orderflow.db import Db

PASSWORD = "right-password"


def _failed(db: Db, n: int, *, username: str = "alice", addresses: list[str] | None = None,
            ago: timedelta = timedelta(0)) -> None:
    at = clock.utcnow() - ago
    addresses = addresses or ["10.0.0.1"]
    with db.transaction() as s:
        s.add_all(LoginAttempt(username=username, at=at, success=False,
                               address=addresses[i % len(addresses)]) for i in range(n))


@pytest.fixture
def alice(db: Db) -> None:
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE)
    auth.create_user(db, "bob", PASSWORD, role=Role.SERVICE)


def test_back_off_is_gradual_and_capped() -> None:
    delays = [auth.backoff_s(n, 5, 900) for n in (0, 4, 5, 6, 7, 10, 40)]
    assert delays == [0, 0, 1, 2, 4, 32, 900]


def test_failures_from_one_address_slow_that_address_not_the_right_password_elsewhere(
        db: Db, alice: None) -> None:
    _failed(db, 8)

    with pytest.raises(auth.LoginThrottled) as slowed:
        auth.authenticate(db, "alice", PASSWORD, address="10.0.0.1")
    elsewhere = auth.authenticate(db, "alice", PASSWORD, address="10.0.0.2")

    assert 0 < slowed.value.retry_after_s <= 8
    assert elsewhere.username == "alice"


def test_the_wait_ends_and_the_right_password_then_works(db: Db, alice: None) -> None:
    _failed(db, 8, ago=timedelta(seconds=9))

    assert auth.authenticate(db, "alice", PASSWORD, address="10.0.0.1").username == "alice"


def test_one_address_guessing_many_accounts_is_slowed_on_all_of_them(
        db: Db, alice: None) -> None:
    for n in range(25):
        _failed(db, 1, username=f"user{n}")

    with pytest.raises(auth.LoginThrottled):
        auth.authenticate(db, "bob", PASSWORD, address="10.0.0.1")


def test_a_spread_attack_slows_new_addresses_briefly_but_never_the_known_one(
        db: Db, alice: None) -> None:
    auth.authenticate(db, "alice", PASSWORD, address="192.168.1.9")  # her usual desk
    clock.advance(timedelta(days=1))
    _failed(db, 120, addresses=[f"203.0.113.{n}" for n in range(100)])

    with pytest.raises(auth.LoginThrottled) as new_address:
        auth.authenticate(db, "alice", PASSWORD, address="198.51.100.7")
    known = auth.authenticate(db, "alice", PASSWORD, address="192.168.1.9")

    assert new_address.value.retry_after_s <= auth.ACCOUNT_CAP_S  # a slow-down, not a lock
    assert known.username == "alice"
