"""Log-in throttling, shared by every door that checks a password or an access key (REST
`/auth/v1/login`, webservice `login`, the web interface's log-in form).

    async with throttle.attempt(db, name, address, now, limits, gate):  # TooManyAttemptsError
        ...check the credentials: an AuthenticationError raised here is a failure
    ...log in; in its write transaction: await throttle.clear(conn, name)

The rule (settings `login_name_limit`, `login_address_limit`, `login_window`): at most 5
failed log-ins of one user name (lower-cased, known or not: the answer does not tell
which names exist) and at most 20 from one client address within 900 s.  Past either,
log-ins of that name, or from that address, are refused without checking the credentials
(`TooManyAttemptsError`, with `retry_after`) until enough of those failures are older than
the window.  A refused attempt is not a failure: the refusal ends on its own.  A successful
log-in clears the failures of its name (not those of its address).  A limit of 0 turns that
limit off; an empty address (no client address known) has none.

The check is one query on the indexes (name, at) and (address, at): per limit, the time of
the failure that fills it (the limit-th most recent within the window).  A failure is
written in a short write transaction of its own, kept although the log-in fails; so log-ins
must not run inside a write transaction.  `gate` bounds the attempts of a door checked at
once in a process, so that a burst of parallel attempts passes the check at most that many
at a time; failures older than a day are purged hourly (`storage/retention.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from comptoir.config import Settings
from comptoir.errors import (
    AuthenticationError,
    ChallengeError,
    InvalidFieldError,
    TooManyAttemptsError,
)
from comptoir.storage.database import Connection, Database
from comptoir.storage.retention import LOGIN_FAILURE_SECONDS
from comptoir.storage.tables import login_failures

#: the longest window: failures older than that are purged (`storage/retention.py`)
MAX_WINDOW = LOGIN_FAILURE_SECONDS
NAME_WIDTH = 200
ADDRESS_WIDTH = 64


@dataclass(frozen=True)
class Limits:
    """Failed log-ins allowed per user name and per client address within `window` seconds
    (0: no limit)."""

    name: int = 5
    address: int = 20
    window: int = 900

    def __post_init__(self) -> None:
        if self.name < 0:
            raise InvalidFieldError("login_name_limit", "failed log-ins, 0 (no limit) or more")
        if self.address < 0:
            raise InvalidFieldError("login_address_limit",
                                    "failed log-ins, 0 (no limit) or more")
        if not 0 < self.window <= MAX_WINDOW:
            raise InvalidFieldError("login_window",
                                    f"seconds, more than 0 and at most {MAX_WINDOW}")

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(int(settings.login_name_limit), int(settings.login_address_limit),
                   int(settings.login_window))


LIMITS = Limits()


def retry_after(now: int, window: int, *filling: int | None) -> int:
    """The rule: seconds before a log-in may be tried (0: at once).  `filling`: per limit,
    the time of the failure that fills it (the limit-th most recent within the window), or
    None when fewer failures count; a failure counts for `window` seconds after it."""
    return max([0, *(at + window - now for at in filling if at is not None)])


def name_key(name: str) -> str:
    """The user name as the failures are kept: lower-cased, at most 200 characters."""
    return name.lower()[:NAME_WIDTH]


def _filling(column: Any, parameter: str, limit: int) -> Any:
    return (sa.select(login_failures.c.at)
            .where(column == sa.bindparam(parameter), login_failures.c.at > sa.bindparam("since"))
            .order_by(login_failures.c.at.desc()).limit(1).offset(limit - 1)
            .scalar_subquery())


def _check_query(limits: Limits, by_address: bool) -> sa.Select[Any]:
    name = (_filling(login_failures.c.name, "name", limits.name) if limits.name
            else sa.null())
    address = (_filling(login_failures.c.address, "address", limits.address) if by_address
               else sa.null())
    return sa.select(name.label("name"), address.label("address"))


async def check(db: Database, name: str, address: str, now: int,
                limits: Limits = LIMITS) -> None:
    """TooManyAttemptsError when log-ins of `name` or from `address` are refused now."""
    by_address = bool(address and limits.address)
    if not limits.name and not by_address:
        return
    async with db.read() as conn:
        row = await conn.one(lambda: _check_query(limits, by_address),
                             {"name": name_key(name), "address": address[:ADDRESS_WIDTH],
                              "since": now - limits.window},
                             key=("login-throttle", limits.name, limits.address, by_address))
    assert row is not None
    wait = retry_after(now, limits.window, row["name"], row["address"])
    if wait:
        raise TooManyAttemptsError(
            f"Too many failed log-ins: try again in {wait} seconds", retry_after=wait)


_RECORD = sa.insert(login_failures).values(name=sa.bindparam("name"),
                                           address=sa.bindparam("address"),
                                           at=sa.bindparam("at"))


async def record_failure(db: Database, name: str, address: str, now: int) -> None:
    """Keep one failed log-in, in a write transaction of its own."""
    async with db.write() as conn:
        await conn.run(_RECORD, {"name": name_key(name), "address": address[:ADDRESS_WIDTH],
                                 "at": now}, key="login-failure")


async def clear(conn: Connection, *names: str | None) -> None:
    """Forget the failures of these user names (a successful log-in), inside the log-in's
    write transaction."""
    keys = sorted({name_key(n) for n in names if n})
    if keys:
        await conn.run(sa.delete(login_failures).where(login_failures.c.name.in_(keys)))


@asynccontextmanager
async def attempt(db: Database, name: str, address: str, now: int, limits: Limits,
                  gate: AbstractAsyncContextManager[Any]) -> AsyncIterator[None]:
    """One log-in attempt: refused (TooManyAttemptsError) before its body runs when the
    limits are reached; an AuthenticationError of its body is kept as a failure (not a
    ChallengeError: a login without a live challenge guesses nothing).  `gate` (a
    semaphore) is held throughout."""
    async with gate:
        await check(db, name, address, now, limits)
        try:
            yield
        except AuthenticationError as exc:
            if not isinstance(exc, ChallengeError):
                await record_failure(db, name, address, now)
            raise
