"""The log-in throttle: the rule as a table, then `services/throttle.py` behind both log-in
services (`auth.login`, `sessions.login`) on a real database of its own (the failures it
makes never reach the suites' server)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from conftest import database_with_admin

from comptoir.config import Settings
from comptoir.errors import (
    AuthenticationError,
    ChallengeError,
    InvalidFieldError,
    TooManyAttemptsError,
)
from comptoir.services import auth, sessions, throttle
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import login_failures

T = TypeVar("T")
WINDOW = 900


@pytest.mark.parametrize(("filling", "expected"), [
    ((None, None), 0),  # fewer failures than either limit
    ((1000 - 1, None), WINDOW - 1),  # the name's limit filled a second ago
    ((None, 1000 - 300), WINDOW - 300),  # the address's, 5 minutes ago
    ((1000 - 10, 1000 - 600), WINDOW - 10),  # both: the later end wins
    ((1000 - WINDOW + 1, None), 1),  # the last second of the window
    ((1000 - WINDOW, None), 0),  # a failure counts WINDOW seconds, no more
    ((1000, 1000), WINDOW),  # filled this second
])
def test_retry_after(filling: tuple[int | None, int | None], expected: int) -> None:
    assert throttle.retry_after(1000, WINDOW, *filling) == expected


@pytest.mark.parametrize(("values", "setting"), [
    ({"login_name_limit": -1}, "login_name_limit"),
    ({"login_address_limit": -1}, "login_address_limit"),
    ({"login_window": 0}, "login_window"),
    ({"login_window": 86_401}, "login_window"),
])
def test_bad_limits_name_their_setting(values: dict[str, int], setting: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        throttle.Limits.from_settings(Settings(**values))  # type: ignore[arg-type]
    assert raised.value.details["field"] == setting


def test_the_default_limits() -> None:
    assert throttle.Limits.from_settings(Settings()) == throttle.LIMITS == throttle.Limits(
        name=5, address=20, window=900)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_with_admin(tmp_path_factory.mktemp("throttle"), "comptoir_throttle") as u:
        yield u


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_database(url, work)


def fresh(prefix: str = "th") -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def address() -> str:
    return f"198.51.100.{secrets.randbelow(250) + 1}-{secrets.token_hex(2)}"


async def failures(db: Database, name: str) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(login_failures)
                                     .where(login_failures.c.name == name.lower())) or 0)


async def age(db: Database, seconds: int, **where: str) -> None:
    """Make the failures of a name or an address `seconds` older (time passing)."""
    column = next(iter(where))
    async with db.write() as conn:
        await conn.run(sa.update(login_failures)
                       .where(login_failures.c[column] == where[column])
                       .values(at=login_failures.c.at - seconds))


async def rest_login(db: Database, name: str, password: str, where: str,
                     limits: throttle.Limits = throttle.LIMITS) -> dict[str, Any]:
    return await auth.login(db, name, password, "pytest", address=where, limits=limits)


def test_five_wrong_passwords_lock_the_name_until_the_window_passed(url: str) -> None:
    name, where = fresh(), address()

    async def work(db: Database) -> None:
        await auth.create_user(db, name, "pw-right")
        # given five wrong passwords, each refused as usual
        for _ in range(5):
            with pytest.raises(AuthenticationError):
                await rest_login(db, name, "pw-wrong", where)
        assert await failures(db, name) == 5
        # when the right one comes, from anywhere: refused unchecked, for the window
        for elsewhere in (where, address()):
            with pytest.raises(TooManyAttemptsError) as refused:
                await rest_login(db, name.upper(), "pw-right", elsewhere)
            assert WINDOW - 5 <= refused.value.retry_after <= WINDOW
            assert refused.value.details == {"retry_after": refused.value.retry_after}
        assert await failures(db, name) == 5  # a refusal is no failure
        # then, once the window has passed, the log-in works and clears the failures
        await age(db, WINDOW, name=name.lower())
        assert (await rest_login(db, name, "pw-right", where))["token"]
        assert await failures(db, name) == 0

    run(url, work)


def test_a_success_clears_the_failures_of_the_name(url: str) -> None:
    name, where = fresh(), address()

    async def work(db: Database) -> None:
        await auth.create_user(db, name, "pw-right", email=f"{name}@example.com")
        for login_as in (name, f"{name}@example.com"):
            for _ in range(4):
                with pytest.raises(AuthenticationError):
                    await rest_login(db, login_as, "pw-wrong", where)
        await rest_login(db, f"{name}@EXAMPLE.com", "pw-right", where)
        # the user's name and e-mail both: the names one logs in with
        assert await failures(db, name) == await failures(db, f"{name}@example.com") == 0
        for _ in range(4):  # four more: not locked, the count started again
            with pytest.raises(AuthenticationError):
                await rest_login(db, name, "pw-wrong", where)
        await rest_login(db, name, "pw-right", where)

    run(url, work)


def test_unknown_names_are_locked_alike(url: str) -> None:
    name, where = fresh("ghost"), address()

    async def work(db: Database) -> None:
        for _ in range(5):
            with pytest.raises(AuthenticationError):
                await rest_login(db, name, "whatever", where)
        with pytest.raises(TooManyAttemptsError):
            await rest_login(db, name, "whatever", where)

    run(url, work)


def test_other_names_are_unaffected(url: str) -> None:
    locked, other, where = fresh(), fresh(), address()

    async def work(db: Database) -> None:
        await auth.create_user(db, other, "pw-other")
        for _ in range(5):
            with pytest.raises(AuthenticationError):
                await rest_login(db, locked, "nope", where)
        assert (await rest_login(db, other, "pw-other", where))["token"]

    run(url, work)


def test_the_address_limit(url: str) -> None:
    where, right = address(), fresh()
    limits = throttle.Limits(address=3)

    async def work(db: Database) -> None:
        await auth.create_user(db, right, "pw-right")
        for _ in range(3):  # three names, one failure each: no name is locked
            with pytest.raises(AuthenticationError):
                await rest_login(db, fresh("spray"), "guess", where, limits)
        # every name from that address is refused, even with the right password
        with pytest.raises(TooManyAttemptsError):
            await rest_login(db, right, "pw-right", where, limits)
        # not from another address, nor without one (no address, no limit of it)
        assert await rest_login(db, right, "pw-right", address(), limits)
        assert await rest_login(db, right, "pw-right", "", limits)
        # a success does not clear the address's failures
        with pytest.raises(TooManyAttemptsError):
            await rest_login(db, right, "pw-right", where, limits)
        await age(db, WINDOW, address=where)
        assert await rest_login(db, right, "pw-right", where, limits)

    run(url, work)


def test_a_limit_of_0_is_no_limit(url: str) -> None:
    name, where = fresh(), address()
    limits = throttle.Limits(name=0, address=0)

    async def work(db: Database) -> None:
        await auth.create_user(db, name, "pw-right")
        for _ in range(6):
            with pytest.raises(AuthenticationError):
                await rest_login(db, name, "pw-wrong", where, limits)
        assert await rest_login(db, name, "pw-right", where, limits)

    run(url, work)


# --- the webservice login (md5 of challenge + access key), with its clock -------------------

T0 = 2_000_000_000.0  # a fixed "now" of the clock the webservice services take


def clock(at: float) -> Callable[[], float]:
    return lambda: at


async def ws_login(db: Database, name: str, key: str, at: float, where: str) -> dict[str, Any]:
    challenge = await sessions.get_challenge(db, name, now=clock(at))
    answer = hashlib.md5((challenge["token"] + key).encode()).hexdigest()
    return await sessions.login(db, name, answer, now=clock(at), address=where)


def test_webservice_logins_are_throttled_and_share_the_count(url: str) -> None:
    name, where = fresh("ws"), address()

    async def work(db: Database) -> None:
        await auth.create_user(db, name, "pw-right")
        key = await auth.access_key(db, name)
        for _ in range(5):
            with pytest.raises(AuthenticationError):
                await ws_login(db, name, "not-the-key", T0, where)
        with pytest.raises(TooManyAttemptsError) as refused:
            await ws_login(db, name, key, T0 + 60, where)
        assert refused.value.retry_after == WINDOW - 60
        # the REST log-in of that name too (its failures are counted against the real
        # clock, the webservice's here in the future: none of them has passed yet)
        with pytest.raises(TooManyAttemptsError):
            await rest_login(db, name, "pw-right", where)
        # the window passed, on the webservice's clock
        assert (await ws_login(db, name, key, T0 + WINDOW, where))["session"]
        assert await failures(db, name) == 0

    run(url, work)


def test_a_login_without_a_challenge_is_no_failure(url: str) -> None:
    name, where = fresh("ws"), address()

    async def work(db: Database) -> None:
        await auth.create_user(db, name, "pw")
        for _ in range(6):
            with pytest.raises(ChallengeError):
                await sessions.login(db, name, "0" * 32, now=clock(T0), address=where)
        assert await failures(db, name) == 0

    run(url, work)


def test_parallel_attempts_pass_the_check_at_most_two_at_a_time(url: str) -> None:
    name, where = fresh("burst"), address()

    async def work(db: Database) -> list[BaseException | dict[str, Any]]:
        await auth.create_user(db, name, "pw")
        challenge = await sessions.get_challenge(db, name, now=clock(T0))
        assert challenge["token"]
        return await asyncio.gather(*(
            sessions.login(db, name, "0" * 32, now=clock(T0), address=where)
            for _ in range(20)), return_exceptions=True)

    outcomes = run(url, work)
    refused = [o for o in outcomes if isinstance(o, TooManyAttemptsError)]
    failed = [o for o in outcomes if type(o) is AuthenticationError]
    assert len(refused) + len(failed) == 20
    assert 5 <= len(failed) <= 6  # the limit, and one more checked beside the fifth


def test_the_check_is_one_query_on_the_indexes(url: str) -> None:
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's plan; PostgreSQL picks by table statistics")
    engine = sa.create_engine(url)
    statement = throttle._check_query(throttle.LIMITS, by_address=True)
    compiled = statement.compile(engine)
    params = compiled.construct_params({"name": "x", "address": "y", "since": 0})
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + compiled.string,
            tuple(params[k] for k in compiled.positiontup or ())))
    engine.dispose()
    assert "ix_login_failures_name_at" in plan and "ix_login_failures_address_at" in plan
    assert "SCAN login_failures" not in plan


def test_names_and_addresses_are_kept_to_their_columns(url: str) -> None:
    name, where = "Long" + "x" * 300, "2001:db8::" + "f" * 100

    async def work(db: Database) -> int:
        with pytest.raises(AuthenticationError):
            await rest_login(db, name, "pw", where)
        return await failures(db, name[:200])

    assert run(url, work) == 1
    assert throttle.name_key(name) == name.lower()[:200]


def test_the_failures_of_a_log_in_are_kept_when_it_fails(url: str) -> None:
    """The failure is committed on its own: the log-in's error does not roll it back."""
    name = fresh()
    started = int(time.time())

    async def work(db: Database) -> list[dict[str, Any]]:
        with pytest.raises(AuthenticationError):
            await rest_login(db, name, "pw", "203.0.113.9")
        async with db.read() as conn:
            return await conn.all(sa.select(login_failures.c.name, login_failures.c.address,
                                             login_failures.c.at)
                                  .where(login_failures.c.name == name))

    [row] = run(url, work)
    assert (row["name"], row["address"]) == (name, "203.0.113.9")
    assert started <= row["at"] <= time.time()


def test_a_wrong_application_secret_is_no_failure(url: str) -> None:
    """The password was right: the secret (160 random bits) is no guess of it."""
    name = fresh()

    async def work(db: Database) -> int:
        await auth.create_user(db, name, "pw-right")
        with pytest.raises(AuthenticationError):
            await auth.login(db, name, "pw-right", "pytest", appsecret="f" * 40,
                             address=address())
        return await failures(db, name)

    assert run(url, work) == 0
