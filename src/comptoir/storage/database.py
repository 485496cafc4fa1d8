"""The database: one small async interface over the drivers themselves.

SQLAlchemy Core builds and compiles statements; they are executed by the standard
`sqlite3` module or by asyncpg, without SQLAlchemy's execution layer (several times the
driver's cost on this hardware, see docs/performance.md).  Compiled SQL is cached per
statement shape where the caller gives a cache key (`Statement`).

    db = open_database("sqlite:///comptoir.db")
    await db.open()
    async with db.read() as conn:  rows = await conn.all(select(...))
    async with db.write() as conn: await conn.run(insert(...))   # one transaction
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import sqlite3
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import re2
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.ext.compiler import compiles

from comptoir.errors import BadRequestError, ConflictError, UnavailableError

Row = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CompiledSql:
    sql: str
    names: tuple[str, ...]  # bound parameter names, in positional order
    defaults: Mapping[str, Any]  # the values bound at build time

    def args(self, params: Mapping[str, Any] | None) -> list[Any]:
        if params:
            return [params[n] if n in params else self.defaults[n] for n in self.names]
        return [self.defaults[n] for n in self.names]


#: what connections run: a Core statement, its compiled form, or a function building it
Statement = sa.sql.ClauseElement | CompiledSql | Callable[[], sa.sql.ClauseElement]


def compile_sql(stmt: sa.sql.ClauseElement, dialect: sa.engine.Dialect,
                reusable: bool = False) -> CompiledSql:
    """Compile for the driver.  A `reusable` statement takes its values at execution
    (`bindparam("id")`) and must not contain expanding IN lists; others are compiled with
    all their values (IN lists rendered out)."""
    compiled: Any
    if reusable:
        compiled = stmt.compile(dialect=dialect)
        defaults = compiled.construct_params(_check=False)
    else:
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        defaults = compiled.construct_params()
    return CompiledSql(compiled.string, tuple(compiled.positiontup or ()), defaults or {})


class IntegrityError(ConflictError):
    """A constraint of the database refused the write (unique, foreign key)."""

    code = "conflict"


class IdsExhaustedError(ConflictError):
    """No ID is left for a new record: the highest one of the column is taken."""

    code = "conflict"


class Connection:
    """A connection in use: run statements, get rows as dicts."""

    def __init__(self, db: Database, raw: Any) -> None:
        self.db = db
        self.raw = raw
        #: outbox events were written in this transaction (events/outbox.emit)
        self.emitted = False

    def compile(self, stmt: Statement, key: Any = None) -> CompiledSql:
        return self.db.compile(stmt, key)

    async def all(self, stmt: Statement, params: Mapping[str, Any] | None = None,
                  key: Any = None, timeout: float | None = None) -> list[Row]:
        """The rows of a query; with a `timeout` (seconds), the database stops the query
        when it runs longer (a `BadRequestError`)."""
        raise NotImplementedError

    async def one(self, stmt: Statement,
                  params: Mapping[str, Any] | None = None, key: Any = None) -> Row | None:
        rows = await self.all(stmt, params, key)
        return rows[0] if rows else None

    async def scalar(self, stmt: Statement,
                     params: Mapping[str, Any] | None = None, key: Any = None) -> Any:
        row = await self.one(stmt, params, key)
        return None if row is None else next(iter(row.values()))

    async def run(self, stmt: Statement,
                  params: Mapping[str, Any] | None = None, key: Any = None) -> int:
        """Execute a write; returns the number of rows it touched."""
        raise NotImplementedError

    async def run_many(self, stmt: sa.sql.ClauseElement, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            await self.run(stmt, row)


class CompiledCache:
    """Compiled statements by key, the least recently used dropped past `size`: query
    shapes come from clients, so there is no end to them."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[Any, CompiledSql] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Any) -> CompiledSql | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def __setitem__(self, key: Any, value: CompiledSql) -> None:
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)


#: seconds a request waits for a database connection before it is refused (503)
WAIT_SECONDS = 10.0
#: PostgreSQL: the channel a transaction that wrote outbox events notifies at commit,
#: which wakes the webhook workers of every process (`listen_events`)
EVENTS_CHANNEL = "comptoir_events"


