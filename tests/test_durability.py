"""Durability: `kill -9` of `comptoir serve` while 8 clients write invoices (a header and
two lines each, one webservice `create`), on SQLite and PostgreSQL.  After a restart on
the same database every acknowledged invoice is there with both lines (0 lost), and every
unacknowledged one is wholly there or wholly absent (never a header without its lines)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from conftest import _free_port, fresh_database

CONSOLE_SCRIPT = Path(sys.executable).parent / "comptoir"
PASSWORD = "durable-secret"
WRITERS = 8


class Served:
    def __init__(self, url: str, folder: Path) -> None:
        self.database, self.folder = url, folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "COMPTOIR_ADMIN_PASSWORD": PASSWORD,
               "COMPTOIR_SECRET_KEY_FILE": str(self.folder / "durable.key")}
        with (self.folder / "serve.log").open("ab") as log:  # the child keeps its own
            self.process = subprocess.Popen(
                [str(CONSOLE_SCRIPT), "serve", "--server", "uvicorn", "--port", str(self.port),
                 "--database", self.database, "--instance", "d"], stdout=log,
                stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, (self.folder / "serve.log").read_text()
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "comptoir serve did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with fresh_database(tmp_path, "comptoir_durable") as url:
        server = Served(url, tmp_path)
        server.start()
        try:
            yield server
        finally:
            if server.process is not None and server.process.poll() is None:
                server.kill()


def _ws(server: Served, key: str, operation: str, **params: Any) -> Any:
    data = {k: orjson.dumps(v).decode() if isinstance(v, dict) else v
            for k, v in params.items()}
    answer = httpx.post(f"{server.url}/d/webservice.php", headers={"token": key},
                        data={"operation": operation, **data}, timeout=10)
    body = answer.json()
    assert body["success"], body
    return body["result"]


def _rest(server: Served) -> httpx.Client:
    token = httpx.post(f"{server.url}/d/auth/v1/login", data={
        "name": "admin", "password": PASSWORD, "identifier": "durability"}).json()["token"]
    return httpx.Client(base_url=f"{server.url}/d/api/v1", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def test_kill_9_loses_no_acknowledged_write(served: Served, report: list[str]) -> None:
    with _rest(served) as admin:
        key = admin.put("/apikeys", json={"user": "admin", "name": "durable"}).json()["key"]
    account = _ws(served, key, "create", elementType="Accounts",
                  element={"accountname": "Durable SA", "assigned_user_id": "19x1"})["id"]
    product = _ws(served, key, "create", elementType="Products",
                  element={"productname": "Widget", "unit_price": "10",
                           "assigned_user_id": "19x1"})["id"]
    acknowledged: set[str] = set()
    attempted: set[str] = set()
    lock, stop = threading.Lock(), threading.Event()

    def writer(n: int) -> None:
        for i in range(10_000):
            if stop.is_set():
                return
            subject = f"durable-{n}-{i}"
            with lock:
                attempted.add(subject)
            element = {"subject": subject, "account_id": account, "assigned_user_id": "19x1",
                       "invoicestatus": "Created", "bill_street": "1 rue", "ship_street": "1 rue",
                       "productid": product, "LineItems": [
                           {"productid": product, "quantity": "1", "listprice": "10"},
                           {"productid": product, "quantity": "2", "listprice": "10"}]}
            try:
                _ws(served, key, "create", elementType="Invoice", element=element)
            except (httpx.TransportError, ValueError):
                return  # the server is gone: this write was not acknowledged
            with lock:
                acknowledged.add(subject)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    served.kill()
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acknowledged) >= 40
    # when: the server starts again on the same database
    served.start()
    with _rest(served) as admin:
        found = admin.post("/transactions", json={
            "fields": ["ID", "subject", "grandtotal"],
            "filters": {"subject": {"~~": "durable-%"}}, "limit": 10_000}).json()
        assert len(found) < 5_000, "the lines of every invoice are read at once below"
        lines = admin.post("/lineitems", json={
            "fields": ["transaction"], "limit": 10_000,
            "filters": {"transaction": {"IN": [row["ID"] for row in found]}}}).json()
    count: dict[int, int] = {}
    for line in lines:
        count[line["transaction"]] = count.get(line["transaction"], 0) + 1
    stored = {row["subject"]: row for row in found}
    # then: nothing acknowledged is lost, nothing is half-written
    assert acknowledged - stored.keys() == set()
    assert stored.keys() <= attempted
    for subject, row in stored.items():
        assert count.get(row["ID"]) == 2, subject
        assert row["grandtotal"] == 30, subject
    report.append(f"kill -9 under {WRITERS} writers ({served.database.split(':')[0]}): "
                  f"{len(acknowledged)} acknowledged, all there; "
                  f"{len(stored) - len(acknowledged)} of "
                  f"{len(attempted) - len(acknowledged)} unacknowledged there, whole")
