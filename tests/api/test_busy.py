"""When every database connection is busy, each door answers 503 with `Retry-After` in its
own error form, changes nothing, and serves again once a connection is free.

PostgreSQL: another session holds an exclusive lock on `tokens`, so the server's requests
block inside the connections they took; once the pool's 16 are held, the next request
waits `database_wait` (0.5 s here) for one and is refused.  SQLite: another process holds
the write lock, so a write waits that long for it and is refused (reads go on: WAL).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from conftest import ADMIN_PASSWORD, INSTANCE, Server, _free_port, login

from comptoir.config import Settings

WAIT = 0.5


@pytest.fixture(scope="module")
def busy_server(database_url: str, server: Server) -> Iterator[Server]:
    """A second server on the suite's database that waits only WAIT for a connection."""
    settings = Settings(database_url=database_url, instance=INSTANCE, port=_free_port(),
                        database_wait=WAIT)
    srv = Server(settings)
    srv.start()
    yield srv
    srv.stop()


@contextmanager
def every_connection_held(database_url: str, server: Server, token: str) -> Iterator[None]:
    """The server cannot get a database connection for a new request until the end."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    locked, release = threading.Event(), threading.Event()

    async def hold() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE")
                locked.set()
                await asyncio.to_thread(release.wait)
        finally:
            await conn.close()

    async def waiting() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            return int(await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"))
        finally:
            await conn.close()

    holder_thread = threading.Thread(target=asyncio.run, args=(hold(),), daemon=True)
    holder_thread.start()
    assert locked.wait(10)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{server.url}/{INSTANCE}/api/v1/accounts/1"
    with ThreadPoolExecutor(16) as pool:  # 16 requests, each blocked in a connection
        blocked = [pool.submit(httpx.get, url, headers=headers, timeout=30) for _ in range(16)]
        deadline = time.monotonic() + 20
        while asyncio.run(waiting()) < 16:  # every one of them waits on the lock
            assert time.monotonic() < deadline, "the requests did not reach the lock"
            time.sleep(0.05)
        try:
            yield
        finally:
            release.set()
            holder_thread.join(10)
        # and once released, the blocked requests are answered (not refused)
        assert {f.result().status_code for f in blocked} <= {200, 404}


def _check_busy(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "1"


def test_every_door_answers_503_with_retry_after(busy_server: Server, database_url: str,
                                                 admin: httpx.Client) -> None:
    token = login(busy_server, "admin", ADMIN_PASSWORD)
    headers = {"Authorization": f"Bearer {token}"}
    made = admin.put("/apikeys", json={"user": "admin", "name": "busy"})
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    used = httpx.get(f"{busy_server.url}/action_manager.php", headers={"token": key},
                     params={"event": "api", "request": "accounts"}, timeout=30)
    assert used.status_code == 200, used.text  # its first use (lastused) is behind it
    before = admin.post("/accounts", json={"count": 1}).json()["count"]
    base = busy_server.url
    calls: dict[str, Callable[[], httpx.Response]] = {
        "rest": lambda: httpx.put(f"{base}/{INSTANCE}/api/v1/accounts", headers=headers,
                                  json={"lastname": "Busy", "currency": "EUR"}, timeout=30),
        "webservice": lambda: httpx.post(f"{base}/webservice.php", timeout=30, data={
            "operation": "getchallenge", "username": "admin"}),
        "token": lambda: httpx.post(f"{base}/action_manager.php", timeout=30,
                                    params={"event": "api", "request": "accounts"},
                                    headers={"token": key},
                                    json={"lastname": "Busy", "currency": "EUR"}),
    }
    answers: dict[str, httpx.Response] = {}
    with every_connection_held(database_url, busy_server, token):
        for door, call in calls.items():
            answers[door] = call()
    for answer in answers.values():
        _check_busy(answer)
    assert answers["rest"].text.startswith("Service Unavailable: the database is busy")
    body: Any = answers["webservice"].json()
    assert body["success"] is False and body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert answers["token"].json()["error"]["code"] == "unavailable"
    # nothing was written, and the server serves again
    assert admin.post("/accounts", json={"count": 1}).json()["count"] == before
    again = calls["rest"]()
    assert again.status_code == 201, again.text
    admin.delete(f"/accounts/{again.json()['ID']}")
