"""Schema migrations with Alembic: upgrade a database, tell whether it is behind.

The migration scripts live in `storage/migrations/versions/`; `env.py` there runs them on
the SQLAlchemy engine for the configured database URL (pysqlite or asyncpg).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from comptoir.storage.database import open_database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", open_database(database_url).sqlalchemy_url)
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(database_url: str) -> str | None:
    url = open_database(database_url).sqlalchemy_url
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                return _current(conn)
        finally:
            engine.dispose()

    async def read() -> str | None:
        aengine = create_async_engine(url)
        try:
            async with aengine.connect() as conn:
                return await conn.run_sync(_current)
        finally:
            await aengine.dispose()

    return asyncio.run(read())


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def status(database_url: str) -> tuple[str | None, str | None]:
    """(current revision, head revision)."""
    return current_revision(database_url), head_revision()
