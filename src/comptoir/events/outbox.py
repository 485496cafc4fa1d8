"""The transactional outbox: every create, update and delete writes one event row in the
same transaction as the change, so a rolled-back change emits nothing and a committed one
is never lost.

    await emit(conn, entity, record_id, "updated", actor=caller.user,
               record=after, before=before)

An event has a unique id (`evt_` + 32 hex), a type (`contacts.updated`), the record's ID and
a per-record sequence number (1, 2, 3...: the order of one record's events), the time in
milliseconds, the user who made the change and its data: the record as it is after the
change (as it was, for a deletion) and, for an update, the changed fields with their
values before and after.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any, Literal

import orjson
import sqlalchemy as sa

from comptoir.schema.entity import Entity
from comptoir.schema.fields import Managed
from comptoir.storage.database import Connection, Database
from comptoir.storage.tables import outbox, webhook_deliveries

#: the record changes, then the business actions of the sales cycle (docs/sales.md)
Action = Literal["created", "updated", "deleted", "issued", "converted", "cancelled",
                 "allocated", "deallocated"]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]

_NEXT_SEQUENCE = (
    sa.select(sa.func.coalesce(sa.func.max(outbox.c.sequence), 0) + 1)
    .where(outbox.c.entity == sa.bindparam("entity"), outbox.c.record == sa.bindparam("record")))


def changes_of(entity: Entity, before: Mapping[str, Any],
               after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose value changed (the modification time aside), before and after."""
    modified = entity.managed(Managed.MODIFIED)
    skip = {modified.name} if modified else set()
    return {name: {"before": before.get(name), "after": value} for name, value in after.items()
            if name not in skip and before.get(name) != value}


async def emit(conn: Connection, entity: Entity, record_id: int, action: Action, *,
               actor: int | None, record: Mapping[str, Any],
               changes: Mapping[str, Any] | None = None) -> str:
    """Write the event of one change on `conn` (inside the change's transaction); returns
    its id."""
    sequence = await conn.scalar(_NEXT_SEQUENCE, {"entity": entity.name, "record": record_id},
                                 key="outbox-sequence")
    event = "evt_" + secrets.token_hex(16)
    data: dict[str, Any] = {"record": dict(record)}
    if changes is not None:
        data["changes"] = dict(changes)
    await conn.run(sa.insert(outbox).values(
        event=sa.bindparam("event"), type=sa.bindparam("type"), entity=sa.bindparam("entity"),
        record=sa.bindparam("record"), sequence=sa.bindparam("sequence"),
        occurred=sa.bindparam("occurred"), actor=sa.bindparam("actor"),
        data=sa.bindparam("data")),
        {"event": event, "type": f"{entity.name}.{action}", "entity": entity.name,
         "record": record_id, "sequence": int(sequence), "occurred": int(time.time() * 1000),
         "actor": actor, "data": orjson.dumps(data, default=str).decode()},
        key="outbox-insert")
    conn.emitted = True
    return event


async def read_events(conn: Connection, *, after: int = 0, limit: int = 1000,
                      entity: str | None = None, record: int | None = None) -> list[dict[str, Any]]:
    """Events in the order they were written (`after`: an outbox ID), data decoded."""
    stmt = (sa.select(outbox).where(outbox.c.ID > after).order_by(outbox.c.ID).limit(limit))
    if entity is not None:
        stmt = stmt.where(outbox.c.entity == entity)
    if record is not None:
        stmt = stmt.where(outbox.c.record == record)
    return [{**row, "data": orjson.loads(row["data"])} for row in await conn.all(stmt)]


#: events pruned per transaction
PRUNE_BATCH = 1000


def _prunable(before_ms: int) -> sa.Select[Any]:
    later = outbox.alias("later")
    return (sa.select(outbox.c.ID).where(
        outbox.c.occurred < before_ms, outbox.c.fanned.is_(True),
        # a delivery still to be tried keeps its event
        ~sa.exists().where(webhook_deliveries.c.event == outbox.c.ID,
                           webhook_deliveries.c.status.in_(("pending", "failed"))),
        # the last event of a record stays: its sequence goes on from there
        sa.exists().where(later.c.entity == outbox.c.entity, later.c.record == outbox.c.record,
                          later.c.sequence > outbox.c.sequence))
        .order_by(outbox.c.ID).limit(PRUNE_BATCH))


async def prune(db: Database, before_ms: int) -> int:
    """Delete the events that occurred before `before_ms` (with their deliveries and
    attempts), but those a delivery still waits for and the last event of each record;
    one transaction per `PRUNE_BATCH` events.  Returns how many were deleted."""
    total = 0
    while True:
        async with db.write() as conn:
            ids = [row["ID"] for row in await conn.all(_prunable(before_ms))]
            if ids:
                await conn.run(sa.delete(outbox).where(outbox.c.ID.in_(ids)))
        total += len(ids)
        if len(ids) < PRUNE_BATCH:
            return total
