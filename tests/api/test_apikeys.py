"""API keys over HTTP: the REST administration (admins only), and the `token:` header on
every front door: the REST API, webservice.php (no login), the Cloud REST form and the
Kananas-style `/action_manager.php`.  Every bad key answers the same 401."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from conftest import INSTANCE, Server

from comptoir.cli import main
from comptoir.services import apikeys
from comptoir.storage.database import run_with_database

T0 = 1_000_000_000  # a moment long past: keys "created" then can expire before today


def create(admin: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = admin.put("/apikeys", json={"user": "admin", **body})
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def token_client(server: Server, key: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"token": key}, timeout=30)


@pytest.fixture
def door(server: Server) -> Iterator[Callable[[str], httpx.Client]]:
    opened: list[httpx.Client] = []

    def make(key: str) -> httpx.Client:
        opened.append(token_client(server, key))
        return opened[-1]

    yield make
    for c in opened:
        c.close()


def bad_keys(admin: httpx.Client, database_url: str) -> dict[str, str]:
    """A wrong, an expired and a revoked key."""
    revoked = create(admin)
    assert admin.post(f"/apikeys/{revoked['ID']}/revoke").status_code == 204
    _, expired = run_with_database(database_url, lambda db: apikeys.create(
        db, "admin", "expired", (), T0 + 60, now=T0))
    return {"wrong": "ck_" + secrets.token_urlsafe(30), "expired": expired,
            "revoked": revoked["key"]}


# --- administration ------------------------------------------------------------------------


def test_admins_create_list_rotate_and_revoke_keys(admin: httpx.Client,
                                                   door: Callable[[str], httpx.Client]) -> None:
    created = create(admin, name="sync", scopes=["contacts:read"], expires="30")
    assert created["key"].startswith("ck_") and created["prefix"] == created["key"][:8]
    assert created["scopes"] == ["contacts:read"] and created["expires"] > 0
    listed = admin.get("/apikeys").json()
    mine = next(k for k in listed if k["ID"] == created["ID"])
    assert "key" not in mine and created["key"] not in str(listed)
    rotated = admin.post(f"/apikeys/{created['ID']}/rotate")
    assert rotated.status_code == 200
    new = rotated.json()["key"]
    path = f"/{INSTANCE}/api/v1/contacts"
    assert door(created["key"]).post(path).status_code == 401
    assert door(new).post(path).status_code == 200
    assert admin.post(f"/apikeys/{created['ID']}/revoke").status_code == 204
    assert door(new).post(path).status_code == 401
    assert admin.post(f"/apikeys/{created['ID']}/rotate").status_code == 409
    assert admin.post("/apikeys/999999999/revoke").status_code == 404


def test_only_admins_manage_keys(admin: httpx.Client, make_user: Callable[..., Any],
                                 door: Callable[[str], httpx.Client]) -> None:
    user = make_user("contacts:writable")
    key = create(admin)
    assert user.get("/apikeys").status_code == 403
    assert user.put("/apikeys", json={"user": user.user_name}).status_code == 403
    assert user.post(f"/apikeys/{key['ID']}/revoke").status_code == 403
    # nor a scoped key, even of an administrator
    scoped = create(admin, scopes=["*"])["key"]
    assert door(scoped).get(f"/{INSTANCE}/api/v1/apikeys").status_code == 403


@pytest.mark.parametrize("body", [{"scopes": ["nosuch"]}, {"user": "no-such-user"},
                                  {"expires": "2001-01-01"}, {"expires": "soon"}, {"user": None}])
def test_bad_key_requests_are_400(admin: httpx.Client, body: dict[str, Any]) -> None:
    answer = admin.put("/apikeys", json={"user": "admin", **body})
    assert answer.status_code == 400, answer.text


# --- the token: header on every door -------------------------------------------------------


def test_a_key_reads_and_writes_through_the_rest_api(make_user: Callable[..., Any],
                                                     admin: httpx.Client,
                                                     door: Callable[[str], httpx.Client]) -> None:
    user = make_user("contacts:writable")
    client = door(create(admin, user=user.user_name)["key"])
    made = client.put(f"/{INSTANCE}/api/v1/contacts", json={"lastname": "Keyed"})
    assert made.status_code == 201, made.text
    assert client.get(f"/{INSTANCE}/api/v1/contacts/{made.json()['ID']}").json()[
        "lastname"] == "Keyed"
    me = client.get(f"/{INSTANCE}/auth/v1/").json()
    assert me["name"] == user.user_name
    # the user's own rights still hold
    assert client.post(f"/{INSTANCE}/api/v1/accounts").status_code == 403


def test_a_key_needs_no_webservice_login(admin: httpx.Client,
                                         door: Callable[[str], httpx.Client]) -> None:
    client = door(create(admin)["key"])
    types = client.get("/webservice.php", params={"operation": "listtypes"}).json()
    assert types["success"] is True and "Contacts" in types["result"]["types"]
    found = client.get("/webservice.php", params={
        "operation": "query", "query": "SELECT id FROM Users WHERE user_name = 'admin';"}).json()
    assert found["success"] is True and len(found["result"]) == 1
    bad = door("ck_" + "x" * 40).get("/webservice.php", params={"operation": "listtypes"})
    assert bad.json()["error"]["code"] == "AUTHENTICATION_FAILURE"


def test_a_key_replaces_basic_auth_on_the_cloud_form(admin: httpx.Client,
                                                     door: Callable[[str], httpx.Client]) -> None:
    client = door(create(admin)["key"])
    me = client.get("/restapi/v1/vtiger/default/me")
    assert me.status_code == 200 and me.json()["result"]["user_name"] == "admin"
    assert door("ck_" + "x" * 40).get("/restapi/v1/vtiger/default/me").status_code == 401


def test_action_manager_lists_reads_and_creates(admin: httpx.Client,
                                                door: Callable[[str], httpx.Client]) -> None:
    client = door(create(admin, scopes=["contacts"])["key"])
    api = {"event": "api", "request": "contacts"}
    made = client.post("/action_manager.php", params=api, json={"lastname": "Kananas"})
    assert made.status_code == 201, made.text
    record_id = made.json()["ID"]
    form = client.post(f"/{INSTANCE}/action_manager.php", params=api,
                       data={"lastname": "Form", "firstname": "Posted"})
    assert form.status_code == 201, form.text
    listed = client.get("/action_manager.php", params={**api, "limit": "1000"})
    assert listed.status_code == 200
    assert record_id in [r["ID"] for r in listed.json()]
    assert len(client.get("/action_manager.php", params={**api, "limit": "1"}).json()) == 1
    one = client.get("/action_manager.php", params={**api, "id": str(record_id)})
    assert one.status_code == 200 and one.json()["lastname"] == "Kananas"


@pytest.mark.parametrize(("params", "status", "named"), [
    ({"event": "other", "request": "contacts"}, 404, "other"),
    ({"event": "api", "request": "nosuch"}, 404, "nosuch"),
    ({"event": "api", "request": "contacts", "id": "999999999"}, 404, ""),
    ({"event": "api", "request": "contacts", "id": "x"}, 400, "id"),
    ({"event": "api", "request": "contacts", "limit": "-1"}, 400, "limit"),
])
def test_action_manager_errors_are_json(admin: httpx.Client, door: Callable[[str], httpx.Client],
                                        params: dict[str, str], status: int, named: str) -> None:
    answer = door(create(admin)["key"]).get("/action_manager.php", params=params)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert set(error) == {"code", "message"} and named in error["message"]


def test_scopes_limit_what_a_key_reaches(admin: httpx.Client,
                                         door: Callable[[str], httpx.Client]) -> None:
    reading = door(create(admin, scopes=["contacts:read"])["key"])
    api = {"event": "api", "request": "contacts"}
    assert reading.get("/action_manager.php", params=api).status_code == 200
    denied = reading.post("/action_manager.php", params=api, json={"lastname": "No"})
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    contacts_only = door(create(admin, scopes=["contacts"])["key"])
    accounts = {"event": "api", "request": "accounts"}
    assert contacts_only.get("/action_manager.php", params=accounts).status_code == 403
    assert contacts_only.post(f"/{INSTANCE}/api/v1/accounts").status_code == 403
    types = contacts_only.get("/webservice.php", params={"operation": "listtypes"}).json()
    assert "Contacts" in types["result"]["types"]
    assert "Accounts" not in types["result"]["types"]


def test_every_bad_key_answers_the_same_401(admin: httpx.Client, database_url: str,
                                            door: Callable[[str], httpx.Client]) -> None:
    keys = bad_keys(admin, database_url)
    api = {"event": "api", "request": "contacts"}
    for where, call in {
        "rest": lambda c: c.post(f"/{INSTANCE}/api/v1/contacts"),
        "token": lambda c: c.get("/action_manager.php", params=api),
        "cloud": lambda c: c.get("/restapi/v1/vtiger/default/me"),
    }.items():
        answers = {(r.status_code, r.text, r.headers.get("www-authenticate"))
                   for r in (call(door(key)) for key in keys.values())}
        assert len(answers) == 1, (where, answers)
        assert next(iter(answers))[0] == 401
    # and no key at all on the token door says it is missing, not invalid
    with httpx.Client(base_url=door("x").base_url) as anonymous:
        none = anonymous.get("/action_manager.php", params=api)
        blank = anonymous.get("/action_manager.php", params=api, headers={"token": ""})
    for answer in (none, blank):
        assert answer.status_code == 401
        assert answer.json() == {"error": {"code": "unauthorized", "message":
                                           "Missing API key: send it in the token: header"}}


def test_the_cli_creates_lists_rotates_and_revokes(server: Server, database_url: str,
                                                   capsys: pytest.CaptureFixture[str],
                                                   door: Callable[[str], httpx.Client]) -> None:
    def cli(*args: str) -> str:
        assert main(["apikey", *args, "--database", database_url]) == 0
        return capsys.readouterr().out

    out = cli("create", "--user", "admin", "--name", "cli", "--scope", "contacts:read",
              "--expires", "7")
    key_id = int(re.search(r"created API key (\d+)", out).group(1))  # type: ignore[union-attr]
    key = re.search(r"key: (ck_\S+)  \(shown once\)", out).group(1)  # type: ignore[union-attr]
    listed = cli("list", "--user", "admin")
    assert f"{key_id}\t{key[:8]}...\tadmin\tcli\tcontacts:read" in listed and key not in listed
    api = {"event": "api", "request": "contacts"}
    assert door(key).get("/action_manager.php", params=api).status_code == 200
    new = re.search(r"key: (ck_\S+)", cli("rotate", str(key_id))).group(1)  # type: ignore[union-attr]
    assert door(key).get("/action_manager.php", params=api).status_code == 401
    cli("revoke", str(key_id))
    assert door(new).get("/action_manager.php", params=api).status_code == 401
    assert "revoked" in cli("list")
