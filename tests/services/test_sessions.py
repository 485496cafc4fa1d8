"""Webservice logins and sessions on the test database: challenges, the md5 login, the
life span and idle limits of sessions (with an injected clock), logout."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from comptoir.errors import (
    AuthenticationError,
    ChallengeError,
    InvalidFieldError,
    InvalidSessionError,
    SessionExpiredError,
    SessionIdleError,
)
from comptoir.services import auth, sessions
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import TABLES, ws_challenges, ws_sessions

T = TypeVar("T")
T0 = 2_000_000_000.0  # a fixed "now", later than any real clock of the test run


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_database(url, work)


def clock(at: float) -> Callable[[], float]:
    return lambda: at


def answer(token: str, key: str) -> str:
    return hashlib.md5((token + key).encode()).hexdigest()


def new_user(url: str, **flags: Any) -> tuple[str, str]:
    """A new user; its name and plain access key."""
    name = f"ws_{secrets.token_hex(4)}"

    async def work(db: Database) -> str:
        await auth.create_user(db, name, "pw", **flags)
        return await auth.access_key(db, name)

    return name, run(url, work)


async def log_in(db: Database, name: str, key: str, at: float = T0) -> dict[str, Any]:
    challenge = await sessions.get_challenge(db, name, now=clock(at))
    return await sessions.login(db, name, answer(challenge["token"], key), now=clock(at))


def test_challenge_shape_and_lifetime(database_url: str) -> None:
    name, _ = new_user(database_url)
    found = run(database_url, lambda db: sessions.get_challenge(db, name, now=clock(T0)))
    assert set(found) == {"token", "serverTime", "expireTime"}
    assert len(found["token"]) == 16 and int(found["token"], 16) >= 0
    assert found["serverTime"] == int(T0)
    assert found["expireTime"] == int(T0) + 300


def test_unknown_user_gets_a_token_of_the_same_shape_that_is_not_stored(
        database_url: str) -> None:
    async def work(db: Database) -> tuple[dict[str, Any], Any]:
        found = await sessions.get_challenge(db, "nobody_" + secrets.token_hex(4),
                                             now=clock(T0))
        async with db.read() as conn:
            stored = await conn.scalar(sa.select(ws_challenges.c.ID)
                                       .where(ws_challenges.c.token == found["token"]))
        return found, stored

    found, stored = run(database_url, work)
    assert set(found) == {"token", "serverTime", "expireTime"} and len(found["token"]) == 16
    assert stored is None


def test_empty_username_is_refused(database_url: str) -> None:
    with pytest.raises(InvalidFieldError, match="username: is required"):
        run(database_url, lambda db: sessions.get_challenge(db, ""))
    with pytest.raises(InvalidFieldError, match="username: is required"):
        run(database_url, lambda db: sessions.login(db, "", "x"))


def test_login_then_resume(database_url: str) -> None:
    name, key = new_user(database_url, email=f"{secrets.token_hex(3)}@example.com")

    async def work(db: Database) -> tuple[dict[str, Any], Any]:
        session = await log_in(db, name.upper(), key)  # names are case-insensitive
        return session, await sessions.resume(db, session["session"], now=clock(T0 + 10))

    session, caller = run(database_url, work)
    assert caller.name == name and caller.user == session["user"]
    assert session["name"] == name and session["admin"] is False
    assert session["email"].endswith("@example.com")
    assert len(session["session"]) == 32
    assert session["expires"] == int(T0) + 86_400


def test_only_the_digest_of_a_session_is_stored(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> tuple[str, list[str]]:
        session = (await log_in(db, name, key))["session"]
        async with db.read() as conn:
            rows = await conn.all(sa.select(ws_sessions.c.digest))
        return session, [r["digest"] for r in rows]

    session, digests = run(database_url, work)
    assert session not in digests
    assert hashlib.sha256(session.encode()).hexdigest() in digests


def test_two_concurrent_challenges_of_one_user_both_log_in(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> list[dict[str, Any]]:
        first = await sessions.get_challenge(db, name, now=clock(T0))
        second = await sessions.get_challenge(db, name, now=clock(T0 + 1))
        # the token is not consumed by a login: the first one works twice
        return [await sessions.login(db, name, answer(c["token"], key), now=clock(T0 + 2))
                for c in (first, second, first)]

    opened = run(database_url, work)
    assert len({s["session"] for s in opened}) == 3


def test_wrong_key_and_unknown_user_fail_alike(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> list[AuthenticationError]:
        failures = []
        for who, secret in ((name, "0" * 16), ("ghost_" + secrets.token_hex(4), key)):
            challenge = await sessions.get_challenge(db, who, now=clock(T0))
            with pytest.raises(AuthenticationError) as info:
                await sessions.login(db, who, answer(challenge["token"], secret),
                                     now=clock(T0))
            failures.append(info.value)
        return failures

    wrong, unknown = run(database_url, work)
    assert type(wrong) is type(unknown) is AuthenticationError
    assert wrong.message == unknown.message == "Invalid username or password"


@pytest.mark.parametrize("flags", [{"activity": 1}, {"expdate": int(T0) - 1}],
                         ids=["inactive", "expired"])
def test_an_inactive_user_does_not_log_in(database_url: str, flags: dict[str, int]) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> None:
        challenge = await sessions.get_challenge(db, name, now=clock(T0))
        users = TABLES["users"]
        async with db.write() as conn:
            await conn.run(sa.update(users).where(users.c.name == name).values(**flags))
        await sessions.login(db, name, answer(challenge["token"], key), now=clock(T0))

    with pytest.raises(AuthenticationError, match="^Invalid username or password$"):
        run(database_url, work)


def test_expired_challenge(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> dict[str, Any]:
        challenge = await sessions.get_challenge(db, name, now=clock(T0))
        hashed = answer(challenge["token"], key)
        # alive until its expireTime included
        await sessions.login(db, name, hashed, now=clock(challenge["expireTime"]))
        return await sessions.login(db, name, hashed, now=clock(challenge["expireTime"] + 1))

    with pytest.raises(ChallengeError, match="^Specified token is invalid or expired$"):
        run(database_url, work)


def test_login_without_challenge(database_url: str) -> None:
    name, key = new_user(database_url)
    with pytest.raises(ChallengeError):
        run(database_url, lambda db: sessions.login(db, name, answer("x", key)))


def test_expired_challenges_are_purged_live_ones_kept(database_url: str) -> None:
    name, _ = new_user(database_url)

    async def work(db: Database) -> list[int]:
        await sessions.get_challenge(db, name, now=clock(T0))
        await sessions.get_challenge(db, name, now=clock(T0 + 100))
        await sessions.get_challenge(db, name, now=clock(T0 + 350))  # the first one expired
        users = TABLES["users"]
        async with db.read() as conn:
            rows = await conn.all(sa.select(ws_challenges.c.expires)
                                  .join(users, users.c.ID == ws_challenges.c.user)
                                  .where(users.c.name == name)
                                  .order_by(ws_challenges.c.expires))
        return [r["expires"] for r in rows]

    assert run(database_url, work) == [int(T0) + 400, int(T0) + 650]


def test_session_idle_and_activity(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> None:
        session = (await log_in(db, name, key))["session"]
        # requests every 1,000 s keep it alive past 1,800 s
        for step in (1000, 2000, 3000):
            assert (await sessions.resume(db, session, now=clock(T0 + step))).name == name
        # then 1,801 s without one
        with pytest.raises(SessionIdleError,
                           match="^Session has been invalidated to due lack activity$"):
            await sessions.resume(db, session, now=clock(T0 + 4801))
        # and it is gone
        with pytest.raises(InvalidSessionError):
            await sessions.resume(db, session, now=clock(T0 + 4802))

    run(database_url, work)


def test_seen_is_written_at_most_once_a_minute(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> list[int]:
        session = (await log_in(db, name, key))["session"]
        seen = []
        for step in (30, 59, 60, 100, 121):
            await sessions.resume(db, session, now=clock(T0 + step))
            async with db.read() as conn:
                seen.append(await conn.scalar(sa.select(ws_sessions.c.seen).where(
                    ws_sessions.c.digest == auth.digest(session))) - int(T0))
        return seen

    assert run(database_url, work) == [0, 0, 60, 60, 121]


def test_session_life_span(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> None:
        session = (await log_in(db, name, key))["session"]
        for step in range(1000, 86_401, 1000):  # active all day long
            await sessions.resume(db, session, now=clock(T0 + step))
        await sessions.resume(db, session, now=clock(T0 + 86_400))
        with pytest.raises(SessionExpiredError,
                           match="^Session has life span over please login again$"):
            await sessions.resume(db, session, now=clock(T0 + 86_401))
        with pytest.raises(InvalidSessionError):
            await sessions.resume(db, session, now=clock(T0 + 86_402))

    run(database_url, work)


@pytest.mark.parametrize("session", ["", "null", "0" * 32, "x" * 500])
def test_missing_or_unknown_session(database_url: str, session: str) -> None:
    with pytest.raises(InvalidSessionError, match="^Session Identifier provided is Invalid$"):
        run(database_url, lambda db: sessions.resume(db, session))


def test_session_of_a_deactivated_user_ends(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> None:
        session = (await log_in(db, name, key))["session"]
        users = TABLES["users"]
        async with db.write() as conn:
            await conn.run(sa.update(users).where(users.c.name == name).values(activity=1))
        await sessions.resume(db, session, now=clock(T0 + 1))

    with pytest.raises(InvalidSessionError):
        run(database_url, work)


def test_logout_ends_the_session(database_url: str) -> None:
    name, key = new_user(database_url)

    async def work(db: Database) -> None:
        first, second = (await log_in(db, name, key)), (await log_in(db, name, key))
        await sessions.logout(db, first["session"])
        with pytest.raises(InvalidSessionError):
            await sessions.resume(db, first["session"], now=clock(T0 + 1))
        with pytest.raises(InvalidSessionError):
            await sessions.logout(db, first["session"])
        # the other session of the user lives on
        assert (await sessions.resume(db, second["session"], now=clock(T0 + 1))).name == name

    run(database_url, work)


def test_extend_opens_a_session_for_an_authenticated_caller(database_url: str) -> None:
    name, _ = new_user(database_url, admin=True)

    async def work(db: Database) -> tuple[dict[str, Any], Any]:
        user_id = await auth.find_user(db, name)
        assert user_id is not None
        async with db.read() as conn:
            caller = await auth.load_caller(conn, user_id)
        session = await sessions.extend(db, caller, now=clock(T0))
        return session, await sessions.resume(db, session["session"], now=clock(T0 + 5))

    session, caller = run(database_url, work)
    assert session["admin"] is True and session["name"] == name
    assert caller.admin and caller.name == name
