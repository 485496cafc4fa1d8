"""Applications: an `appsecret` at login ties the token to the application, whose settings
`GET /settings` returns (registered with `comptoir application create`)."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from conftest import ADMIN_PASSWORD, INSTANCE, Server

from comptoir import cli


def register(database_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.main(["application", "create", *args, "--database", database_url]) == 0
    match = re.search(r"appsecret: ([0-9a-f]{40})", capsys.readouterr().out)
    assert match is not None
    return match.group(1)


def login(server: Server, **fields: str) -> httpx.Response:
    form = {"name": "admin", "password": ADMIN_PASSWORD, "identifier": "apps", **fields}
    return httpx.post(f"{server.url}/{INSTANCE}/auth/v1/login", data=form)


def test_a_token_issued_with_the_appsecret_reads_the_application_settings(
        server: Server, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    # given an application with settings
    identifier = f"crm-sync-{secrets.token_hex(3)}"
    secret = register(database_url, capsys, identifier, "--name", "CRM sync",
                      "--setting", "region=eu", "--setting", "mode=full")
    # when the user logs in with its secret
    answer = login(server, appsecret=secret)
    # then the token carries the application
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert isinstance(body["application"], int)
    headers = {"Authorization": f"Bearer {body['token']}"}
    settings = httpx.get(f"{server.url}/{INSTANCE}/api/v1/settings", headers=headers)
    assert settings.status_code == 200
    assert settings.json() == {"region": "eu", "mode": "full"}
    me = httpx.get(f"{server.url}/{INSTANCE}/auth/v1/", headers=headers).json()
    assert me["auth"]["application"] == body["application"]


def test_a_wrong_appsecret_is_invalid_credentials(server: Server) -> None:
    answer = login(server, appsecret="0" * 40)
    assert answer.status_code == 401
    assert answer.text == "Unauthorized: Invalid credentials"


def test_identifiers_are_unique(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    identifier = f"dup-{secrets.token_hex(3)}"
    register(database_url, capsys, identifier)
    assert cli.main(["application", "create", identifier, "--database", database_url]) == 1
    assert "already exists" in capsys.readouterr().err


def test_the_secret_is_stored_only_as_a_digest(
        database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlalchemy as sa

    from comptoir.storage.database import run_with_database
    from comptoir.storage.tables import TABLES

    secret = register(database_url, capsys, f"digest-{secrets.token_hex(3)}")
    applications = TABLES["applications"]

    async def stored(db):  # type: ignore[no-untyped-def]
        async with db.read() as conn:
            return await conn.all(sa.select(applications.c.appsecret))

    values = [r["appsecret"] for r in run_with_database(database_url, stored)]
    assert secret not in values