def busy(what: str) -> UnavailableError:
    return UnavailableError(f"the database is busy: no {what} was free in time; "
                            "retry later (setting database_wait)")


class Database:
    dialect: sa.engine.Dialect
    name: str

    def __init__(self, url: str) -> None:
        self.url = url
        self.cache = CompiledCache()
        #: the write transaction the current task is in, if any
        self._joined: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
            f"write-{id(self)}", default=None)
        #: set when a transaction of this process that wrote outbox events commits: the
        #: in-process webhook worker wakes at once instead of at its next poll
        self.events_committed = asyncio.Event()
        #: seconds a request waits for a connection (PostgreSQL's pool, SQLite's writer)
        #: before UnavailableError (503, Retry-After): setting `database_wait`
        self.wait = WAIT_SECONDS

    def compile(self, stmt: Statement, key: Any = None) -> CompiledSql:
        """The driver SQL of `stmt`.  With a `key`, compiled once and cached under it;
        `stmt` may then be a function that builds the statement, called only on a miss, so
        that hot paths neither build nor compile anything."""
        if isinstance(stmt, CompiledSql):
            return stmt
        if key is not None:
            cached = self.cache.get(key)
            if cached is None:
                built = stmt() if callable(stmt) else stmt
                cached = self.cache[key] = compile_sql(built, self.dialect, reusable=True)
            return cached
        return compile_sql(stmt() if callable(stmt) else stmt, self.dialect)

    async def open(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Connection]:
        """A connection to read on; inside a write transaction of this task, that one (a
        service reads what it wrote)."""
        joined = self._joined.get()
        if joined is not None:
            yield joined
            return
        async with self._read() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Connection]:
        """A write transaction, committed at the end, rolled back on an exception.  A write
        opened inside one (in the same task) joins it: a service that calls others for one
        change (a lead converted into three records) makes it all or nothing."""
        joined = self._joined.get()
        if joined is not None:
            yield joined
            return
        async with self._begin() as conn:
            token = self._joined.set(conn)
            try:
                yield conn
            finally:
                self._joined.reset(token)
        if conn.emitted:  # committed
            self.events_committed.set()

    async def listen_events(self) -> None:
        """Have `events_committed` set when another process commits events too (the
        separate `comptoir worker`); on SQLite there is no such signal: the worker polls."""

    async def unlisten_events(self) -> None:
        """Stop what `listen_events` started."""

    def _read(self) -> Any:
        raise NotImplementedError

    def _begin(self) -> Any:
        raise NotImplementedError

    def stream(self, stmt: Statement, params: Mapping[str, Any] | None = None,
               key: Any = None, batch: int = 1000) -> AsyncIterator[Sequence[Sequence[Any]]]:
        """The rows of a query as sequences (tuples), `batch` at a time, on a connection of its own,
        without holding more than one batch in memory (exports)."""
        raise NotImplementedError

    @property
    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy engines (migrations, administration)."""
        raise NotImplementedError


# --- SQLite --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """A regular expression in RE2: matching in linear time and bounded memory, so that no
    pattern can hang the server.  `(?i)` at the start makes it case-insensitive, as in
    PostgreSQL."""
    options = re2.Options()
    options.max_mem = 8 << 20
    return re2.compile(pattern, options)


class fold(sa.sql.functions.GenericFunction[str]):  # noqa: N801 (a SQL function name)
    """`fold(text)`: lower case for every alphabet, on both databases (SQLite's own
    lower() folds ASCII letters only): case-insensitive LIKE is `fold(a) LIKE fold(b)`."""

    type = sa.Text()
    name = "fold"
    inherit_cache = True


@compiles(fold)
def _fold(element: fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "sqlite")
def _fold_sqlite(element: fold, compiler: Any, **kw: Any) -> str:
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _regexp(pattern: str | None, value: Any) -> int | None:
    """SQLite's `value REGEXP pattern` (PostgreSQL's `value ~ pattern`)."""
    if pattern is None or value is None:
        return None
    return 1 if compile_pattern(pattern).search(str(value)) else 0


class SqliteConnection(Connection):
    raw: sqlite3.Connection

    async def all(self, stmt: Any, params: Mapping[str, Any] | None = None,
                  key: Any = None, timeout: float | None = None) -> list[Row]:
        c = self.compile(stmt, key)
        if timeout is not None:
            deadline = time.monotonic() + timeout
            self.raw.set_progress_handler(lambda: time.monotonic() > deadline, 10000)
        try:
            cur = self._execute(c, params)
            if cur.description is None:
                return []
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.OperationalError as exc:
            if timeout is not None and "interrupted" in str(exc):
                raise BadRequestError(f"query stopped after {timeout:g} s") from None
            raise
        finally:
            if timeout is not None:
                self.raw.set_progress_handler(None, 0)

    async def run(self, stmt: Any, params: Mapping[str, Any] | None = None,
                  key: Any = None) -> int:
        c = self.compile(stmt, key)
        return self._execute(c, params).rowcount

    def _execute(self, c: CompiledSql, params: Mapping[str, Any] | None) -> sqlite3.Cursor:
        try:
            return self.raw.execute(c.sql, c.args(params))
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            if "database or disk is full" in str(exc):  # also AUTOINCREMENT past 2**63-1
                raise IdsExhaustedError("the database or disk is full, or no IDs are left "
                                        "(the highest one is taken)") from exc
            raise
        except OverflowError as exc:
            raise BadRequestError("value out of range") from exc


class SqliteDatabase(Database):
    name = "sqlite"
    dialect = pysqlite.dialect(paramstyle="qmark")

    def __init__(self, url: str) -> None:
        super().__init__(url)
        path = url.split("///", 1)[1] if "///" in url else ":memory:"
        self.path = path or ":memory:"
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def sqlalchemy_url(self) -> str:
        return f"sqlite:///{self.path}"

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # LIKE is case-sensitive, as PostgreSQL's (ILIKE compiles to lower() LIKE lower())
        # another process's write lock is waited for `wait` seconds (then: busy, 503)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON",
                       f"busy_timeout={int(self.wait * 1000)}", "cache_size=-65536",
                       "case_sensitive_like=ON"):
            conn.execute(f"PRAGMA {pragma}")
        conn.create_function("regexp", 2, _regexp, deterministic=True)
        conn.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
        return conn

    async def open(self) -> None:
        self._conn = self.connect()

    async def close(self) -> None:
        if self._conn is not None:
            # planner statistics for the tables this connection queried (without them,
            # SQLite picks poor plans for filtered lists on large tables); skipped when
            # another connection holds the write lock past the busy timeout
            with contextlib.suppress(sqlite3.OperationalError):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()
            self._conn = None

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Connection]:
        assert self._conn is not None, "database not open"
        yield SqliteConnection(self, self._conn)

    async def stream(self, stmt: Statement, params: Mapping[str, Any] | None = None,
                     key: Any = None, batch: int = 1000) -> AsyncIterator[Sequence[Sequence[Any]]]:
        assert self._conn is not None, "database not open"
        c = self.compile(stmt, key)
        conn = self.connect()  # a reader of its own: WAL lets it read beside the writer
        try:
            cur = conn.execute(c.sql, c.args(params))
            while rows := cur.fetchmany(batch):
                yield rows
                await asyncio.sleep(0)
        finally:
            conn.close()

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[Connection]:
        assert self._conn is not None, "database not open"
        try:
            await asyncio.wait_for(self._lock.acquire(), self.wait)
        except TimeoutError:
            raise busy("write transaction") from None
        try:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:  # another process holds the writer
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                raise busy("write lock (another process holds it)") from None
            try:
                yield SqliteConnection(self, self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
        finally:
            self._lock.release()


# --- PostgreSQL ----------------------------------------------------------------------------


class PgConnection(Connection):
    raw: asyncpg.Connection

    async def all(self, stmt: Any, params: Mapping[str, Any] | None = None,
                  key: Any = None, timeout: float | None = None) -> list[Row]:
        c = self.compile(stmt, key)
        try:
            if timeout is None:
                records = await self.raw.fetch(c.sql, *c.args(params))
            else:
                async with self.raw.transaction():
                    await self.raw.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
                    records = await self.raw.fetch(c.sql, *c.args(params))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(str(exc)) from exc
        except asyncpg.SequenceGeneratorLimitExceededError as exc:
            raise IdsExhaustedError("no IDs are left (the highest one is taken)") from exc
        except asyncpg.QueryCanceledError:
            raise BadRequestError(f"query stopped after {timeout:g} s") from None
        except (asyncpg.DataError, OverflowError) as exc:
            raise BadRequestError(str(exc).splitlines()[0]) from exc
        return [dict(r) for r in records]

    async def run(self, stmt: Any, params: Mapping[str, Any] | None = None,
                  key: Any = None) -> int:
        c = self.compile(stmt, key)
        try:
            status = await self.raw.execute(c.sql, *c.args(params))
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(str(exc)) from exc
        except asyncpg.SequenceGeneratorLimitExceededError as exc:
            raise IdsExhaustedError("no IDs are left (the highest one is taken)") from exc
        except (asyncpg.DataError, OverflowError) as exc:
            raise BadRequestError(str(exc).splitlines()[0]) from exc
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0


async def _keep_session(conn: asyncpg.Connection) -> None:
    return None


class PostgresDatabase(Database):
    name = "postgresql"
    dialect = pg_asyncpg.dialect()  # type: ignore[no-untyped-call]

    def __init__(self, url: str, pool_size: int = 16) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        self.dsn = parts._replace(scheme="postgresql").geturl()
        self.pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        #: the connection LISTENing on EVENTS_CHANNEL (`listen_events`), outside the pool
        self._listener: asyncpg.Connection | None = None

    @property
    def sqlalchemy_url(self) -> str:
        return "postgresql+asyncpg" + self.dsn[len("postgresql"):]

    async def open(self) -> None:
        # no reset on release: Comptoir leaves no session state behind (no SET, LISTEN or
        # open transaction), and the default reset costs a round trip per request
        self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.pool_size,
                                               reset=_keep_session)

    async def close(self) -> None:
        await self.unlisten_events()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def listen_events(self) -> None:
        if self._listener is None:
            self._listener = await asyncpg.connect(self.dsn)
            await self._listener.add_listener(EVENTS_CHANNEL, self._notified)

    def _notified(self, *_: Any) -> None:
        self.events_committed.set()

    async def unlisten_events(self) -> None:
        if self._listener is not None:
            listener, self._listener = self._listener, None
            with contextlib.suppress(Exception):  # a connection already lost closes too
                await listener.close()

    async def _acquire(self) -> asyncpg.Connection:
        assert self._pool is not None, "database not open"
        try:
            return await self._pool.acquire(timeout=self.wait)
        except TimeoutError:
            raise busy("connection of the pool") from None

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection of the pool, waiting at most `wait` seconds (UnavailableError)."""
        conn = await self._acquire()
        try:
            yield conn
        finally:
            assert self._pool is not None
            await self._pool.release(conn)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Connection]:
        async with self._connection() as conn:
            yield PgConnection(self, conn)

    async def stream(self, stmt: Statement, params: Mapping[str, Any] | None = None,
                     key: Any = None, batch: int = 1000) -> AsyncIterator[Sequence[Sequence[Any]]]:
        async with self._connection() as raw, raw.transaction(readonly=True):
            c = self.compile(stmt, key)
            cursor = await raw.cursor(c.sql, *c.args(params))
            while rows := await cursor.fetch(batch):
                yield rows  # records: sequences, as tuples are

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[Connection]:
        async with self._connection() as conn, conn.transaction():
            wrapped = PgConnection(self, conn)
            yield wrapped
            if wrapped.emitted:  # delivered to the listeners when (and if) this commits
                await conn.execute(f"NOTIFY {EVENTS_CHANNEL}")


def open_database(url: str) -> Database:
    """The database for a URL: `sqlite:///path` or `postgresql://user@host:port/db`."""
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        return SqliteDatabase(url)
    if scheme in ("postgresql", "postgres"):
        return PostgresDatabase(url)
    raise BadRequestError(f"unsupported database URL scheme: {scheme}")


def run_with_database(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database at `url`, run `work` on it in a new event loop, close it: for
    commands and scripts outside a server."""

    async def run() -> T:
        db = open_database(url)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())
