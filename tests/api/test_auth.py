"""The authentication API (`/{instance}/auth/v1`) against the ZeyOS contract
(shared/reference/zeyos.md §6): login, who am I, logout, token expiry, and how the REST API
answers without a valid token."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from conftest import ADMIN_PASSWORD, INSTANCE, Server, run_cli

from comptoir.storage.database import open_database
from comptoir.storage.tables import tokens

TOKEN = re.compile(r"^[0-9a-f]{40}$")
BEARER = f'Bearer realm="{INSTANCE}"'
HUNDRED_DAYS = 100 * 86400


class Person:
    def __init__(self, name: str, email: str, password: str) -> None:
        self.name, self.email, self.password = name, email, password


@pytest.fixture(scope="module")
def auth_url(server: Server) -> str:
    return f"{server.url}/{INSTANCE}/auth/v1"


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def person(server: Server, database_url: str) -> Person:
    """A user in a group with `contacts:writable` and `accounts`, with an e-mail address."""
    suffix = secrets.token_hex(4)
    who = Person(f"Auth_{suffix}", f"Auth.{suffix}@Example.com", f"pw-{suffix}")
    run_cli(database_url, "group", "create", f"auth_{suffix}",
            "--permission", "contacts:writable", "--permission", "accounts")
    run_cli(database_url, "user", "create", who.name, "--password", who.password,
            "--email", who.email, "--group", f"auth_{suffix}")
    return who


@pytest.fixture(scope="module")
def session(api: httpx.Client, person: Person) -> dict[str, Any]:
    """One login of `person` for the tests that only need a valid token (argon2 is slow)."""
    r = login(api, person.name, person.password)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture(scope="module")
def admin_token(api: httpx.Client) -> str:
    r = login(api, "admin", ADMIN_PASSWORD)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def login(api: httpx.Client, name: str, password: str, **extra: Any) -> httpx.Response:
    body = {"name": name, "password": password, "identifier": "pytest-auth", **extra}
    return api.post(f"/{INSTANCE}/auth/v1/login", data=body)


def token_of(api: httpx.Client, person: Person, **extra: Any) -> str:
    r = login(api, person.name, person.password, **extra)
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(r: httpx.Response, detail: str | None = None) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == BEARER
    if r.request.method != "HEAD":
        assert r.headers["content-type"].startswith("text/plain")
        assert r.text.startswith("Unauthorized: ")
        if detail is not None:
            assert r.text == f"Unauthorized: {detail}"


def stored_tokens(database_url: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        db = open_database(database_url)
        await db.open()
        try:
            async with db.read() as conn:
                return await conn.all(sa.select(tokens))
        finally:
            await db.close()

    return asyncio.run(read())


def expire(database_url: str, token: str) -> None:
    async def write() -> None:
        db = open_database(database_url)
        await db.open()
        try:
            async with db.write() as conn:
                touched = await conn.run(
                    sa.update(tokens)
                    .where(tokens.c.digest == hashlib.sha256(token.encode()).hexdigest())
                    .values(expdate=int(time.time()) - 10))
                assert touched == 1
        finally:
            await db.close()

    asyncio.run(write())


# --- login ---------------------------------------------------------------------------------


def test_login_with_a_form_returns_a_token(api: httpx.Client, person: Person) -> None:
    before = int(time.time())
    r = login(api, person.name, person.password)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"user", "application", "token", "identifier", "expdate"}
    assert isinstance(body["user"], int)
    assert body["application"] is None
    assert TOKEN.match(body["token"])
    assert body["identifier"] == "pytest-auth"
    assert before + HUNDRED_DAYS - 5 <= body["expdate"] <= int(time.time()) + HUNDRED_DAYS + 5


def test_login_with_json(api: httpx.Client, person: Person) -> None:
    r = api.post(f"/{INSTANCE}/auth/v1/login", json={
        "name": person.name, "password": person.password, "identifier": "device:01_a.b-c"})
    assert r.status_code == 200, r.text
    assert TOKEN.match(r.json()["token"])
    assert r.json()["identifier"] == "device:01_a.b-c"


@pytest.mark.parametrize("spelling", ["name", "NAME", "email", "EMAIL"])
def test_login_by_name_or_email_case_insensitively(api: httpx.Client, person: Person,
                                                    session: dict[str, Any],
                                                    spelling: str) -> None:
    name = person.email if spelling.lower() == "email" else person.name
    name = name.upper() if spelling.isupper() else name.lower()
    r = login(api, name, person.password)
    assert r.status_code == 200, r.text
    assert r.json()["user"] == session["user"]


def test_each_login_issues_a_new_token(api: httpx.Client, person: Person,
                                       session: dict[str, Any]) -> None:
    assert token_of(api, person) != session["token"]


def test_login_with_an_expiry_date(api: httpx.Client, person: Person) -> None:
    expdate = int(time.time()) + 3600
    r = login(api, person.name, person.password, expdate=str(expdate))
    assert r.status_code == 200, r.text
    assert r.json()["expdate"] == expdate
    assert api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(r.json()["token"])).status_code == 200


@pytest.mark.parametrize("password", ["wrong", "", "ADMIN-SECRET-1"])
def test_wrong_password_is_unauthorized(api: httpx.Client, password: str) -> None:
    assert_unauthorized(login(api, "admin", password), "Invalid credentials")


def test_unknown_user_is_unauthorized(api: httpx.Client) -> None:
    assert_unauthorized(login(api, "nobody_" + secrets.token_hex(4), "x"),
                        "Invalid credentials")


def test_unknown_application_secret_is_unauthorized(api: httpx.Client) -> None:
    r = login(api, "admin", ADMIN_PASSWORD, appsecret="f" * 40)
    assert_unauthorized(r, "Invalid credentials")


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "admin", "password": ADMIN_PASSWORD}, "identifier"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": ""}, "identifier"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "my device"}, "identifier"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "é"}, "identifier"),
    ({"password": ADMIN_PASSWORD, "identifier": "x"}, "name"),
    ({"name": "", "password": ADMIN_PASSWORD, "identifier": "x"}, "name"),
    ({"name": ["admin"], "password": ADMIN_PASSWORD, "identifier": "x"}, "name"),
    ({"name": "admin", "password": 12345, "identifier": "x"}, "password"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": {"a": 1}}, "identifier"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x", "expdate": "soon"},
     "expdate"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x", "expdate": -1},
     "expdate"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x", "expdate": 1.5},
     "expdate"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x", "expdate": True},
     "expdate"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x", "expdate": "²"},
     "expdate"),
    ({"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x", "expdate": 2**63},
     "expdate"),
])
def test_bad_login_bodies_are_bad_requests(api: httpx.Client, body: dict[str, Any],
                                           field: str) -> None:
    r = api.post(f"/{INSTANCE}/auth/v1/login", json=body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith(f"Bad Request: {field}: ")


def test_expiry_date_in_the_past_is_refused(api: httpx.Client) -> None:
    for expdate in (0, int(time.time()) - 60):
        r = login(api, "admin", ADMIN_PASSWORD, expdate=expdate)
        assert r.status_code == 400, r.text
        assert r.text == "Bad Request: expdate: must be in the future"


@pytest.mark.parametrize(("content", "kind"), [
    (b'{"name": "admin",', "application/json"),
    (b'["admin"]', "application/json"),
    (b"name=admin", "text/csv"),
])
def test_malformed_login_bodies_are_bad_requests(api: httpx.Client, content: bytes,
                                                 kind: str) -> None:
    r = api.post(f"/{INSTANCE}/auth/v1/login", content=content,
                 headers={"Content-Type": kind})
    assert r.status_code == 400, r.text
    assert r.text.startswith("Bad Request: body: ")


def test_login_only_answers_post(api: httpx.Client) -> None:
    r = api.get(f"/{INSTANCE}/auth/v1/login")
    assert r.status_code == 405
    assert r.text.startswith("Method Not Allowed")


# --- who am I ------------------------------------------------------------------------------


def test_who_am_i(api: httpx.Client, person: Person, session: dict[str, Any]) -> None:
    r = api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(session["token"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["user"] == session["user"]
    assert body["auth"] == {"user": session["user"], "application": None, "lang": "en"}
    assert body["name"] == person.name
    assert "permissions" not in body and "groups" not in body


def test_who_am_i_with_access(api: httpx.Client, session: dict[str, Any]) -> None:
    for path in ("/auth/v1/?access=1", "/auth/v1?access=1"):
        r = api.get(f"/{INSTANCE}{path}", headers=bearer(session["token"]))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["admin"] is False
        assert body["nopublic"] is False
        assert body["permissions"] == {"accounts": False, "contacts": True}
        assert list(body["groups"].values()) == [True]


def test_who_am_i_as_admin(api: httpx.Client, admin_token: str) -> None:
    body = api.get(f"/{INSTANCE}/auth/v1/", params={"access": "1"},
                   headers=bearer(admin_token)).json()
    assert body["name"] == "admin"
    assert body["admin"] is True


def test_bad_access_flag_is_a_bad_request(api: httpx.Client, session: dict[str, Any]) -> None:
    r = api.get(f"/{INSTANCE}/auth/v1/", params={"access": "yes"},
                headers=bearer(session["token"]))
    assert r.status_code == 400
    assert r.text.startswith("Bad Request: access: ")


def test_head_verifies_the_token(api: httpx.Client, session: dict[str, Any]) -> None:
    r = api.head(f"/{INSTANCE}/auth/v1/", headers=bearer(session["token"]))
    assert r.status_code == 204
    assert r.content == b""
    assert_unauthorized(api.head(f"/{INSTANCE}/auth/v1/"))
    assert_unauthorized(api.head(f"/{INSTANCE}/auth/v1/", headers=bearer("0" * 40)))


def test_session_cookie_is_accepted(api: httpx.Client, session: dict[str, Any]) -> None:
    r = api.get(f"/{INSTANCE}/auth/v1/", headers={"Cookie": f"ZEYOSID={session['token']}"})
    assert r.status_code == 200, r.text
    assert r.json()["user"] == session["user"]


# --- logout and expiry ---------------------------------------------------------------------


def test_logout_invalidates_only_that_token(api: httpx.Client, person: Person) -> None:
    # given two tokens of the same user
    token, other = token_of(api, person), token_of(api, person)
    # when the first logs out
    r = api.get(f"/{INSTANCE}/auth/v1/logout", headers=bearer(token))
    # then it no longer authenticates, and the other one still does
    assert r.status_code == 204
    assert r.content == b""
    assert_unauthorized(api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(token)),
                        "Invalid bearer token")
    assert_unauthorized(api.get(f"/{INSTANCE}/api/v1/config", headers=bearer(token)))
    assert_unauthorized(api.get(f"/{INSTANCE}/auth/v1/logout", headers=bearer(token)))
    assert api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(other)).status_code == 200


def test_logout_needs_a_token(api: httpx.Client) -> None:
    assert_unauthorized(api.get(f"/{INSTANCE}/auth/v1/logout"))


def test_expired_token_is_unauthorized(api: httpx.Client, person: Person,
                                       database_url: str) -> None:
    token = token_of(api, person)
    assert api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(token)).status_code == 200
    expire(database_url, token)
    assert_unauthorized(api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(token)),
                        "Expired bearer token")
    assert_unauthorized(api.post(f"/{INSTANCE}/api/v1/contacts", json={},
                                 headers=bearer(token)))


def test_tokens_are_stored_only_as_digests(api: httpx.Client, person: Person,
                                           database_url: str) -> None:
    token = token_of(api, person)
    stored = stored_tokens(database_url)
    assert all(token not in map(str, row.values()) for row in stored)
    digests = {row["digest"]: row for row in stored}
    row = digests[hashlib.sha256(token.encode()).hexdigest()]
    assert row["identifier"] == "pytest-auth"


# --- the REST API without a valid token ----------------------------------------------------


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Token " + "0" * 40},
    {"Authorization": "Bearer " + "0" * 40},
    {"Authorization": "Bearer " + "x" * 500},
    {"Authorization": "Basic YWRtaW46YWRtaW4tc2VjcmV0LTE="},
    {"Cookie": "ZEYOSID=nope"},
])
@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/auth/v1/"),
    ("GET", "/api/v1/config"),
    ("GET", "/api/v1/settings"),
    ("POST", "/api/v1/accounts"),
    ("PUT", "/api/v1/accounts"),
    ("GET", "/api/v1/accounts/1"),
    ("DELETE", "/api/v1/accounts/1"),
])
def test_requests_without_a_valid_token_are_unauthorized(api: httpx.Client, method: str,
                                                         path: str,
                                                         headers: dict[str, str]) -> None:
    r = api.request(method, f"/{INSTANCE}{path}", headers=headers)
    assert_unauthorized(r)


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/auth/v1/login"),
    ("GET", "/auth/v1/"),
    ("GET", "/auth/v1/logout"),
    ("GET", "/api/v1/config"),
    ("POST", "/api/v1/accounts"),
])
def test_wrong_instance_is_not_found(api: httpx.Client, admin_token: str, method: str,
                                    path: str) -> None:
    body = {"name": "admin", "password": ADMIN_PASSWORD, "identifier": "x"}
    r = api.request(method, f"/not-{INSTANCE}{path}", headers=bearer(admin_token),
                    data=body if method == "POST" else None)
    assert r.status_code == 404, r.text
    assert r.text.startswith("Not Found: ")
    # the token was not logged out by the request on the wrong instance
    assert api.get(f"/{INSTANCE}/auth/v1/", headers=bearer(admin_token)).status_code == 200


# --- config, settings, health --------------------------------------------------------------


def test_config(api: httpx.Client, session: dict[str, Any]) -> None:
    r = api.get(f"/{INSTANCE}/api/v1/config", headers=bearer(session["token"]))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["instance"] == INSTANCE


def test_settings_need_an_application(api: httpx.Client, session: dict[str, Any]) -> None:
    r = api.get(f"/{INSTANCE}/api/v1/settings", headers=bearer(session["token"]))
    assert r.status_code == 403
    assert r.text == "Forbidden: Invalid application context"


def test_health(api: httpx.Client) -> None:
    r = api.get("/healthz")
    assert r.status_code == 200
    assert r.text == "ok"
