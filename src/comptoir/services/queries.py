"""List queries on every entity: rows, counts and CSV exports, within the caller's rights.

    await list_records(db, caller, "accounts", {"fields": ["ID", "contact.city"], "limit": 3})
    await count_records(db, caller, "accounts", {"filter": {"visibility": 0}})
    export = await export_records(db, caller, "accounts", {"fields": ["ID", "lastname"]})
    async for chunk in export: ...                      # CSV text, a batch of rows at a time

The query is parsed (names resolved, values checked) and compiled before anything is read,
so that every mistake is reported before the first byte of an answer.  A compiled statement
is cached per query shape and kind of caller.  Queries with regular expressions run under a
time limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import orjson
import sqlalchemy as sa

from comptoir.errors import PermissionDeniedError
from comptoir.query import compiler, json_query
from comptoir.query.ast import Query, walk
from comptoir.query.operators import REGEX_TIMEOUT, Family
from comptoir.schema.entity import Entity, Op
from comptoir.services import records
from comptoir.services.access import Caller, check_operation, view_of, visible_on
from comptoir.services.records import entity_for
from comptoir.storage.database import CompiledSql, Database, Row
from comptoir.wire.values import WIRE_CONVERTED, extdata_to_wire, to_wire

EXPORT_BATCH = 1000


def _prepare(db: Database, caller: Caller, entity: Entity,
             query: Query) -> tuple[CompiledSql, dict[str, Any], float | None]:
    """The compiled statement of a query for this caller (built and compiled once per
    query shape and kind of caller), its values and its time limit."""
    def build() -> sa.Select[Any]:
        return compiler.compile_query(query, lambda e, table, prefix: visible_on(
            e, caller, table, prefix))

    key = ("query", query.shape(), view_of(caller, compiler.joined_entities(query)))
    params = compiler.bind(query)
    params["caller"] = caller.user
    regex = any(c.op.family is Family.REGEX for c in walk(query.where))
    return db.compile(build, key), params, REGEX_TIMEOUT if regex else None


def _parse(name: str, caller: Caller, body: Mapping[str, Any]) -> tuple[Entity, Query, bool]:
    entity = entity_for(name, Op.LIST)
    check_operation(entity, caller, write=False)
    query, export = json_query.parse(entity, body)
    return entity, query, export


async def list_records(db: Database, caller: Caller, name: str,
                       body: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    entity, query, _ = _parse(name, caller, body or {})
    return await _rows(db, caller, entity, _as(query, count=False))


async def count_records(db: Database, caller: Caller, name: str,
                        body: Mapping[str, Any] | None = None) -> int:
    entity, query, _ = _parse(name, caller, body or {})
    return await _count(db, caller, entity, _as(query, count=True))


async def query_records(db: Database, caller: Caller, name: str,
                        body: Mapping[str, Any]) -> list[dict[str, Any]] | dict[str, int] | Export:
    """What `POST /{entity}` answers: rows, `{"count": N}` or an export."""
    entity, query, export = _parse(name, caller, body)
    if query.count:
        return {"count": await _count(db, caller, entity, query)}
    if export:
        return _export(db, caller, entity, query)
    return await _rows(db, caller, entity, query)


async def export_records(db: Database, caller: Caller, name: str,
                         body: Mapping[str, Any]) -> Export:
    entity, query, _ = _parse(name, caller, body)
    return _export(db, caller, entity, _as(query, count=False))


async def run_query(db: Database, caller: Caller, query: Query) -> list[dict[str, Any]] | int:
    """Rows (or the count) of a query another language already parsed into the AST."""
    entity = entity_for(query.entity, Op.LIST)
    check_operation(entity, caller, write=False)
    if query.count:
        return await _count(db, caller, entity, query)
    return await _rows(db, caller, entity, query)


def _as(query: Query, count: bool) -> Query:
    return query if query.count == count else replace(query, count=count)


async def _count(db: Database, caller: Caller, entity: Entity, query: Query) -> int:
    compiled, params, timeout = _prepare(db, caller, entity, query)
    async with db.read() as conn:
        rows = await conn.all(compiled, params, timeout=timeout)
    return int(next(iter(rows[0].values())))


async def _rows(db: Database, caller: Caller, entity: Entity,
                query: Query) -> list[dict[str, Any]]:
    compiled, params, timeout = _prepare(db, caller, entity, query)
    outputs = compiler.columns(query)
    async with db.read() as conn:
        found = await conn.all(compiled, params, timeout=timeout)
        result = _render(outputs, found)
        await records.expand(conn, [(out.field, out.key) for out in outputs if out.field
                                    and out.field.name in query.expand
                                    and entity.field(out.field.name) is out.field], result)
    return result


def _render(outputs: Sequence[compiler.Output], rows: list[Row]) -> list[dict[str, Any]]:
    """Rows keyed by the answer's keys, values in their wire form."""
    keys = [out.key for out in outputs]
    if all(out.field is not None for out in outputs):  # one column per key: zip them
        result = [dict(zip(keys, row.values(), strict=True)) for row in rows]
    else:
        result = [{out.key: row[out.label] for out in outputs if out.field is not None}
                  for row in rows]
    for out in outputs:
        f = out.field
        if f is None:
            for data, row in zip(result, rows, strict=True):
                data[out.key] = extdata_to_wire(row[out.label], row[out.label + "n"])
        elif f.kind in WIRE_CONVERTED:
            for data in result:
                data[out.key] = to_wire(f, data[out.key])
    if result and list(result[0]) != keys:  # custom fields were added last: reorder
        result = [{key: data[key] for key in keys} for data in result]
    return result


