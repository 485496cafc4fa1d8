"""Fixtures of the webservice suites: vtiger-style sessions over real HTTP.

    ws_admin.call("retrieve", id="11x5")            GET  /{instance}/webservice.php?...
    ws_admin.post("create", elementType=..., element={...})   form POST
Both return the decoded envelope; `.ok(...)` / `.okpost(...)` return `result` and fail
the test on `success: false`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from conftest import INSTANCE, Server

from comptoir.services import auth
from comptoir.storage.database import run_with_database

#: every client the suites open, closed when the session ends (none is left to the GC)
OPENED: list[httpx.Client] = []


class WsClient:
    def __init__(self, server: Server, session: str | None = None) -> None:
        self.url = f"{server.url}/{INSTANCE}/webservice.php"
        self.http = httpx.Client(timeout=30)
        OPENED.append(self.http)
        self.session = session

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        out = {k: (orjson.dumps(v).decode() if isinstance(v, dict | list) else v)
               for k, v in params.items()}
        if self.session is not None and "sessionName" not in out:
            out["sessionName"] = self.session
        return out

    def call(self, operation: str, **params: Any) -> Any:
        r = self.http.get(self.url, params={"operation": operation, **self._params(params)})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/json"
        return r.json()

    def post(self, operation: str, **params: Any) -> Any:
        r = self.http.post(self.url, data={"operation": operation, **self._params(params)})
        assert r.status_code == 200, r.text
        return r.json()

    def ok(self, operation: str, **params: Any) -> Any:
        body = self.call(operation, **params)
        assert body["success"] is True, body
        return body["result"]

    def okpost(self, operation: str, **params: Any) -> Any:
        body = self.post(operation, **params)
        assert body["success"] is True, body
        return body["result"]

    def error(self, operation: str, *, post: bool = False, **params: Any) -> dict[str, str]:
        body = (self.post if post else self.call)(operation, **params)
        assert body["success"] is False, body
        assert list(body) == ["success", "error"]
        return dict(body["error"])


def access_key(database_url: str, name: str) -> str:
    return run_with_database(database_url, lambda db: auth.access_key(db, name))


def ws_login(server: Server, database_url: str, name: str) -> WsClient:
    client = WsClient(server)
    token = client.ok("getchallenge", username=name)["token"]
    key = hashlib.md5((token + access_key(database_url, name)).encode()).hexdigest()
    client.session = client.okpost("login", username=name, accessKey=key)["sessionName"]
    return client


@pytest.fixture(scope="session", autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    for http in OPENED:
        http.close()


@pytest.fixture(scope="session")
def ws_admin(server: Server, database_url: str) -> Iterator[WsClient]:
    client = ws_login(server, database_url, "admin")
    yield client
    client.http.close()


@pytest.fixture
def ws_anon(server: Server) -> Iterator[WsClient]:
    client = WsClient(server)
    yield client
    client.http.close()
