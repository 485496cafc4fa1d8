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
