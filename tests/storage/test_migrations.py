"""The migrations build exactly the schema that the registry declares: a change to the
registry without its migration fails here."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from comptoir.storage import migrate
from comptoir.storage.database import open_database
from comptoir.storage.tables import metadata


def _diff(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLite cannot reflect expression indexes
        return list(compare_metadata(context, metadata))


def schema_diff(database_url: str) -> list[Any]:
    url = open_database(database_url).sqlalchemy_url
    if url.startswith("sqlite"):
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                return _diff(conn)
        finally:
            engine.dispose()

    async def run() -> list[Any]:
        aengine = create_async_engine(url)
        try:
            async with aengine.connect() as conn:
                return await conn.run_sync(_diff)
        finally:
            await aengine.dispose()

    return asyncio.run(run())


def test_migrated_database_matches_the_registry(database_url: str) -> None:
    assert migrate.status(database_url) == (migrate.head_revision(), migrate.head_revision())
    assert schema_diff(database_url) == []


def test_servers_refuse_a_database_whose_schema_is_behind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from comptoir.errors import SchemaBehindError

    async def check(url: str) -> None:
        db = open_database(url)
        await db.open()
        try:
            await migrate.check_schema(db)
        finally:
            await db.close()

    # given an empty database
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    # then the check names the command that upgrades it
    with pytest.raises(SchemaBehindError, match="comptoir db upgrade"):
        asyncio.run(check(url))
    # and once upgraded, it passes
    migrate.upgrade(url)
    asyncio.run(check(url))
