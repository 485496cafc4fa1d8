"""What the web interface keeps for its users, as data (`ui_settings` rows):

- `preferences` of a user: language, time zone, date style;
- saved list `view`s of a user per screen: columns, sort, filters;
- saved `report`s and the `dashboard` of a user;
- the `layout` of a screen, for everyone, set by an administrator (the layout manager):
  section order and fields, hidden fields, list columns.

Each value is a JSON object checked by the caller's screen (names are checked against the
registry there); this module stores, lists and deletes them, one user's own only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from comptoir.errors import InvalidFieldError, NotFoundError, PermissionDeniedError
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.storage.tables import ui_settings

KINDS = ("preferences", "view", "report", "dashboard", "layout")
MAX_BYTES = 64 * 1024
MAX_NAME = 100


def _check(kind: str, name: str, data: dict[str, Any]) -> bytes:
    if kind not in KINDS:
        raise InvalidFieldError("kind", f"must be one of {', '.join(KINDS)}")
    if not name.strip() or len(name) > MAX_NAME:
        raise InvalidFieldError("name", f"must be 1 to {MAX_NAME} characters")
    encoded = orjson.dumps(data)
    if len(encoded) > MAX_BYTES:
        raise InvalidFieldError("data", f"larger than {MAX_BYTES} bytes")
    return encoded


def _owner(caller: Caller, kind: str) -> int | None:
    """Layouts are the instance's (administrators only); everything else the user's own."""
    if kind == "layout":
        if not caller.admin:
            raise PermissionDeniedError("Only an administrator changes a screen's layout")
        return None
    return caller.user


def _mine(owner: int | None) -> sa.ColumnElement[bool]:
    return ui_settings.c.user.is_(None) if owner is None else ui_settings.c.user == owner


async def save(db: Database, caller: Caller, kind: str, screen: str, name: str,
               data: dict[str, Any]) -> int:
    """Store (or replace, by kind, screen and name) one setting; its ID."""
    encoded = _check(kind, name, data).decode()
    owner = _owner(caller, kind)
    now = int(time.time())
    where = sa.and_(_mine(owner), ui_settings.c.kind == kind, ui_settings.c.screen == screen,
                    ui_settings.c.name == name)
    async with db.write() as conn:
        found = await conn.scalar(sa.select(ui_settings.c.ID).where(where))
        if found is not None:
            await conn.run(sa.update(ui_settings).where(ui_settings.c.ID == found)
                           .values(data=encoded, lastmodified=now))
            return int(found)
        await conn.run(sa.insert(ui_settings).values(
            user=owner, kind=kind, screen=screen, name=name, data=encoded, lastmodified=now))
        return int(await conn.scalar(sa.select(sa.func.max(ui_settings.c.ID)).where(where)))


async def listed(db: Database, caller: Caller, kind: str,
                 screen: str = "") -> list[dict[str, Any]]:
    """The caller's settings of a kind for a screen (layouts: the instance's), by name."""
    owner = caller.user if kind != "layout" else None
    async with db.read() as conn:
        found = await conn.all(
            sa.select(ui_settings.c.ID, ui_settings.c.name, ui_settings.c.data)
            .where(_mine(owner), ui_settings.c.kind == kind, ui_settings.c.screen == screen)
            .order_by(ui_settings.c.name))
    return [{"ID": r["ID"], "name": r["name"], "data": orjson.loads(r["data"])} for r in found]


#: what one page needs, in one statement (compiled once): the user's preferences and
#: dashboard, the saved views and reports of the screen, the screen's layout
_PAGE_QUERY = (sa.select(ui_settings.c.ID, ui_settings.c.user, ui_settings.c.kind,
                         ui_settings.c.screen, ui_settings.c.name, ui_settings.c.data)
               .where(sa.or_(
                   sa.and_(ui_settings.c.user == sa.bindparam("user"),
                           sa.or_(ui_settings.c.screen == "",
                                  ui_settings.c.screen == sa.bindparam("screen"))),
                   sa.and_(ui_settings.c.user.is_(None), ui_settings.c.kind == "layout",
                           ui_settings.c.screen == sa.bindparam("screen"))))
               .order_by(ui_settings.c.name))


@dataclass(frozen=True)
class PageSettings:
    """The settings a page of `screen` reads, loaded together (`for_page`)."""

    screen: str
    preferences: dict[str, Any]
    views: list[dict[str, Any]]
    layout: dict[str, Any]


async def for_page(db: Database, caller: Caller, screen: str = "") -> PageSettings:
    async with db.read() as conn:
        found = await conn.all(_PAGE_QUERY, {"user": caller.user, "screen": screen},
                               key="ui_settings.page")
    preferences: dict[str, Any] = {}
    layout: dict[str, Any] = {}
    views: list[dict[str, Any]] = []
    for row in found:
        data = orjson.loads(row["data"])
        if row["kind"] == "preferences" and row["name"] == "default" and row["user"] is not None:
            preferences = data
        elif row["kind"] == "layout" and row["user"] is None and row["name"] == "default":
            layout = data
        elif row["kind"] == "view" and row["screen"] == screen and row["user"] is not None:
            views.append({"ID": row["ID"], "name": row["name"], "data": data})
    return PageSettings(screen, preferences, views, layout)


async def one(db: Database, caller: Caller, kind: str, screen: str = "",
              name: str = "default") -> dict[str, Any] | None:
    for entry in await listed(db, caller, kind, screen):
        if entry["name"] == name:
            data: dict[str, Any] = entry["data"]
            return data
    return None


async def get_by_id(db: Database, caller: Caller, setting_id: int) -> dict[str, Any]:
    async with db.read() as conn:
        row = await conn.one(sa.select(ui_settings).where(ui_settings.c.ID == setting_id,
                                                          ui_settings.c.user == caller.user))
    if row is None:
        raise NotFoundError(f"No saved setting {setting_id}")
    return {**row, "data": orjson.loads(row["data"])}


async def delete(db: Database, caller: Caller, setting_id: int) -> None:
    async with db.write() as conn:
        done = await conn.run(sa.delete(ui_settings).where(
            ui_settings.c.ID == setting_id,
            _mine(None) if caller.admin and await conn.scalar(
                sa.select(ui_settings.c.kind).where(ui_settings.c.ID == setting_id)) == "layout"
            else ui_settings.c.user == caller.user))
    if not done:
        raise NotFoundError(f"No saved setting {setting_id}")
