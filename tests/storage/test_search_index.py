"""The search index that migration 0020 builds: exactly the searched entities and their
searchable columns, filled from the rows already there, kept in step with every write,
removed by the downgrade; on PostgreSQL, the query can use it."""

from __future__ import annotations

import functools
import re
import secrets
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.dialects import postgresql

from comptoir.schema.registry import ENTITIES
from comptoir.services import auth, records
from comptoir.services.access import Caller
from comptoir.storage import migrate, search
from comptoir.storage.database import Database, open_database, run_with_database
from comptoir.storage.tables import TABLES
from tests.conftest import fresh_database

ADMIN = Caller(user=1, name="admin", admin=True)


def _indexed(connection: sa.Connection) -> dict[str, tuple[str, ...]]:
    """What the database indexes: entity -> columns."""
    if connection.dialect.name == "sqlite":
        names = connection.execute(sa.text(
            "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"))
        return {name.removesuffix("_search"): tuple(
            row[1] for row in connection.execute(sa.text(f'PRAGMA table_info("{name}")')))
            for (name,) in names}
    found = connection.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'ix\\_%\\_search'"))
    return {name.removeprefix("ix_").removesuffix("_search"):
            tuple(re.findall(r"COALESCE\((\w+),", definition))
            for name, definition in found if "gin_trgm_ops" in definition}


def _triggers(connection: sa.Connection) -> set[str]:
    if connection.dialect.name != "sqlite":
        return set()
    return {row[0] for row in connection.execute(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_search_%'"))}


def test_the_migration_indexes_exactly_the_searched_entities(database_url: str) -> None:
    expected = {name: search.columns(name) for name in search.SEARCHED}
    assert all(expected.values())
    assert migrate.inspect_database(database_url, _indexed) == expected
    triggers = migrate.inspect_database(database_url, _triggers)
    if database_url.startswith("sqlite"):
        assert triggers == {f"{search.fts_table(n)}_{t}" for n in search.SEARCHED
                            for t in ("insert", "update", "delete")}
        tables = migrate.table_names(database_url)
        assert {t for t in tables if "_search" in t} == search.SEARCH_TABLES


def test_the_searched_columns_are_text_columns_of_the_tables() -> None:
    for name in search.SEARCHED:
        for column in search.columns(name):
            assert isinstance(TABLES[name].c[column].type, sa.String), (name, column)
            assert ENTITIES[name].by_name[column].searchable or column in search.ALSO_SEARCHED.get(
                name, ()), (name, column)


async def _matches(db: Database, name: str, words: list[str]) -> list[int]:
    table = TABLES[name]
    match = search.matching(db, name, table, len(words))
    stmt = (sa.select(table.c.ID).select_from(match.source).where(*match.where)
            .order_by(*match.order).limit(sa.bindparam("limit")))
    async with db.read() as conn:
        rows = await conn.all(stmt, {**search.search_params(db, words), "limit": 100},
                              key=("test_search_index", name, len(words)))
    return [row["ID"] for row in rows]


async def _integrity(db: Database) -> None:
    """SQLite: the FTS5 tables agree with their content tables."""
    if db.name != "sqlite":
        return
    async with db.write() as conn:
        for name in search.SEARCHED:
            fts = search.fts_table(name)
            await conn.run(sa.text(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')"))


def test_writes_keep_the_index_in_step(database_url: str) -> None:
    name = "search_" + secrets.token_hex(4)
    admin = Caller(user=run_with_database(database_url, lambda db: auth.create_user(
        db, name, "pw-" + name, admin=True)), name=name, admin=True)

    async def work(db: Database) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        made = await records.create_record(db, admin, "contacts", {
            "lastname": f"Gärtner {name}", "firstname": "Zoé", "email": f"zoe@{name}.example",
            "cell": "+49 170 1234567"})
        contact = made.data["ID"]
        seen["created"] = [await _matches(db, "contacts", w) for w in (
            [name, "gartner"], ["ZOE", "gärt", name], [f"{name}.example"],
            [name, "+49", "170", "1234"])]
        await records.update_record(db, admin, "contacts", contact, {"lastname": f"Müller {name}"})
        seen["updated"] = (await _matches(db, "contacts", ["gartner", name]),
                           await _matches(db, "contacts", ["muller", "zoe", name]))
        await records.update_record(db, admin, "contacts", contact, {"city": "Bonn"})
        seen["unrelated"] = await _matches(db, "contacts", ["muller", name])
        await _integrity(db)
        await records.delete_record(db, admin, "contacts", contact)
        seen["deleted"] = await _matches(db, "contacts", ["muller", name])
        await _integrity(db)
        seen["contact"] = contact
        return seen

    seen = run_with_database(database_url, work)
    contact = seen["contact"]
    assert seen["created"] == [[contact]] * 4
    assert seen["updated"] == ([], [contact])
    assert seen["unrelated"] == [contact]
    assert seen["deleted"] == []


def test_upgrade_indexes_existing_rows_and_downgrade_removes_the_index(tmp_path: Path) -> None:
    def create(db: Database) -> Any:
        return records.create_record(db, ADMIN, "items", {"name": "Widget Élan",
                                                          "itemnum": "SKU-0042"})

    def find(db: Database) -> Any:
        return _matches(db, "items", ["sku-00", "elan"])

    with fresh_database(tmp_path, "search_upgrade") as url:
        migrate.upgrade(url, "0019")
        run_with_database(url, lambda db: auth.create_user(db, "admin", "pw-admin-1",
                                                            admin=True))
        item = run_with_database(url, create).data["ID"]
        assert migrate.inspect_database(url, _indexed) == {}
        migrate.upgrade(url)  # the rows there are get indexed
        assert run_with_database(url, find) == [item]
        _downgrade(url, "0019")
        assert migrate.inspect_database(url, _indexed) == {}
        assert migrate.inspect_database(url, _triggers) == set()
        migrate.upgrade(url)
        assert run_with_database(url, find) == [item]


def _downgrade(url: str, revision: str) -> None:
    command.downgrade(migrate.alembic_config(url), revision)


def _plan(connection: sa.Connection, sql: str) -> str:
    connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
    return "\n".join(row[0] for row in connection.execute(sa.text("EXPLAIN " + sql)))


def test_postgresql_can_use_the_trigram_index(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite searches its FTS5 tables")
    db = open_database(database_url)
    for name in search.SEARCHED:
        table = TABLES[name]
        match = search.matching(db, name, table, 2)
        stmt = (sa.select(table.c.ID).select_from(match.source).where(*match.where)
                .params(search.search_params(db, ["acm", "fa-2026"])))
        sql = str(stmt.compile(dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                               compile_kwargs={"literal_binds": True}))
        plan = migrate.inspect_database(database_url, functools.partial(_plan, sql=sql))
        assert f"Bitmap Index Scan on {search.index_name(name)}" in plan, plan
