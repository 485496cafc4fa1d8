"""The database layer on the real drivers: time limits on queries, streamed reads, the
bounded statement cache, and the RE2-backed REGEXP of SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from comptoir.errors import BadRequestError
from comptoir.storage.database import CompiledCache, CompiledSql, Database, run_with_database

T = TypeVar("T")


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    return run_with_database(url, work)


def _slow(db: Database) -> sa.TextClause:
    if db.name == "postgresql":
        return sa.text("SELECT pg_sleep(5) AS slept")
    return sa.text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                   "WHERE i < 1000000000) SELECT count(*) AS slept FROM n")


def test_a_query_over_its_time_limit_is_stopped(database_url: str) -> None:
    async def work(db: Database) -> None:
        async with db.read() as conn:
            with pytest.raises(BadRequestError, match=r"query stopped after 0.2 s"):
                await conn.all(_slow(db), timeout=0.2)
            # the connection is usable afterwards, without the limit
            assert await conn.scalar(sa.text("SELECT 41 + 1 AS answer")) == 42

    run(database_url, work)


def test_stream_reads_in_batches(database_url: str) -> None:
    series = ("SELECT generate_series(1, 2500) AS i" if "postgresql" in database_url else
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
              "SELECT i FROM n")

    async def work(db: Database) -> list[int]:
        sizes = []
        async for rows in db.stream(sa.text(series), batch=1000):
            sizes.append(len(rows))
            assert all(len(r) == 1 and isinstance(r[0], int) for r in rows)
        return sizes

    assert run(database_url, work) == [1000, 1000, 500]


def test_regexp_uses_re2_on_sqlite(database_url: str) -> None:
    if "postgresql" in database_url:
        pytest.skip("SQLite's REGEXP function; PostgreSQL has its own ~ operator")

    async def work(db: Database) -> list[Any]:
        async with db.read() as conn:
            rows = await conn.all(sa.text(
                "SELECT 'abc' REGEXP 'b' AS a, 'abc' REGEXP '(?i)B' AS b, 'abc' REGEXP '^b' AS c, "
                "NULL REGEXP 'b' AS d, ('x' || printf('%.5000c', 'x')) REGEXP '(x+x+)+y' AS e"))
        return list(rows[0].values())

    assert run(database_url, work) == [1, 1, 0, None, 0]


def test_the_statement_cache_is_bounded() -> None:
    cache = CompiledCache(size=3)
    sql = CompiledSql("SELECT 1", (), {})
    for key in range(5):
        cache[key] = sql
        assert cache.get(0 if key < 3 else key) is sql  # 0 stays: it was used
    assert len(cache) == 3 and cache.get(0) is sql and cache.get(1) is None


def test_timeouts_do_not_leak_between_queries(database_url: str) -> None:
    async def work(db: Database) -> None:
        async with db.read() as conn:
            await conn.all(sa.text("SELECT 1 AS one"), timeout=0.05)
            await asyncio.sleep(0.1)
            assert await conn.scalar(sa.text("SELECT 2 AS two")) == 2

    run(database_url, work)


def test_a_write_inside_a_write_joins_it(database_url: str) -> None:
    """A service calling others for one change: the inner writes (and reads) use the outer
    transaction, so they see its rows and roll back with it."""
    from comptoir.storage.tables import config

    async def work(db: Database) -> tuple[Any, Any, Any]:
        async with db.write() as outer:
            async with db.write() as inner:  # joins: no second BEGIN (SQLite would deadlock)
                assert inner is outer
                await inner.run(sa.insert(config).values(name="joined-kept", value="1"))
            async with db.read() as reader:  # sees the outer transaction's row
                seen = await reader.scalar(sa.select(config.c.value)
                                           .where(config.c.name == "joined-kept"))
        with pytest.raises(RuntimeError):
            async with db.write() as outer:
                async with db.write() as inner:
                    await inner.run(sa.insert(config).values(name="joined-gone", value="1"))
                raise RuntimeError("the outer change fails after the inner write")
        async with db.read() as conn:
            kept = await conn.scalar(sa.select(config.c.value)
                                     .where(config.c.name == "joined-kept"))
            gone = await conn.scalar(sa.select(config.c.value)
                                     .where(config.c.name == "joined-gone"))
        async with db.write() as conn:
            await conn.run(sa.delete(config).where(config.c.name == "joined-kept"))
        return seen, kept, gone

    assert run_with_database(database_url, work) == ("1", "1", None)
