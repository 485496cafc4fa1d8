"""Generic record storage for every entity: rows, custom fields (extdata), tags, binfiles.

These functions build Core statements from the registry tables and run them on a
`Connection`; statements whose shape depends only on the entity are compiled once
(`key=`).  They check nothing but what the database checks: permissions and rules are the
services' job.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite

from comptoir.schema.entity import Entity
from comptoir.storage.database import Connection, IdsExhaustedError, Row
from comptoir.storage.tables import EXTDATA, REV, TABLES, TAGS, deletions
from comptoir.wire.values import extdata_to_wire, in_range


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
                     scope: Scope = EVERYTHING, *, for_update: bool = False) -> Row | None:
    """One record by ID within `scope`, or None.  `for_update`: locked until the end of the
    transaction (PostgreSQL: a concurrent write of the record waits, then reads what this
    one wrote; SQLite's writer holds the whole database)."""
    def build() -> sa.Select[Any]:
        table = TABLES[entity.name]
        stmt = _scoped(sa.select(*_columns(entity)).where(table.c.ID == sa.bindparam("id")),
                       scope)
        return stmt.with_for_update(of=table) if for_update else stmt

    return await conn.one(build, {"id": record_id, **scope.params},
                          key=("row", entity.name, scope.shape, for_update))


async def exists(conn: Connection, entity: Entity, record_id: int,
                 scope: Scope = EVERYTHING) -> bool:
    def build() -> sa.Select[Any]:
        table = TABLES[entity.name]
        stmt = sa.select(sa.literal(1)).select_from(table).where(
            table.c.ID == sa.bindparam("id"))
        return _scoped(stmt, scope)

    row = await conn.one(build, {"id": record_id, **scope.params},
                         key=("exists", entity.name, scope.shape))
    return row is not None


async def select_rows_where(conn: Connection, entity: Entity, where: Mapping[str, Any],
                            order: tuple[str, ...] = ("ID",)) -> list[Row]:
    """The records whose fields equal `where` (the lines of a document), in `order`."""
    names = tuple(sorted(where))

    def build() -> sa.Select[Any]:
        table = TABLES[entity.name]
        return (sa.select(*_columns(entity))
                .where(*(table.c[n] == sa.bindparam("w_" + n) for n in names))
                .order_by(*(table.c[n] for n in order)))

    return await conn.all(build, {"w_" + n: where[n] for n in names},
                          key=("rows-where", entity.name, names, order))


async def max_id(conn: Connection, entity: Entity) -> int:
    """The highest record ID of an entity (0 without records)."""
    def build() -> sa.Select[Any]:
        return sa.select(sa.func.coalesce(sa.func.max(TABLES[entity.name].c.ID), 0))

    return int(await conn.scalar(build, key=("max-id", entity.name)))


async def delete_rows_where(conn: Connection, entity: Entity, where: Mapping[str, Any]) -> int:
    """Delete the records whose fields equal `where`; returns how many."""
    names = tuple(sorted(where))

    def build() -> sa.Delete:
        table = TABLES[entity.name]
        return sa.delete(table).where(*(table.c[n] == sa.bindparam("w_" + n) for n in names))

    return await conn.run(build, {"w_" + n: where[n] for n in names},
                          key=("delete-where", entity.name, names))


# PostgreSQL: an explicit ID does not move the ID sequence; move it past that ID (never
# back), or a later generated ID would collide with it
_ADVANCE_SEQUENCE = sa.text(
    "SELECT setval(s::regclass, :id) FROM pg_get_serial_sequence(:table, 'ID') AS s "
    "WHERE :id > COALESCE(pg_sequence_last_value(s::regclass), 0)")


def _values(columns: tuple[str, ...]) -> dict[str, Any]:
    """Bound parameters `v_<column>` for written columns (a bound parameter may not share
    its name with a column of an INSERT or UPDATE)."""
    return {c: sa.bindparam("v_" + c) for c in columns}


def _params(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"v_" + c: v for c, v in values.items()}


async def insert_row(conn: Connection, entity: Entity,
                     values: Mapping[str, Any]) -> tuple[int, int]:
    """Insert a record; returns its ID and revision."""
    # the revision starts anywhere, so that a record created again under the ID of a
    # deleted one never shows that one's ETag
    rev = secrets.randbelow(2**30) + 1
    columns = tuple(sorted(values))

    def build() -> sa.Insert:
        table = TABLES[entity.name]
        return (sa.insert(table).values(**_values(columns), **{REV: sa.bindparam("rev")})
                .returning(table.c.ID))

    record_id = int(await conn.scalar(build, {**_params(values), "rev": rev},
                                      key=("insert", entity.name, columns)))
    if not in_range(entity.id_field, record_id):  # SQLite: its integers are all 64-bit
        raise IdsExhaustedError(f"no IDs are left for {entity.name} (the highest one is taken)")
    if values.get("ID") is not None and conn.db.name == "postgresql":
        await conn.scalar(_ADVANCE_SEQUENCE, {"id": record_id, "table": entity.name},
                          key=("advance-sequence",))
    return record_id, rev


def _insert_ignoring(conn: Connection) -> Any:
    """The dialect's INSERT that can skip rows colliding with a unique index."""
    return (sa.dialects.postgresql.insert if conn.db.name == "postgresql"
            else sa.dialects.sqlite.insert)


async def insert_missing(conn: Connection, entity: Entity, values: Mapping[str, Any],
                         unique: tuple[str, ...]) -> None:
    """Insert a record unless one with the same `unique` fields (a unique index) exists,
    in one statement, so that two transactions doing it at once never collide."""
    await insert_missing_many(conn, entity, [values], unique)


#: the most records one multi-row INSERT of `insert_missing_many` holds
INSERT_CHUNK = 100


async def insert_missing_many(conn: Connection, entity: Entity,
                              records: Sequence[Mapping[str, Any]],
                              unique: tuple[str, ...]) -> None:
    """`insert_missing` of many records with the same fields, `INSERT_CHUNK` to a
    statement (a company's chart of accounts)."""
    if not records:
        return
    columns = tuple(sorted(records[0]))

    def build(count: int) -> sa.Insert:
        table = TABLES[entity.name]
        values: list[dict[str, Any]] = [
            {**{n: sa.bindparam(f"{n}_{i}") for n in columns}, REV: sa.bindparam(f"rev_{i}")}
            for i in range(count)]
        insert = _insert_ignoring(conn)(table).values(values)
        ignoring: sa.Insert = insert.on_conflict_do_nothing(
            index_elements=[table.c[n] for n in unique])
        return ignoring

    for start in range(0, len(records), INSERT_CHUNK):
        chunk = records[start:start + INSERT_CHUNK]
        params: dict[str, Any] = {}
        for i, record in enumerate(chunk):
            params.update({f"{n}_{i}": record[n] for n in columns})
            params[f"rev_{i}"] = secrets.randbelow(2**30) + 1
        await conn.run(functools.partial(build, len(chunk)), params,
                       key=("insert-missing", entity.name, columns, unique, len(chunk)))


async def update_row(conn: Connection, entity: Entity, record_id: int, rev: int,
                     values: Mapping[str, Any]) -> bool:
    """Write `values` if the record is still at revision `rev`; bumps the revision.
    False when somebody else wrote it first (or it is gone)."""
    columns = tuple(sorted(values))

    def build() -> sa.Update:
        table = TABLES[entity.name]
        return (sa.update(table)
                .where(table.c.ID == sa.bindparam("id"), table.c[REV] == sa.bindparam("rev"))
                .values(**_values(columns), **{REV: table.c[REV] + 1}))

    params = {**_params(values), "id": record_id, "rev": rev}
    return await conn.run(build, params, key=("update", entity.name, columns)) == 1


#: the most values one `IN` list takes; shorter lists are padded (with their last value) to
#: a power of two, so that a statement is compiled for ten list sizes at most
IN_CHUNK = 500


def _chunks(values: Iterable[int]) -> Iterator[tuple[int, ...]]:
    """`values` in sorted, padded lists of at most `IN_CHUNK`."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), IN_CHUNK):
        chunk = ordered[start:start + IN_CHUNK]
        size = min(IN_CHUNK, 1 << (len(chunk) - 1).bit_length())
        yield (*chunk, *(chunk[-1],) * (size - len(chunk)))


def _in(column: sa.ColumnElement[Any], size: int) -> sa.ColumnElement[bool]:
    """`column IN (:in_0, ... :in_<size-1>)`: bound one by one, so that the statement
    compiles once per size (an expanding parameter does not fit the compile cache)."""
    return column.in_([sa.bindparam(f"in_{k}") for k in range(size)])


def _in_params(chunk: tuple[int, ...]) -> dict[str, int]:
    return {f"in_{k}": value for k, value in enumerate(chunk)}


def _select_in(entity: Entity, field: str, size: int,
               for_update: bool) -> Callable[[], sa.Select[Any]]:
    def build() -> sa.Select[Any]:
        table = TABLES[entity.name]
        stmt = sa.select(*_columns(entity)).where(_in(table.c[field], size))
        return stmt.with_for_update() if for_update else stmt

    return build


async def select_rows_in(conn: Connection, entity: Entity, field: str, values: Iterable[int],
                         *, for_update: bool = False) -> list[Row]:
    """The records whose `field` is one of `values` (IDs), by ID, `IN_CHUNK` values per
    query.  `for_update`: locked until the end of the transaction (PostgreSQL; SQLite's
    writer holds the whole database)."""
    found: list[Row] = []
    for chunk in _chunks(values):
        found += await conn.all(_select_in(entity, field, len(chunk), for_update),
                                _in_params(chunk),
                                key=("rows-in", entity.name, field, len(chunk), for_update))
    return sorted(found, key=lambda row: int(row["ID"]))


def _update_in(entity: Entity, columns: tuple[str, ...], size: int) -> Callable[[], sa.Update]:
    def build() -> sa.Update:
        table = TABLES[entity.name]
        return (sa.update(table).where(_in(table.c.ID, size))
                .values(**_values(columns), **{REV: table.c[REV] + 1}))

    return build


async def update_rows_in(conn: Connection, entity: Entity, record_ids: Iterable[int],
                         values: Mapping[str, Any]) -> int:
    """Write `values` to the records `record_ids` whatever their revision (a write of the
    server's, such as clearing references to deleted records), bumping their revisions;
    returns how many were written."""
    columns = tuple(sorted(values))
    written = 0
    for chunk in _chunks(record_ids):
        written += await conn.run(_update_in(entity, columns, len(chunk)),
                                  {**_params(values), **_in_params(chunk)},
                                  key=("update-in", entity.name, columns, len(chunk)))
    return written


async def delete_row(conn: Connection, entity: Entity, record_id: int, rev: int | None) -> bool:
    def build() -> sa.Delete:
        table = TABLES[entity.name]
        stmt = sa.delete(table).where(table.c.ID == sa.bindparam("id"))
        if rev is not None:
            stmt = stmt.where(table.c[REV] == sa.bindparam("rev"))
        return stmt

    return await conn.run(build, {"id": record_id, "rev": rev},
                          key=("delete", entity.name, rev is None)) == 1


# --- extdata -------------------------------------------------------------------------------


async def read_extdata(conn: Connection, entity: Entity, record_id: int) -> dict[str, Any]:
    def build() -> sa.Select[Any]:
        table = EXTDATA[entity.name]
        return (sa.select(table.c.name, table.c.textvalue, table.c.numvalue)
                .where(table.c.record == sa.bindparam("id")).order_by(table.c.name))

    rows = await conn.all(build, {"id": record_id}, key=("extdata", entity.name))
    return {r["name"]: extdata_to_wire(r["textvalue"], r["numvalue"]) for r in rows}


async def write_extdata(conn: Connection, entity: Entity, record_id: int,
                        values: Mapping[str, tuple[str | None, float | None] | None]) -> None:
    """Set custom fields; a value of None removes the field."""
    table = EXTDATA[entity.name]
    remove = sa.delete(table).where(table.c.record == sa.bindparam("id"),
                                    table.c.name == sa.bindparam("name"))
    add = sa.insert(table).values(record=sa.bindparam("id"), name=sa.bindparam("name"),
                                  textvalue=sa.bindparam("text"), numvalue=sa.bindparam("num"))
    for name, value in values.items():
        await conn.run(remove, {"id": record_id, "name": name},
                       key=("extdata-remove", entity.name))
        if value is not None:
            text, number = value
            await conn.run(add, {"id": record_id, "name": name, "text": text, "num": number},
                           key=("extdata-add", entity.name))


# --- tags ----------------------------------------------------------------------------------


async def read_tags(conn: Connection, entity: Entity, record_id: int) -> list[str]:
    def build() -> sa.Select[Any]:
        table = TAGS[entity.name]
        return (sa.select(table.c.tag).where(table.c.record == sa.bindparam("id"))
                .order_by(table.c.tag))

    rows = await conn.all(build, {"id": record_id}, key=("tags", entity.name))
    return [r["tag"] for r in rows]


async def write_tags(conn: Connection, entity: Entity, record_id: int, *,
                     reset: list[str] | None, add: list[str], remove: list[str]) -> None:
    table = TAGS[entity.name]
    record = table.c.record == sa.bindparam("id")
    if reset is not None:
        await conn.run(sa.delete(table).where(record), {"id": record_id},
                       key=("tags-reset", entity.name))
        add = [*reset, *add]
    for tag in dict.fromkeys(remove):
        await conn.run(sa.delete(table).where(record, table.c.tag == sa.bindparam("tag")),
                       {"id": record_id, "tag": tag}, key=("tags-remove", entity.name))
    current = set() if reset is not None else set(await read_tags(conn, entity, record_id))
    insert = sa.insert(table).values(record=sa.bindparam("id"), tag=sa.bindparam("tag"))
    for tag in dict.fromkeys(add):
        if tag not in current and tag not in remove:
            await conn.run(insert, {"id": record_id, "tag": tag}, key=("tags-add", entity.name))
            current.add(tag)


# --- binfiles ------------------------------------------------------------------------------


async def insert_binfile(conn: Connection, content: bytes) -> tuple[int, int]:
    """Store file content; returns (binfile ID, size)."""
    table = TABLES["binfiles"]
    digest = hashlib.md5(content, usedforsecurity=False).digest()
    stmt = (sa.insert(table).values(hash=digest, size=len(content), content=content)
            .returning(table.c.ID))
    return int(await conn.scalar(stmt)), len(content)


async def read_binfiles(conn: Connection, ids: list[int]) -> dict[int, bytes]:
    """The content of binfiles by ID (missing ones are left out), 500 per query."""
    table = TABLES["binfiles"]
    found: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        stmt = sa.select(table.c.ID, table.c.content).where(table.c.ID.in_(chunk))
        for row in await conn.all(stmt):
            found[row["ID"]] = bytes(row["content"])
    return found


async def log_deletion(conn: Connection, entity: Entity, record_id: int, when: int,
                       user: int | None, data: str) -> None:
    await conn.run(sa.insert(deletions).values(entity=entity.name, record=record_id,
                                               deleted=when, deletedby=user, data=data))


async def read_deletions(conn: Connection, entities: tuple[str, ...], since: int,
                         until: int | None, limit: int) -> list[Row]:
    stmt = (sa.select(deletions.c.entity, deletions.c.record, deletions.c.deleted,
                      deletions.c.data)
            .where(deletions.c.entity.in_(entities), deletions.c.deleted > since)
            .order_by(deletions.c.deleted, deletions.c.ID).limit(limit))
    if until is not None:
        stmt = stmt.where(deletions.c.deleted <= until)
    return await conn.all(stmt)
