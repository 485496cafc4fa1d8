"""Alembic environment: runs the migrations on SQLite (pysqlite) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from comptoir.storage.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""


def _run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif url.startswith("sqlite"):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
else:
    asyncio.run(_run_async())
