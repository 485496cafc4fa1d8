"""Test fixtures: a real database (SQLite file, or a fresh PostgreSQL database when
COMPTOIR_TEST_DATABASE_URL names a PostgreSQL server), migrated with the real migrations,
and a real HTTP server on 127.0.0.1 in a background thread, driven with httpx."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from comptoir import cli
from comptoir.api.app import create_app
from comptoir.config import Settings
from comptoir.storage import migrate
from comptoir.storage.database import run_with_database

INSTANCE = "test"
#: a fixed key sealing the access keys, so that no test writes a `comptoir.key` file
SECRET_KEY = os.environ["COMPTOIR_SECRET_KEY"] = "dGVzdC1rZXktc2VhbGluZy1hY2Nlc3Mta2V5cy0zMmI="
ADMIN_PASSWORD = "admin-secret-1"


class ReceiverServer(ThreadingHTTPServer):
    """A threaded HTTP server for webhook receivers in tests: a long accept queue (workers
    open many connections at once) and threads that never keep the test run alive."""

    request_queue_size = 256
    daemon_threads = True


REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def report(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test reports (figures worth reading in CI logs), shown in the summary."""
    return request.config.stash.setdefault(REPORT, [])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in config.stash.get(REPORT, []):
        terminalreporter.write_line(line)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _pg_admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(folder: Path, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database: a fresh PostgreSQL database (dropped afterwards)
    when COMPTOIR_TEST_DATABASE_URL names a PostgreSQL server, else a SQLite file."""
    server = os.environ.get("COMPTOIR_TEST_DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield f"sqlite:///{folder / (prefix + '.db')}"
        return
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def database_with_admin(folder: Path, prefix: str) -> Iterator[str]:
    """A fresh, migrated database (see `fresh_database`) whose first user, ID 1, is the
    administrator `admin`."""
    from comptoir.services import auth

    with fresh_database(folder, prefix) as url:
        migrate.upgrade(url)
        run_with_database(url, lambda db: auth.create_user(db, "admin", "pw-admin-1",
                                                            admin=True))
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    with fresh_database(tmp_path_factory.mktemp("db"), "comptoir_test") as url:
        migrate.upgrade(url)
        yield url


def run_cli(database_url: str, *args: str) -> None:
    assert cli.main([*args[:2], *args[2:], "--database", database_url]) == 0


class Server:
    def __init__(self, settings: Settings) -> None:
        settings = replace(settings, secret_key=settings.secret_key or SECRET_KEY)
        self.settings = settings
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=settings.port,
                                log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{settings.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def _ensure_test_admin(db: Any) -> None:
    """The `admin` the suites log in as, even when a suite that ran first made other users
    (which stops `comptoir serve` from making one)."""
    from comptoir.services import auth

    if await auth.find_user(db, "admin") is None:
        await auth.create_user(db, "admin", ADMIN_PASSWORD, admin=True)


@pytest.fixture(scope="session")
def server(database_url: str) -> Iterator[Server]:
    os.environ["COMPTOIR_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    # database_wait: the suite issues 50 documents at once, each rendering its PDF and
    # posting its entry on SQLite's one writer (about 10 s in all on a busy machine); the
    # refusal itself is tested by tests/api/test_busy.py with a wait of its own
    settings = Settings(database_url=database_url, instance=INSTANCE, port=_free_port(),
                        max_body_bytes=64 * 1024, max_file_bytes=256 * 1024,
                        database_wait=30.0)
    cli.ensure_schema(settings, create=True)
    run_with_database(database_url, _ensure_test_admin)
    srv = Server(settings)
    srv.start()
    yield srv
    srv.stop()


def login(server: Server, name: str, password: str) -> str:
    r = httpx.post(f"{server.url}/{INSTANCE}/auth/v1/login",
                   data={"name": name, "password": password, "identifier": "pytest"})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def client(server: Server, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{server.url}/{INSTANCE}/api/v1", headers=headers, timeout=30)


@pytest.fixture(scope="session")
def admin(server: Server) -> Iterator[httpx.Client]:
    with client(server, login(server, "admin", ADMIN_PASSWORD)) as c:
        yield c


@pytest.fixture(scope="session")
def make_user(server: Server, database_url: str) -> Iterator[Callable[..., httpx.Client]]:
    """Create a user (with a fresh group holding `permissions`) and return a logged-in
    client; `permissions` like ("accounts:writable", "contacts")."""
    opened: list[httpx.Client] = []

    def make(*permissions: str, nopublic: bool = False, group: str | None = None) -> Any:
        suffix = secrets.token_hex(4)
        name, password = f"user_{suffix}", f"pw-{suffix}"
        group = group or f"group_{suffix}"
        grants = [a for p in permissions for a in ("--permission", p)]
        run_cli(database_url, "group", "create", group, *grants)
        flags = ["--nopublic"] if nopublic else []
        run_cli(database_url, "user", "create", name, "--password", password, "--group", group,
                *flags)
        c = client(server, login(server, name, password))
        c.user_name = name  # type: ignore[attr-defined]
        c.group_name = group  # type: ignore[attr-defined]
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def anon(server: Server) -> Iterator[httpx.Client]:
    with client(server, None) as c:
        yield c


def here() -> Path:
    return Path(__file__).parent
