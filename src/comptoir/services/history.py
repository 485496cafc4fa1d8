"""The history of a record: who changed what and when, read from the event log (the
outbox events every change writes, `events/outbox.py`), for a person allowed to see the
record.  It goes back as far as the event log is kept (`webhook_retention_days`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from comptoir.services import records
from comptoir.services.access import Caller
from comptoir.storage.database import Database
from comptoir.storage.tables import TABLES, outbox

USERS = TABLES["users"]
MAX_EVENTS = 200


@dataclass(frozen=True)
class Change:
    occurred: int  # Unix time in seconds
    action: str  # "created", "updated", "issued", ...
    actor: str  # the user's name ("" when the server made it)
    #: field -> (before, after)
    fields: dict[str, tuple[Any, Any]]


async def record_history(db: Database, caller: Caller, entity: str, record_id: int, *,
                         limit: int = 50) -> list[Change]:
    """The latest changes of a record the caller sees (NotFoundError otherwise), newest
    first."""
    await records.head_record(db, caller, entity, record_id)  # visibility, as a GET
    stmt = (sa.select(outbox.c.type, outbox.c.occurred, outbox.c.data, USERS.c.name)
            .select_from(outbox.outerjoin(USERS, USERS.c.ID == outbox.c.actor))
            .where(outbox.c.entity == entity, outbox.c.record == record_id)
            .order_by(outbox.c.sequence.desc()).limit(max(1, min(limit, MAX_EVENTS))))
    async with db.read() as conn:
        found = await conn.all(stmt)
    changes = []
    for row in found:
        data = orjson.loads(row["data"])
        fields = {name: (change.get("before"), change.get("after"))
                  for name, change in (data.get("changes") or {}).items()
                  if isinstance(change, dict)}
        changes.append(Change(int(row["occurred"]) // 1000, row["type"].split(".", 1)[-1],
                              row["name"] or "", fields))
    return changes
