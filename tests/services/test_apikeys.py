"""API keys on the test database: only the digest is stored, rotation, revocation, expiry
(with an injected clock), scopes, and one same error for every kind of bad key."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from comptoir.errors import (
    AuthenticationError,
    ConflictError,
    InvalidFieldError,
    NotFoundError,
    PermissionDeniedError,
)
from comptoir.schema.registry import ENTITIES
from comptoir.services import apikeys, auth
from comptoir.services.access import Caller, check_operation
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import TABLES
from comptoir.storage.tables import apikeys as apikeys_table

T = TypeVar("T")
T0 = 2_000_000_000.0  # a fixed "now", later than any real clock of the test run


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_database(url, work)


def new_user(url: str, **flags: Any) -> str:
    name = f"key_{secrets.token_hex(4)}"
    run(url, lambda db: auth.create_user(db, name, "pw", **flags))
    return name


def new_key(url: str, user: str, *scopes: str, expires: int | None = None,
            now: float | None = None) -> tuple[int, str]:
    return run(url, lambda db: apikeys.create(db, user, "test", scopes, expires, now=now))


def authenticate(url: str, secret: str, now: float | None = None) -> Caller:
    return run(url, lambda db: apikeys.authenticate(db, secret, now=now))


def refused(url: str, secret: str, now: float | None = None) -> str:
    with pytest.raises(AuthenticationError) as info:
        authenticate(url, secret, now)
    return info.value.message


def stored(url: str, key_id: int) -> dict[str, Any]:
    async def work(db: Database) -> dict[str, Any]:
        async with db.read() as conn:
            row = await conn.one(sa.select(apikeys_table).where(apikeys_table.c.ID == key_id))
        assert row is not None
        return dict(row)

    return run(url, work)


def test_a_key_acts_as_its_user_and_only_its_digest_is_stored(database_url: str) -> None:
    user = new_user(database_url)
    key_id, secret = new_key(database_url, user)
    assert secret.startswith("ck_") and len(secret) == 43
    row = stored(database_url, key_id)
    assert row["digest"] == auth.digest(secret)
    assert row["prefix"] == secret[:8]
    assert secret not in {str(v) for v in row.values()}
    caller = authenticate(database_url, secret)
    assert caller.name == user and caller.scopes is None and caller.token is None
    listed = run(database_url, lambda db: apikeys.list_keys(db, user))
    assert [k["ID"] for k in listed] == [key_id]
    assert "digest" not in listed[0] and secret not in str(listed[0])


def test_last_use_is_written_at_most_once_a_minute(database_url: str) -> None:
    key_id, secret = new_key(database_url, new_user(database_url))
    authenticate(database_url, secret, now=T0)
    assert stored(database_url, key_id)["lastused"] == T0
    authenticate(database_url, secret, now=T0 + 30)
    assert stored(database_url, key_id)["lastused"] == T0
    authenticate(database_url, secret, now=T0 + 61)
    assert stored(database_url, key_id)["lastused"] == T0 + 61


def test_rotate_issues_a_new_secret_and_the_old_one_stops_working(database_url: str) -> None:
    user = new_user(database_url)
    key_id, old = new_key(database_url, user, "contacts:read")
    new = run(database_url, lambda db: apikeys.rotate(db, key_id))
    assert new != old
    assert refused(database_url, old) == "Invalid API key"
    caller = authenticate(database_url, new)
    assert caller.name == user and caller.scopes == frozenset({"contacts:read"})


def test_every_bad_key_is_the_same_error(database_url: str) -> None:
    user = new_user(database_url)
    _, expiring = new_key(database_url, user, expires=int(T0) + 100, now=T0)
    revoked_id, revoked = new_key(database_url, user)
    run(database_url, lambda db: apikeys.revoke(db, revoked_id))
    assert stored(database_url, revoked_id)["revoked"] is not None
    inactive = new_user(database_url)
    _, of_inactive = new_key(database_url, inactive)

    async def deactivate(db: Database) -> None:
        users = TABLES["users"]
        async with db.write() as conn:
            await conn.run(sa.update(users).where(users.c.name == inactive).values(activity=1))

    run(database_url, deactivate)
    authenticate(database_url, expiring, now=T0 + 99)  # still valid
    messages = {
        refused(database_url, expiring, now=T0 + 100),
        refused(database_url, revoked),
        refused(database_url, of_inactive),
        refused(database_url, "ck_" + "x" * 40),
        refused(database_url, "not a key"),
        refused(database_url, ""),
    }
    assert messages == {"Invalid API key"}


def test_revoked_keys_cannot_be_rotated_and_unknown_keys_are_not_found(database_url: str) -> None:
    key_id, _ = new_key(database_url, new_user(database_url))
    run(database_url, lambda db: apikeys.revoke(db, key_id))
    run(database_url, lambda db: apikeys.revoke(db, key_id))  # again: no change, no error
    with pytest.raises(ConflictError):
        run(database_url, lambda db: apikeys.rotate(db, key_id))
    with pytest.raises(NotFoundError):
        run(database_url, lambda db: apikeys.revoke(db, 10**12))


@pytest.mark.parametrize(("scopes", "entity", "write", "allowed"), [
    ((), "accounts", True, True),
    (("contacts",), "contacts", True, True),
    (("contacts",), "accounts", False, False),
    (("contacts:read",), "contacts", False, True),
    (("contacts:read",), "contacts", True, False),
    (("contacts:write",), "contacts", True, True),
    (("*",), "accounts", True, True),
    (("*:read",), "accounts", False, True),
    (("*:read",), "accounts", True, False),
])
def test_scopes_narrow_what_a_key_reaches(database_url: str, scopes: tuple[str, ...],
                                          entity: str, write: bool, allowed: bool) -> None:
    # an administrator, so that only the scopes decide
    _, secret = new_key(database_url, new_user(database_url, admin=True), *scopes)
    caller = authenticate(database_url, secret)
    if allowed:
        check_operation(ENTITIES[entity], caller, write)
    else:
        with pytest.raises(PermissionDeniedError, match="scopes"):
            check_operation(ENTITIES[entity], caller, write)


@pytest.mark.parametrize(("field", "kwargs"), [
    ("scopes", {"scopes": ("nosuchentity",)}),
    ("scopes", {"scopes": ("contacts:delete",)}),
    ("expires", {"expires": 1000}),
    ("user", {"user": "nobody-by-that-name"}),
])
def test_bad_keys_are_refused_at_creation(database_url: str, field: str,
                                          kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"user": new_user(database_url), "scopes": (), "expires": None, **kwargs}
    with pytest.raises(InvalidFieldError) as info:
        run(database_url, lambda db: apikeys.create(db, args["user"], "", args["scopes"],
                                                    args["expires"]))
    assert info.value.field == field


def test_expiry_reads_days_dates_and_timestamps() -> None:
    assert apikeys.parse_expires("30", now=T0) == T0 + 30 * 86400
    assert apikeys.parse_expires("2033-05-18") == 1999987200
    assert apikeys.parse_expires(1999987200) == 1999987200
    assert apikeys.parse_expires("") is None
    with pytest.raises(InvalidFieldError):
        apikeys.parse_expires("next tuesday")
