"""The `comptoir` command: database schema, users, groups, access keys, and the start of the
server (schema check, first admin, demo data), through `cli.main` and the console script."""

from __future__ import annotations

import asyncio
import io
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import INSTANCE, Server, _free_port, run_cli

from comptoir import cli
from comptoir.config import Settings
from comptoir.errors import AuthenticationError, SchemaBehindError
from comptoir.services import auth
from comptoir.storage import migrate
from comptoir.storage.database import open_database

CONSOLE_SCRIPT = Path(sys.executable).parent / "comptoir"


def unique(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command, expect exit status 1, return its message (and check its shape)."""
    assert cli.main(list(argv)) == 1
    err = capsys.readouterr().err
    assert err.startswith("comptoir: ")
    assert "Traceback" not in err
    return err


def login(server: Server, name: str, password: str) -> httpx.Response:
    return httpx.post(f"{server.url}/{INSTANCE}/auth/v1/login",
                      data={"name": name, "password": password, "identifier": "pytest-cli"})


def access_of(server: Server, name: str, password: str) -> dict[str, object]:
    r = login(server, name, password)
    assert r.status_code == 200, r.text
    me = httpx.get(f"{server.url}/{INSTANCE}/auth/v1/", params={"access": "1"},
                   headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.status_code == 200, me.text
    return dict(me.json())


def sqlite_file(path: Path, *statements: str) -> str:
    """A SQLite database made by hand; its URL."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
def no_admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPTOIR_ADMIN_PASSWORD", raising=False)


# --- db ------------------------------------------------------------------------------------


def test_db_status_and_upgrade(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    head = migrate.head_revision()
    assert cli.main(["db", "status", "--database", sqlite_url]) == 0
    assert capsys.readouterr().out.strip() == f"current: empty  head: {head}"
    assert cli.main(["db", "upgrade", "--database", sqlite_url]) == 0
    assert capsys.readouterr().out.strip() == f"database at {head}"
    assert cli.main(["db", "status", "--database", sqlite_url]) == 0
    assert capsys.readouterr().out.strip() == f"current: {head}  head: {head}"
    # upgrading again changes nothing
    assert cli.main(["db", "upgrade", "--database", sqlite_url]) == 0
    assert migrate.status(sqlite_url) == (head, head)


def test_unsupported_database_url(capsys: pytest.CaptureFixture[str]) -> None:
    err = fails(capsys, "db", "status", "--database", "mysql://localhost/x")
    assert "unsupported database URL scheme: mysql" in err


@pytest.mark.parametrize("action", ["status", "upgrade"])
def test_unusable_database(tmp_path: Path, action: str,
                           capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    assert "unable to open database file" in fails(capsys, "db", action, "--database", url)


def test_upgrade_from_an_unknown_revision(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_file(tmp_path / "newer.db",
                      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
                      "INSERT INTO alembic_version VALUES ('9999_future')")
    err = fails(capsys, "db", "upgrade", "--database", url)
    assert "9999_future" in err


# --- users ---------------------------------------------------------------------------------


def test_user_create(server: Server, database_url: str,
                     capsys: pytest.CaptureFixture[str]) -> None:
    name = unique("Cli")
    run_cli(database_url, "user", "create", name, "--password", "pw-1")
    assert re.fullmatch(rf"created user {name} \(ID \d+\)\n", capsys.readouterr().out)
    access = access_of(server, name.upper(), "pw-1")
    assert access["admin"] is False
    assert access["groups"] == {} and access["permissions"] == {}


def test_user_create_admin_with_email(server: Server, database_url: str) -> None:
    name = unique("boss")
    run_cli(database_url, "user", "create", name, "--password", "pw-2", "--admin",
            "--email", f"{name}@example.com")
    access = access_of(server, f"{name}@EXAMPLE.com", "pw-2")
    assert access["name"] == name
    assert access["admin"] is True


def test_user_create_refuses_a_taken_name(database_url: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    name = unique("twin")
    run_cli(database_url, "user", "create", name, "--password", "pw")
    err = fails(capsys, "user", "create", name.upper(), "--password", "other",
                "--database", database_url)
    assert err == f"comptoir: user {name.upper()} already exists\n"


def test_user_create_refuses_a_taken_email(database_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    email = f"{unique('mail')}@example.com"
    run_cli(database_url, "user", "create", unique("first"), "--password", "pw",
            "--email", email)
    err = fails(capsys, "user", "create", unique("second"), "--password", "pw",
                "--email", email.upper(), "--database", database_url)
    assert "already exists" in err


def test_user_create_in_a_missing_group_creates_nothing(
        server: Server, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    name, group = unique("lost"), unique("nogroup")
    err = fails(capsys, "user", "create", name, "--password", "pw", "--group", group,
                "--database", database_url)
    assert err == f"comptoir: group {group} does not exist\n"
    assert login(server, name, "pw").status_code == 401
    run_cli(database_url, "user", "create", name, "--password", "pw")  # the name is free


def test_user_create_with_an_empty_name(database_url: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert "name: must not be empty" in fails(capsys, "user", "create", " ", "--password",
                                              "pw", "--database", database_url)


def test_user_create_needs_a_password(sqlite_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["user", "create", "nopw", "--database", sqlite_url])
    assert exit_info.value.code == 2
    assert "--password" in capsys.readouterr().err


def test_user_list_passwd_and_deactivate(server: Server, database_url: str,
                                         capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    name = unique("life")
    run_cli(database_url, "user", "create", name, "--password", "pw-old",
            "--email", f"{name}@example.com")
    capsys.readouterr()
    run_cli(database_url, "user", "list")
    line = next(row for row in capsys.readouterr().out.splitlines() if f"\t{name}\t" in row)
    assert line.split("\t")[1:] == [name, f"{name}@example.com", "user", "active"]
    # a new password (read from stdin) ends the logins made with the old one
    token = login(server, name, "pw-old").json()["token"]
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-new\n"))
    run_cli(database_url, "user", "passwd", name)
    me = httpx.get(f"{server.url}/{INSTANCE}/auth/v1/",
                   headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert login(server, name, "pw-old").status_code == 401
    token = login(server, name, "pw-new").json()["token"]
    # deactivated: no login, and the token of before stops at once
    run_cli(database_url, "user", "deactivate", name)
    assert "deactivated" in capsys.readouterr().out
    assert login(server, name, "pw-new").status_code == 401
    assert httpx.get(f"{server.url}/{INSTANCE}/auth/v1/",
                     headers={"Authorization": f"Bearer {token}"}).status_code == 401
    run_cli(database_url, "user", "list")
    assert f"\t{name}\t{name}@example.com\tuser\tdeactivated" in capsys.readouterr().out
    # unknown users and empty passwords are refused, naming what is wrong
    assert "does not exist" in fails(capsys, "user", "deactivate", unique("ghost"),
                                     "--database", database_url)
    assert "password: must not be empty" in fails(capsys, "user", "passwd", name,
                                                  "--password", "", "--database",
                                                  database_url)


def test_user_accesskey(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    name = unique("keyed")
    run_cli(database_url, "user", "create", name, "--password", "pw")
    capsys.readouterr()
    run_cli(database_url, "user", "accesskey", name.upper())
    key = capsys.readouterr().out
    assert re.fullmatch(r"[0-9a-f]{16}\n", key)
    run_cli(database_url, "user", "accesskey", name)
    assert capsys.readouterr().out == key
    err = fails(capsys, "user", "accesskey", unique("ghost"), "--database", database_url)
    assert "does not exist" in err


# --- groups --------------------------------------------------------------------------------


def test_group_members_get_the_group_permissions(server: Server, database_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # given a group with two permissions and a user in it
    group, name = unique("Crm"), unique("member")
    run_cli(database_url, "group", "create", group,
            "--permission", "contacts:writable", "--permission", "accounts")
    group_id = int(re.fullmatch(rf"created group {group} \(ID (\d+)\)\n",
                                capsys.readouterr().out).group(1))  # type: ignore[union-attr]
    run_cli(database_url, "user", "create", name, "--password", "pw", "--group", group.lower())
    # when the user logs in, then they hold exactly those permissions
    access = access_of(server, name, "pw")
    assert access["permissions"] == {"accounts": False, "contacts": True}
    assert access["groups"] == {str(group_id): True}
    assert access["admin"] is False


def test_group_create_refuses_a_taken_name(database_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    group = unique("dup")
    run_cli(database_url, "group", "create", group)
    err = fails(capsys, "group", "create", group.upper(), "--database", database_url)
    assert err == f"comptoir: group {group.upper()} already exists\n"


@pytest.mark.parametrize(("grant", "problem"), [
    ("foo:bar", "expected IDENTIFIER or IDENTIFIER:writable: foo:bar"),
    (":writable", "expected IDENTIFIER or IDENTIFIER:writable"),
    ("accounts:", "expected IDENTIFIER or IDENTIFIER:writable"),
    ("accounts:read", "expected IDENTIFIER or IDENTIFIER:writable"),
    ("contact:writable", "unknown permission contact (known: accounting, accounts, actionsteps,"),
    ("admin", "unknown permission admin"),
])
def test_group_create_with_a_bad_permission(sqlite_url: str, grant: str, problem: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["group", "create", "bad", "--permission", grant, "--database", sqlite_url])
    assert exit_info.value.code == 2
    assert problem in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["user", "create", "early", "--password", "pw"],
    ["user", "accesskey", "early"],
    ["group", "create", "early"],
])
def test_commands_on_a_database_without_schema(sqlite_url: str, argv: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    err = fails(capsys, *argv, "--database", sqlite_url)
    assert "run `comptoir db upgrade`" in err


def test_console_script_reports_errors_without_a_traceback(database_url: str) -> None:
    name = unique("script")
    run_cli(database_url, "user", "create", name, "--password", "pw")
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "user", "create", name, "--password", "pw",
         "--database", database_url],
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stderr == f"comptoir: user {name} already exists\n"
    assert done.stdout == ""


# --- serve: schema and first admin ---------------------------------------------------------


def test_serve_refuses_a_database_at_an_unknown_revision(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_file(tmp_path / "other.db",
                      "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
                      "INSERT INTO alembic_version VALUES ('0000_older')")
    err = fails(capsys, "serve", "--database", url, "--server", "uvicorn")
    assert "0000_older" in err
    assert "run `comptoir db upgrade`" in err
    with pytest.raises(SchemaBehindError):
        cli.ensure_schema(Settings(database_url=url), create=True)


def test_serve_refuses_tables_without_a_revision(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_file(tmp_path / "foreign.db", "CREATE TABLE accounts (ID INTEGER PRIMARY KEY)")
    err = fails(capsys, "serve", "--database", url, "--server", "uvicorn")
    assert "no schema revision" in err
    assert "`comptoir db upgrade`" in err
    assert migrate.table_names(url) == ["accounts"]  # left untouched


def test_ensure_schema_without_create_refuses_an_empty_database(sqlite_url: str) -> None:
    with pytest.raises(SchemaBehindError, match="comptoir db upgrade"):
        cli.ensure_schema(Settings(database_url=sqlite_url), create=False)


def _ensure_admin(url: str) -> str | None:
    async def run() -> str | None:
        db = open_database(url)
        await db.open()
        try:
            return await cli.ensure_admin(db)
        finally:
            await db.close()

    return asyncio.run(run())


def _can_log_in(url: str, name: str, password: str) -> bool:
    async def run() -> bool:
        db = open_database(url)
        await db.open()
        try:
            await auth.login(db, name, password, "pytest-cli")
            return True
        except AuthenticationError:
            return False
        finally:
            await db.close()

    return asyncio.run(run())


def test_first_start_migrates_and_creates_admin(sqlite_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # given an empty database and an admin password in the environment
    monkeypatch.setenv("COMPTOIR_ADMIN_PASSWORD", "from-the-env")
    # when the server prepares it
    cli.ensure_schema(Settings(database_url=sqlite_url), create=True)
    # then it is migrated and admin has that password; nothing is printed or generated
    assert migrate.status(sqlite_url) == (migrate.head_revision(), migrate.head_revision())
    assert _ensure_admin(sqlite_url) is None
    assert _can_log_in(sqlite_url, "admin", "from-the-env")
    # and the next start changes nothing
    cli.ensure_schema(Settings(database_url=sqlite_url), create=True)
    monkeypatch.setenv("COMPTOIR_ADMIN_PASSWORD", "changed")
    assert _ensure_admin(sqlite_url) is None
    assert not _can_log_in(sqlite_url, "admin", "changed")


def test_first_start_without_a_password_prints_a_random_one(
        sqlite_url: str, no_admin_password: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--database", sqlite_url]) == 0
    out = capsys.readouterr().out
    match = re.search(r"created user admin with password: (\S+)  \(shown once\)\n", out)
    assert match is not None, out
    assert "loaded the demo data" in out
    assert _can_log_in(sqlite_url, "admin", match.group(1))
    # shown once: the second start neither creates nor prints a password
    assert cli.main(["demo", "--database", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "password" not in out
    assert out == "demo data already present\n"


# --- serve: the real server ----------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`comptoir serve --demo` on a fresh SQLite database, as a real process; its URL."""
    port = _free_port()
    env = {**os.environ, "COMPTOIR_ADMIN_PASSWORD": "serve-secret"}
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "serve", "--server", "uvicorn", "--port", str(port),
         "--database", f"sqlite:///{tmp_path / 'served.db'}", "--instance", "x", "--demo"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # the demo issues and renders documents
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"comptoir serve exited with {process.returncode}:\n{log.read()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("comptoir serve did not answer /healthz within 90 s")
            time.sleep(0.1)
        yield url
        log.seek(0)
        output = log.read()
        assert "loaded the demo data" in output
        assert f"Comptoir serving {url}/x/api/v1" in output
        assert "password:" not in output  # it came from the environment
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_serve_with_demo_data(served: str) -> None:
    r = httpx.post(f"{served}/x/auth/v1/login",
                   json={"name": "admin", "password": "serve-secret", "identifier": "curl"})
    assert r.status_code == 200, r.text
    with httpx.Client(base_url=f"{served}/x/api/v1", timeout=10,
                      headers={"Authorization": f"Bearer {r.json()['token']}"}) as admin:
        accounts = admin.post("/accounts", json={})
        assert accounts.status_code == 200, accounts.text
        assert len(accounts.json()) == 10
        first = admin.get(f"/accounts/{accounts.json()[0]['ID']}", params={"tags": 1})
        assert first.status_code == 200
        assert first.json()["currency"] == "EUR"
        assert first.json()["tags"]
    # a demo user can log in too
    assert httpx.post(f"{served}/x/auth/v1/login", data={
        "name": "alice", "password": "demo-alice", "identifier": "curl"}).status_code == 200
    # and the instance name is part of the path
    assert httpx.post(f"{served}/demo/auth/v1/login", data={}).status_code == 404


@pytest.mark.parametrize(("env", "value", "message"), [
    ("COMPTOIR_WEBHOOK_TIMEOUT", "soon", "COMPTOIR_WEBHOOK_TIMEOUT: not a number: 'soon'"),
    ("COMPTOIR_WEBHOOK_LEASE", "10", "webhook_lease: at least twice webhook_timeout"),
    ("COMPTOIR_WEBHOOK_RETRY_DELAYS", "5,x", "webhook_retry_delays: comma-separated seconds"),
])
def test_bad_worker_settings_are_named(sqlite_url: str, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, env: str, value: str,
                                       message: str) -> None:
    monkeypatch.setenv(env, value)
    for command in ("worker", "serve"):
        assert message in fails(capsys, command, "--database", sqlite_url)


def test_numbering_and_document_commands(server: Server, database_url: str, admin: httpx.Client,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # given: a draft invoice of one line
    capsys.readouterr()
    account = admin.put("/accounts", json={"lastname": "CLI SARL", "currency": "EUR"}).json()
    draft = admin.put("/transactions", json={"type": 3, "account": account["ID"],
                                             "currency": "EUR"}).json()
    admin.put("/lineitems", json={"transaction": draft["ID"], "quantity": 2, "listprice": 5,
                                  "tax1": 20})
    # when: the invoice format is changed, then the invoice issued
    run_cli(database_url, "numbering", "set", "invoice", "--pattern", "CLI-{YYYY}-{SEQ:3}",
            "--reset", "yearly")
    assert "invoice: CLI-{YYYY}-{SEQ:3} (yearly), next CLI-" in capsys.readouterr().out
    run_cli(database_url, "document", "issue", str(draft["ID"]))
    # then
    out = capsys.readouterr().out
    assert re.fullmatch(rf"issued {draft['ID']} as CLI-\d{{4}}-\d{{3}} \(total 12.0\)\n", out)
    run_cli(database_url, "numbering", "list")
    assert re.search(r"^invoice\tCLI-\{YYYY\}-\{SEQ:3\}\tyearly\tnext CLI-",
                     capsys.readouterr().out, re.M)
    # and a bad pattern is one line on stderr
    err = fails(capsys, "numbering", "set", "invoice", "--pattern", "X{Q}", "--database",
                database_url)
    assert err.startswith("comptoir: pattern: unknown placeholder {Q}")
    run_cli(database_url, "numbering", "set", "invoice", "--pattern", "FA-{YYYY}-{SEQ:5}")


def test_invoicing_commands(server: Server, database_url: str, admin: httpx.Client,
                            capsys: pytest.CaptureFixture[str]) -> None:
    # given: an issued order of 200.00 net
    capsys.readouterr()
    account = admin.put("/accounts", json={"lastname": "Stages SARL", "currency": "EUR"}).json()
    order = admin.put("/transactions", json={"type": 1, "account": account["ID"],
                                             "currency": "EUR"}).json()
    line = admin.put("/lineitems", json={"transaction": order["ID"], "quantity": 2,
                                         "listprice": 100, "tax1": 20}).json()
    admin.post(f"/transactions/{order['ID']}/issue", json={})
    # when: an advance of 25 %, then the line at 50 %
    run_cli(database_url, "document", "advance", str(order["ID"]), "--percent", "25")
    assert re.fullmatch(r"made draft invoice \d+ \(PROV-\d+\): net 50.0, total 60.0\n",
                        capsys.readouterr().out)
    run_cli(database_url, "document", "progress", str(order["ID"]), "--line",
            f"{line['ID']}:50")
    assert ": net 100.0, total 120.0\n" in capsys.readouterr().out
    # and work logged on the account, at an item's price
    item = admin.put("/items", json={"name": "Heure", "sellingprice": 60, "taxrate": 20}).json()
    admin.put("/actionsteps", json={"name": "Réglage", "effort": 30, "status": 1,
                                    "account": account["ID"]})
    run_cli(database_url, "document", "consumption", str(account["ID"]), "--item",
            str(item["ID"]))
    assert ": net 30.0, total 36.0\n" in capsys.readouterr().out
    err = fails(capsys, "document", "progress", str(order["ID"]), "--percent", "120",
                "--database", database_url)
    assert err.startswith("comptoir: percent: must be at most 100")