# --- CSV export ----------------------------------------------------------------------------

#: a cell starting with one of these is a formula to a spreadsheet: it gets a leading '
_FORMULA_START = frozenset("=+-@\t\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell, neutralised against formula injection (None: empty)."""
    if isinstance(value, list | dict):
        value = orjson.dumps(value).decode()
    if value.__class__ is str and value[:1] in _FORMULA_START:
        return "'" + value
    return value


class Export:
    """A CSV export being streamed: iterate it for the text, a batch of rows at a time."""

    media_type = "text/csv; charset=utf-8"

    def __init__(self, db: Database, compiled: CompiledSql, params: dict[str, Any],
                 outputs: tuple[compiler.Output, ...]) -> None:
        self.db, self.compiled, self.params, self.outputs = db, compiled, params, outputs

    async def __aiter__(self) -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([csv_cell(out.key) for out in self.outputs])
        positions = _positions(self.outputs)
        plain = all(out.field is not None and out.field.kind not in WIRE_CONVERTED
                    for out in self.outputs)
        async for rows in self.db.stream(self.compiled, self.params, batch=EXPORT_BATCH):
            if plain:  # the common case, kept fast: only strings can need neutralising
                writer.writerows([("'" + v if v.__class__ is str and v[:1] in _FORMULA_START
                                   else v) for v in row] for row in rows)
            else:
                writer.writerows([csv_cell(_cell(out, row, at)) for out, at in positions]
                                 for row in rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():  # the header of an empty export
            yield buffer.getvalue()


def _positions(outputs: Sequence[compiler.Output]) -> list[tuple[compiler.Output, int]]:
    """Where each output starts in a row tuple (a custom field takes two columns)."""
    found, at = [], 0
    for out in outputs:
        found.append((out, at))
        at += 2 if out.field is None else 1
    return found


def _cell(out: compiler.Output, row: Sequence[Any], at: int) -> Any:
    if out.field is None:
        return extdata_to_wire(row[at], row[at + 1])
    if out.field.kind in WIRE_CONVERTED:
        return to_wire(out.field, row[at])
    return row[at]


def _export(db: Database, caller: Caller, entity: Entity, query: Query) -> Export:
    if not caller.admin:
        raise PermissionDeniedError("Lacking access permission (admin): exports are for admins")
    compiled, params, _ = _prepare(db, caller, entity, query)
    return Export(db, compiled, params, compiler.columns(query))
