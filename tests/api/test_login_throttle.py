"""Log-in throttling over real HTTP, through both log-in doors: REST `/auth/v1/login` (429
with Retry-After) and webservice `login` (its envelope, `TOO_MANY_ATTEMPTS`), which share
the count of a name.

Every failure these tests make comes from 127.0.0.1, as every test's does: they are
deleted afterwards, so that the address limit (20 within 15 minutes) never reaches the
rest of the suite; and `admin` is never given a wrong password here."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from conftest import INSTANCE, Server, run_cli

from api.webservice.conftest import WsClient, access_key
from comptoir.storage.database import Database, run_with_database
from comptoir.storage.tables import login_failures

WINDOW = 900
LOCAL = "127.0.0.1"


class Names:
    """Fresh user names; their failures (and those of `LOCAL` made under them) are
    deleted at the end."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.made: list[str] = []

    def new(self, prefix: str = "throttle", create: bool = True) -> tuple[str, str]:
        suffix = secrets.token_hex(4)
        name, password = f"{prefix}_{suffix}", f"pw-{suffix}"
        if create:
            run_cli(self.database_url, "user", "create", name, "--password", password)
        self.made.append(name.lower())
        return name, password

    def sql(self, statement: Any) -> Any:
        async def work(db: Database) -> Any:
            async with db.write() as conn:
                if isinstance(statement, sa.Select):
                    return await conn.all(statement)
                return await conn.run(statement)

        return run_with_database(self.database_url, work)

    def failures(self, name: str) -> int:
        rows = self.sql(sa.select(login_failures.c.ID)
                        .where(login_failures.c.name == name.lower()))
        return len(rows)

    def age(self, name: str, seconds: int) -> None:
        """Time passing: the failures of `name` become `seconds` older."""
        self.sql(sa.update(login_failures).where(login_failures.c.name == name.lower())
                 .values(at=login_failures.c.at - seconds))


@pytest.fixture
def names(database_url: str) -> Iterator[Names]:
    made = Names(database_url)
    yield made
    if made.made:
        made.sql(sa.delete(login_failures).where(login_failures.c.name.in_(made.made)))


def rest_login(server: Server, name: str, password: str) -> httpx.Response:
    return httpx.post(f"{server.url}/{INSTANCE}/auth/v1/login",
                      data={"name": name, "password": password, "identifier": "pytest"})


def ws_login(server: Server, name: str, key: str) -> dict[str, Any]:
    """The envelope of a webservice login of `name` with the access key `key`."""
    client = WsClient(server)
    try:
        token = client.ok("getchallenge", username=name)["token"]
        return client.post("login", username=name,
                           accessKey=hashlib.md5((token + key).encode()).hexdigest())
    finally:
        client.http.close()


def assert_throttled(answer: httpx.Response) -> int:
    assert answer.status_code == 429, answer.text
    retry = int(answer.headers["retry-after"])
    assert WINDOW - 30 <= retry <= WINDOW
    assert answer.text == f"Too Many Requests: Too many failed log-ins: try again in {retry} seconds"
    assert "www-authenticate" not in answer.headers
    return retry


def test_five_wrong_passwords_then_the_right_one_is_429(server: Server, database_url: str,
                                                       names: Names) -> None:
    # given a user who got their password wrong five times
    name, password = names.new()
    for _ in range(5):
        wrong = rest_login(server, name, "not-" + password)
        assert wrong.status_code == 401
        assert wrong.text == "Unauthorized: Invalid credentials"
    # when the right password comes: refused without being checked
    assert_throttled(rest_login(server, name, password))
    # and through the webservice too, in its envelope (HTTP 200, as every error there)
    refused = ws_login(server, name, access_key(database_url, name))
    assert refused["success"] is False
    assert refused["error"]["code"] == "TOO_MANY_ATTEMPTS"
    assert refused["error"]["message"].startswith("Too many failed log-ins: try again in ")
    # another user is not affected, from the same address
    other, other_password = names.new()
    assert rest_login(server, other, other_password).status_code == 200
    # then, once the window has passed, the log-in works and clears the failures
    assert names.failures(name) == 5
    names.age(name, WINDOW)
    assert rest_login(server, name, password).status_code == 200
    assert names.failures(name) == 0


def test_unknown_names_are_throttled_alike(server: Server, names: Names) -> None:
    ghost, _ = names.new("ghost", create=False)
    answers = [rest_login(server, ghost, "guess") for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert_throttled(answers[-1])


def test_webservice_failures_throttle_both_doors(server: Server, database_url: str,
                                                 names: Names) -> None:
    name, password = names.new("wsthrottle")
    key = access_key(database_url, name)
    for _ in range(5):
        assert ws_login(server, name, "not-the-key")["error"]["code"] == \
            "INVALID_USER_CREDENTIALS"
    assert ws_login(server, name, key)["error"]["code"] == "TOO_MANY_ATTEMPTS"
    assert_throttled(rest_login(server, name, password))
    names.age(name, WINDOW)
    assert ws_login(server, name, key)["success"] is True
    assert names.failures(name) == 0


def test_a_success_clears_the_failures(server: Server, names: Names) -> None:
    name, password = names.new()
    for _ in range(4):
        assert rest_login(server, name, "wrong").status_code == 401
    assert rest_login(server, name, password).status_code == 200
    assert names.failures(name) == 0
    for _ in range(4):  # four more: still not locked
        assert rest_login(server, name, "wrong").status_code == 401
    assert rest_login(server, name, password).status_code == 200


def test_the_address_limit_reaches_every_name_of_the_address(server: Server,
                                                             names: Names) -> None:
    # given 20 recent failures from the test client's address (the server sees 127.0.0.1),
    # under a name of their own
    sprayed, _ = names.new("spray", create=False)
    name, password = names.new()
    now = int(time.time())
    names.sql(sa.insert(login_failures).values(
        [{"name": sprayed, "address": LOCAL, "at": now - i} for i in range(20)]))
    try:
        # then any name from it is refused, though neither it nor its password is wrong
        assert_throttled(rest_login(server, name, password))
    finally:
        names.sql(sa.delete(login_failures).where(login_failures.c.name == sprayed))
    assert rest_login(server, name, password).status_code == 200
