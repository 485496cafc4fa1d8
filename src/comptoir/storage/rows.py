"""Generic record storage for every entity: rows, custom fields (extdata), tags, binfiles.

These functions build Core statements from the registry tables and run them on a
`Connection`; statements whose shape depends only on the entity are compiled once
(`key=`).  They check nothing but what the database checks: permissions and rules are the
services' job.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from comptoir.domain.values import extdata_to_wire
from comptoir.schema.entity import Entity
from comptoir.storage.database import Connection, Row
from comptoir.storage.tables import EXTDATA, REV, TABLES, TAGS


@dataclass(frozen=True, slots=True)
class Scope:
    """A restriction of the records of an entity (who may see what): a SQL condition, the
    parameters it needs, and a name for its shape, under which statements built with it
    are compiled once.  `EVERYTHING` restricts nothing."""

    where: sa.ColumnElement[bool] | None
    params: Mapping[str, Any]
    shape: str


EVERYTHING = Scope(None, {}, "all")


def _columns(entity: Entity) -> list[sa.ColumnElement[Any]]:
    table = TABLES[entity.name]
    return [table.c[f.name] for f in entity.public_fields] + [table.c[REV]]


def _scoped(stmt: sa.Select[Any], scope: Scope) -> sa.Select[Any]:
    return stmt if scope.where is None else stmt.where(scope.where)


async def select_row(conn: Connection, entity: Entity, record_id: int,
                     scope: Scope = EVERYTHING) -> Row | None:
    """One record by ID within `scope`, or None."""
    table = TABLES[entity.name]
    stmt = sa.select(*_columns(entity)).where(table.c.ID == sa.bindparam("id"))
    return await conn.one(_scoped(stmt, scope), {"id": record_id, **scope.params},
                          key=("row", entity.name, scope.shape))


async def exists(conn: Connection, entity: Entity, record_id: int,
                 scope: Scope = EVERYTHING) -> bool:
    table = TABLES[entity.name]
    stmt = sa.select(sa.literal(1)).select_from(table).where(table.c.ID == sa.bindparam("id"))
    row = await conn.one(_scoped(stmt, scope), {"id": record_id, **scope.params},
                         key=("exists", entity.name, scope.shape))
    return row is not None


async def select_rows(conn: Connection, entity: Entity, scope: Scope, limit: int,
                      offset: int) -> list[Row]:
    table = TABLES[entity.name]
    stmt = sa.select(*_columns(entity)).order_by(table.c.ID)
    stmt = _scoped(stmt, scope).limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
    return await conn.all(stmt, {"limit": limit, "offset": offset, **scope.params},
                          key=("rows", entity.name, scope.shape))


async def count_rows(conn: Connection, entity: Entity, scope: Scope) -> int:
    table = TABLES[entity.name]
    stmt = _scoped(sa.select(sa.func.count()).select_from(table), scope)
    return int(await conn.scalar(stmt, dict(scope.params), key=("count", entity.name,
                                                                scope.shape)) or 0)


# PostgreSQL: an explicit ID does not move the ID sequence; move it past that ID (never
# back), or a later generated ID would collide with it
_ADVANCE_SEQUENCE = sa.text(
    "SELECT setval(s::regclass, :id) FROM pg_get_serial_sequence(:table, 'ID') AS s "
    "WHERE :id > COALESCE(pg_sequence_last_value(s::regclass), 0)")


async def insert_row(conn: Connection, entity: Entity, values: Mapping[str, Any]) -> int:
    table = TABLES[entity.name]
    # the revision starts anywhere, so that a record created again under the ID of a
    # deleted one never shows that one's ETag
    first_rev = secrets.randbelow(2**30) + 1
    stmt = sa.insert(table).values(**values, **{REV: first_rev}).returning(table.c.ID)
    record_id = int(await conn.scalar(stmt))
    if values.get("ID") is not None and conn.db.name == "postgresql":
        await conn.scalar(_ADVANCE_SEQUENCE, {"id": record_id, "table": entity.name},
                          key=("advance-sequence",))
    return record_id


async def update_row(conn: Connection, entity: Entity, record_id: int, rev: int,
                     values: Mapping[str, Any]) -> bool:
    """Write `values` if the record is still at revision `rev`; bumps the revision.
    False when somebody else wrote it first (or it is gone)."""
    table = TABLES[entity.name]
    stmt = (sa.update(table)
            .where(table.c.ID == record_id, table.c[REV] == rev)
            .values(**values, **{REV: table.c[REV] + 1}))
    return await conn.run(stmt) == 1


async def clear_references(conn: Connection, entity: Entity, field: str, target: int,
                           values: Mapping[str, Any], keep: int | None = None) -> None:
    """Null `field` of the records that refer to record `target` (about to be deleted), as a
    write of theirs: with `values` (lastmodified) and a new revision.  Record `keep` (the
    target itself, for a reference to its own entity) is left alone."""
    table = TABLES[entity.name]
    stmt = (sa.update(table).where(table.c[field] == target)
            .values(**{field: None}, **values, **{REV: table.c[REV] + 1}))
    if keep is not None:
        stmt = stmt.where(table.c.ID != keep)
    await conn.run(stmt)


async def delete_row(conn: Connection, entity: Entity, record_id: int, rev: int | None) -> bool:
    table = TABLES[entity.name]
    stmt = sa.delete(table).where(table.c.ID == record_id)
    if rev is not None:
        stmt = stmt.where(table.c[REV] == rev)
    return await conn.run(stmt) == 1


# --- extdata -------------------------------------------------------------------------------


async def read_extdata(conn: Connection, entity: Entity, record_id: int) -> dict[str, Any]:
    table = EXTDATA[entity.name]
    stmt = (sa.select(table.c.name, table.c.textvalue, table.c.numvalue)
            .where(table.c.record == sa.bindparam("id")).order_by(table.c.name))
    rows = await conn.all(stmt, {"id": record_id}, key=("extdata", entity.name))
    return {r["name"]: extdata_to_wire(r["textvalue"], r["numvalue"]) for r in rows}


async def write_extdata(conn: Connection, entity: Entity, record_id: int,
                        values: Mapping[str, tuple[str | None, float | None] | None]) -> None:
    """Set custom fields; a value of None removes the field."""
    table = EXTDATA[entity.name]
    for name, value in values.items():
        await conn.run(sa.delete(table).where(table.c.record == record_id, table.c.name == name))
        if value is not None:
            text, number = value
            await conn.run(sa.insert(table).values(record=record_id, name=name,
                                                   textvalue=text, numvalue=number))


# --- tags ----------------------------------------------------------------------------------


async def read_tags(conn: Connection, entity: Entity, record_id: int) -> list[str]:
    table = TAGS[entity.name]
    stmt = (sa.select(table.c.tag).where(table.c.record == sa.bindparam("id"))
            .order_by(table.c.tag))
    rows = await conn.all(stmt, {"id": record_id}, key=("tags", entity.name))
    return [r["tag"] for r in rows]


async def write_tags(conn: Connection, entity: Entity, record_id: int, *,
                     reset: list[str] | None, add: list[str], remove: list[str]) -> None:
    table = TAGS[entity.name]
    if reset is not None:
        await conn.run(sa.delete(table).where(table.c.record == record_id))
        add = [*reset, *add]
    if remove:
        await conn.run(sa.delete(table).where(table.c.record == record_id,
                                              table.c.tag.in_(sorted(set(remove)))))
    current = set() if reset is not None else set(await read_tags(conn, entity, record_id))
    for tag in dict.fromkeys(add):
        if tag not in current and tag not in remove:
            await conn.run(sa.insert(table).values(record=record_id, tag=tag))
            current.add(tag)


# --- binfiles ------------------------------------------------------------------------------


async def insert_binfile(conn: Connection, content: bytes) -> tuple[int, int]:
    """Store file content; returns (binfile ID, size)."""
    table = TABLES["binfiles"]
    digest = hashlib.md5(content, usedforsecurity=False).digest()
    stmt = (sa.insert(table).values(hash=digest, size=len(content), content=content)
            .returning(table.c.ID))
    return int(await conn.scalar(stmt)), len(content)


async def read_binfile(conn: Connection, binfile_id: int) -> bytes | None:
    table = TABLES["binfiles"]
    stmt = sa.select(table.c.content).where(table.c.ID == sa.bindparam("id"))
    row = await conn.one(stmt, {"id": binfile_id}, key=("binfile",))
    return None if row is None else bytes(row["content"])
