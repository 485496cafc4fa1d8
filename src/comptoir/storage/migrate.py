"""Schema migrations with Alembic: upgrade a database, tell whether it is behind.

The migration scripts live in `storage/migrations/versions/`; `env.py` there runs them on
the SQLAlchemy engine for the configured database URL (pysqlite or asyncpg).
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from comptoir.errors import SchemaBehindError
from comptoir.storage.database import Database, open_database

MIGRATIONS = Path(__file__).parent / "migrations"
T = TypeVar("T")


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", open_database(database_url).sqlalchemy_url)
    return cfg


@functools.cache
def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _tables(connection: sa.Connection) -> list[str]:
    return sa.inspect(connection).get_table_names()


def inspect_database(database_url: str, look: Callable[[sa.Connection], T]) -> T:
    """Run `look` on a synchronous connection to the database (pysqlite or asyncpg)."""
    url = open_database(database_url).sqlalchemy_url
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                return look(conn)
        finally:
            engine.dispose()

    async def read() -> T:
        aengine = create_async_engine(url)
        try:
            async with aengine.connect() as conn:
                return await conn.run_sync(look)
        finally:
            await aengine.dispose()

    return asyncio.run(read())


def current_revision(database_url: str) -> str | None:
    return inspect_database(database_url, _current)


def table_names(database_url: str) -> list[str]:
    """The tables of the database (empty for a database `upgrade` may build from scratch)."""
    return inspect_database(database_url, _tables)


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def status(database_url: str) -> tuple[str | None, str | None]:
    """(current revision, head revision)."""
    return current_revision(database_url), head_revision()


async def check_schema(db: Database) -> None:
    """Refuse a database whose schema is not the one this code needs (on an open database,
    through the driver: servers check at start-up without a second engine)."""
    try:
        async with db.read() as conn:
            current = await conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except (sqlite3.OperationalError, asyncpg.UndefinedTableError):  # empty or foreign
        current = None
    if current != head_revision():
        raise schema_behind(current)


def schema_behind(current: str | None) -> SchemaBehindError:
    """The refusal of a database whose schema is not this code's, naming the remedy."""
    return SchemaBehindError(
        f"the database schema is at {current or 'nothing'}, the code needs "
        f"{head_revision()}: run `comptoir db upgrade`")
