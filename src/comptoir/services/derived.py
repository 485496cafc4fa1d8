"""Writes the server derives itself, inside a transaction a service already opened: a
record inserted, updated or deleted by a rule (the lines of a converted order, an issued
invoice's balance, a numbering format's next value, an allocation undone), each with its
event and, for a deletion, its entry in the deletion log, exactly as a client's change.

    line = await insert(conn, LINEITEMS, values, actor=caller.user)
    invoice = await update(conn, TRANSACTIONS, invoice, {"balance": 0.0}, actor=caller.user)
    await delete(conn, ALLOCATIONS, allocation, actor=caller.user)

The record operations (`records.py`) are what a client asks, with its checks (permissions,
lock, If-Match); these write what the calling service has already decided, on rows it has
loaded and locked.  An issued invoice's lock does not apply: its paid amount and balance
are not the client's edits.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson

from comptoir.errors import ConflictError
from comptoir.events import outbox
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Managed
from comptoir.storage import rows
from comptoir.storage.database import Connection, Row
from comptoir.storage.tables import REV
from comptoir.wire.values import render_record


def _stamped(entity: Entity, values: Mapping[str, Any], *, created: bool) -> dict[str, Any]:
    stamped = dict(values)
    now = int(time.time())
    for f in entity.fields:
        if f.managed is Managed.MODIFIED or (created and f.managed is Managed.CREATED):
            stamped.setdefault(f.name, now)
    return stamped


async def insert(conn: Connection, entity: Entity, values: Mapping[str, Any], *,
                 actor: int | None) -> dict[str, Any]:
    """Insert a record (creation and modification times set) and emit its `created` event;
    returns it as the REST API shows it."""
    stamped = _stamped(entity, values, created=True)
    record_id, _ = await rows.insert_row(conn, entity, stamped)
    record = render_record(entity, {**stamped, "ID": record_id})
    await outbox.emit(conn, entity, record_id, "created", actor=actor, record=record)
    return record


async def update(conn: Connection, entity: Entity, row: Row, changes: Mapping[str, Any], *,
                 actor: int | None) -> Row:
    """Write `changes` to a record already loaded (and locked) as `row`: a new revision and
    modification time, and its `updated` event when a value changed.  Returns the row as it
    is now."""
    before = render_record(entity, row)
    if all(row.get(name) == value for name, value in changes.items()):
        return row
    values = _stamped(entity, changes, created=False)
    if not await rows.update_row(conn, entity, row["ID"], row[REV], values):
        raise ConflictError(f"{entity.singular} {row['ID']} was changed by another request "
                            "meanwhile: try again", code="concurrent_change")
    now = {**row, **values, REV: row[REV] + 1}
    after = render_record(entity, now)
    await outbox.emit(conn, entity, row["ID"], "updated", actor=actor, record=after,
                      changes=outbox.changes_of(entity, before, after))
    return now


async def log_deleted(conn: Connection, entity: Entity, row: Row, *, actor: int | None,
                      when: int) -> dict[str, Any]:
    """The deletion log entry and the `deleted` event of a record that is being deleted
    (by this transaction, or by the database in cascade); returns it as it was."""
    data = render_record(entity, row)
    await rows.log_deletion(conn, entity, row["ID"], when, actor, orjson.dumps(data).decode())
    await outbox.emit(conn, entity, row["ID"], "deleted", actor=actor, record=data)
    return data


async def delete(conn: Connection, entity: Entity, row: Row, *,
                 actor: int | None) -> dict[str, Any]:
    """Delete a record loaded as `row`, logged and emitted; returns it as it was."""
    data = await log_deleted(conn, entity, row, actor=actor, when=int(time.time()))
    await rows.delete_row(conn, entity, row["ID"], None)
    return data
