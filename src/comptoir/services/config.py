"""The instance configuration (`GET /config`) and application settings (`GET /settings`)."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from comptoir import __version__
from comptoir.config import Settings
from comptoir.storage.database import Database
from comptoir.storage.tables import TABLES, config

DEFAULTS: dict[str, Any] = {
    "currency": "EUR",
    "language": "en",
    "timezone": "UTC",
}


async def read_config(db: Database, settings: Settings) -> dict[str, Any]:
    async with db.read() as conn:
        stored = await conn.all(sa.select(config.c.name, config.c.value))
    values = {**DEFAULTS, **{r["name"]: orjson.loads(r["value"]) for r in stored}}
    return {"instance": settings.instance, "version": __version__, **values}


async def write_config(db: Database, name: str, value: Any) -> None:
    async with db.write() as conn:
        await conn.run(sa.delete(config).where(config.c.name == name))
        await conn.run(sa.insert(config).values(name=name, value=orjson.dumps(value).decode()))


async def application_settings(db: Database, application: int) -> dict[str, Any]:
    applications = TABLES["applications"]
    async with db.read() as conn:
        raw = await conn.scalar(sa.select(applications.c.settings)
                                .where(applications.c.ID == application))
    return orjson.loads(raw) if raw else {}
