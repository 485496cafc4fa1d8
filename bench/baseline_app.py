"""The raw ceiling for bench/run.py: a minimal Starlette app on the same table, the same
server (granian, ASGI, 1 worker, the same options as `comptoir serve`) and the same
database file or PostgreSQL database as the Comptoir server it is compared with.

No authentication, no validation, no ETag: one statement per request on the bare driver
(stdlib sqlite3 called in the event loop, or an asyncpg pool of the same size as
Comptoir's), rows encoded with orjson.  Routes:

    GET  /healthz            plain "ok" (the framework-only ceiling)
    GET  /items/{id}         one row of TABLE by primary key            -> 200 JSON object
    PUT  /items              INSERT the JSON body ... RETURNING the row -> 201 JSON object
    POST /items              {"limit": L, "offset": O}: a page ordered by ID -> 200 JSON array

Configured from the environment (set by bench/run.py):

    BASELINE_DATABASE_URL   sqlite:///path.db or postgresql://user@host:port/db
    BASELINE_TABLE          table to read and write (default: accounts)
    BASELINE_COLUMNS        comma-separated columns returned (default: every column)
    BASELINE_PRAGMAS        SQLite pragmas, ';'-separated (default: Comptoir's own)
    BASELINE_GRANIAN_OPTIONS  JSON: the server options (default: those of `comptoir serve`,
                            read with --print-options)

Run: python bench/baseline_app.py --port 8001   (or --print-options)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

URL = os.environ.get("BASELINE_DATABASE_URL", "sqlite:///bench.db")
TABLE = os.environ.get("BASELINE_TABLE", "accounts")
# The same pragmas as comptoir.storage.database.SqliteDatabase.open (durability included:
# synchronous=FULL), so that the ratio measures software, not a durability trade.
PRAGMAS = os.environ.get(
    "BASELINE_PRAGMAS",
    "journal_mode=WAL;synchronous=FULL;foreign_keys=ON;busy_timeout=10000;cache_size=-65536")
POOL_SIZE = 16  # as comptoir.storage.database.PostgresDatabase
# Server-managed columns that a create fills in (as Comptoir's create does).
NOW_COLUMNS = ("creationdate", "lastmodified")
CREATOR_COLUMN = "creator"


async def _keep_session(conn: asyncpg.Connection) -> None:
    return None


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Store:
    """The table on one driver; SQL text built once per shape."""

    columns: list[str]
    all_columns: set[str]
    _inserts: dict[tuple[str, ...], str]

    def _setup(self, all_columns: list[str]) -> None:
        wanted = [c for c in os.environ.get("BASELINE_COLUMNS", "").split(",") if c]
        self.all_columns = set(all_columns)
        self.columns = wanted or all_columns
        cols = ", ".join(q(c) for c in self.columns)
        self._cols = cols
        self._inserts = {}

    def insert_values(self, body: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in body.items() if k in self.all_columns and k != "ID"}
        now = int(time.time())
        for name in NOW_COLUMNS:
            if name in self.all_columns:
                values[name] = now
        if CREATOR_COLUMN in self.all_columns:
            values[CREATOR_COLUMN] = 1
        return values


class SqliteStore(Store):
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in PRAGMAS.split(";"):
            if pragma.strip():
                self.conn.execute(f"PRAGMA {pragma.strip()}")
        info = self.conn.execute(f"PRAGMA table_info({q(TABLE)})").fetchall()
        self._setup([r[1] for r in info])
        self.get_sql = f'SELECT {self._cols} FROM {q(TABLE)} WHERE "ID" = ?'
        self.page_sql = f'SELECT {self._cols} FROM {q(TABLE)} ORDER BY "ID" LIMIT ? OFFSET ?'

    async def close(self) -> None:
        self.conn.close()

    async def get(self, record_id: int) -> dict[str, Any] | None:
        cur = self.conn.execute(self.get_sql, (record_id,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip(self.columns, row, strict=True))

    async def page(self, limit: int, offset: int) -> list[dict[str, Any]]:
        cur = self.conn.execute(self.page_sql, (limit, offset))
        cols = self.columns
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        values = self.insert_values(body)
        keys = tuple(values)
        sql = self._inserts.get(keys)
        if sql is None:
            sql = self._inserts[keys] = (
                f"INSERT INTO {q(TABLE)} ({', '.join(q(k) for k in keys)}) "
                f"VALUES ({', '.join('?' for _ in keys)}) RETURNING {self._cols}")
        rows = self.conn.execute(sql, tuple(values.values())).fetchall()  # autocommit
        return dict(zip(self.columns, rows[0], strict=True))


class PgStore(Store):
    pool: asyncpg.Pool

    async def open(self, dsn: str) -> None:
        # no reset on release, as Comptoir's own pool (storage/database.py)
        self.pool = await asyncpg.create_pool(dsn, min_size=1, max_size=POOL_SIZE,
                                              reset=_keep_session)
        names = await self.pool.fetch(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            TABLE)
        self._setup([r[0] for r in names])
        self.get_sql = f'SELECT {self._cols} FROM {q(TABLE)} WHERE "ID" = $1'
        self.page_sql = f'SELECT {self._cols} FROM {q(TABLE)} ORDER BY "ID" LIMIT $1 OFFSET $2'

    async def close(self) -> None:
        await self.pool.close()

    async def get(self, record_id: int) -> dict[str, Any] | None:
        row = await self.pool.fetchrow(self.get_sql, record_id)
        return None if row is None else dict(row)

    async def page(self, limit: int, offset: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(self.page_sql, limit, offset)]

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        values = self.insert_values(body)
        keys = tuple(values)
        sql = self._inserts.get(keys)
        if sql is None:
            sql = self._inserts[keys] = (
                f"INSERT INTO {q(TABLE)} ({', '.join(q(k) for k in keys)}) "
                f"VALUES ({', '.join(f'${i}' for i in range(1, len(keys) + 1))}) "
                f"RETURNING {self._cols}")
        row = await self.pool.fetchrow(sql, *values.values())  # autocommit: 1 round trip
        return dict(row)


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def get_item(request: Request) -> Response:
    raw = request.path_params["id"]
    if not raw.isdigit():
        return _json({"error": "bad id"}, 404)
    row = await request.app.state.store.get(int(raw))
    if row is None:
        return _json({"error": "not found"}, 404)
    return _json(row)


async def create_or_list(request: Request) -> Response:
    body = orjson.loads(await request.body() or b"{}")
    store = request.app.state.store
    if request.method == "PUT":
        return _json(await store.create(body), 201)
    limit = int(body.get("limit", 1000))
    offset = int(body.get("offset", 0))
    return _json(await store.page(limit, offset))


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    store: SqliteStore | PgStore
    if URL.startswith("sqlite"):
        store = SqliteStore(URL.split("///", 1)[1])
    else:
        store = PgStore()
        await store.open(URL.replace("postgresql+asyncpg://", "postgresql://"))
    app.state.store = store
    try:
        yield
    finally:
        await store.close()


app = Starlette(routes=[
    Route("/healthz", healthz, methods=["GET"]),
    Route("/items/{id}", get_item, methods=["GET"]),
    Route("/items", create_or_list, methods=["PUT", "POST"]),
], lifespan=lifespan)


# Used only if the options of `comptoir serve` cannot be read (see comptoir_server_options).
FALLBACK_OPTIONS: dict[str, Any] = {"interface": "asgi", "loop": "uvloop", "workers": 1,
                                    "log_access": False}


def comptoir_server_options(database_url: str) -> dict[str, Any]:
    """The Granian options `comptoir serve --server granian` uses, read by running the real
    command with Granian replaced by a recorder: the baseline then always runs on the same
    server settings as Comptoir (loop, workers, interface, ...), whatever cli.py says today.
    The command's preparation (schema check, admin) runs too: a no-op on the bench database."""
    import granian

    from comptoir import cli

    recorded: dict[str, Any] = {}

    class Recorder:
        def __init__(self, target: str, **options: Any) -> None:
            recorded.update(options)

        def serve(self) -> None:
            pass

    real = granian.Granian
    granian.Granian = Recorder  # type: ignore[assignment]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            code = cli.main(["serve", "--server", "granian", "--database", database_url,
                             "--port", "1", "--workers", "1"])
    finally:
        granian.Granian = real
    if code != 0 or not recorded:
        print("baseline: could not read the options of `comptoir serve`; using "
              f"{FALLBACK_OPTIONS}", file=sys.stderr)
        return dict(FALLBACK_OPTIONS)
    return {k: v for k, v in recorded.items() if k not in ("address", "port", "target")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--print-options", action="store_true",
                        help="print the Granian options of `comptoir serve` as JSON and exit")
    args = parser.parse_args()
    if args.print_options:
        print(json.dumps(comptoir_server_options(URL)))
        return
    from granian import Granian

    # Read in a separate process (run.py: --print-options) so that this server does not
    # import Comptoir: its memory figure is then the floor of the stack.
    given = os.environ.get("BASELINE_GRANIAN_OPTIONS")
    options = json.loads(given) if given else comptoir_server_options(URL)
    print(f"baseline granian options: {json.dumps(options, sort_keys=True)}", flush=True)
    Granian("baseline_app:app", address=args.host, port=args.port,
            working_dir=Path(__file__).resolve().parent, **options).serve()


if __name__ == "__main__":
    main()
