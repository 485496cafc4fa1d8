"""The global search: records of every searched entity whose names, numbers, e-mail
addresses or phone numbers match what the user is typing.

    hits = await search(db, caller, "acme fa-2026", limit=20)
    # [Hit(entity="transactions", ID=42, label="FA-2026-0001 · Consulting", detail="ACME"), ...]

Every word must match (as the beginning of a word on SQLite, anywhere in a word on
PostgreSQL; see `storage/search.py`), case and accents aside.  Access is that of the list
operation: only entities the caller may read (function access, API key scopes), and only
their records the caller may see (`visible_on`).  Each entity answers at most `limit` best
matches; the total is then shared out fairly: one hit of each entity in turn.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from comptoir.errors import PermissionDeniedError
from comptoir.schema.entity import Entity
from comptoir.schema.fields import Kind
from comptoir.schema.registry import ENTITIES
from comptoir.services.access import Caller, check_operation, view_of, visible_on
from comptoir.storage import search as index
from comptoir.storage.database import Database, Row
from comptoir.storage.tables import TABLES

MAX_LIMIT = 100

#: the name of a record, the first of these that it has (a pair: "lastname, firstname")
_NAMES: tuple[tuple[str, ...], ...] = (("lastname", "firstname"), ("name",), ("title",),
                                       ("subject",), ("filename",))
#: the second line of a hit: the first two of these that have a value
_DETAILS = ("email", "phone", "cell", "company", "email2", "phone2", "billingrecipient",
            "barcode", "manufacturer", "filename", "subject")


@dataclass(frozen=True)
class Hit:
    entity: str
    ID: int
    label: str
    detail: str


@dataclass(frozen=True)
class _Shape:
    """Which columns make the label and detail of an entity's hits."""

    numbers: tuple[str, ...]
    name: tuple[str, ...]
    details: tuple[str, ...]

    @property
    def selected(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.numbers, *self.name, *self.details)))


def _shape(entity: Entity) -> _Shape:
    have = {f.name for f in entity.fields if f.kind is Kind.TEXT}
    numbers = tuple(c for c in index.columns(entity.name) if c.endswith("num"))
    name = next((n for n in _NAMES if n[0] in have), ())
    details = tuple(d for d in _DETAILS if d in have and d not in name)
    return _Shape(numbers, name, details)


_SHAPES: dict[str, _Shape] = {name: _shape(ENTITIES[name]) for name in index.SEARCHED}


def _readable(entity: Entity, caller: Caller) -> bool:
    try:
        check_operation(entity, caller, write=False)
    except PermissionDeniedError:
        return False
    return True


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _hit(name: str, row: Row) -> Hit:
    shape = _SHAPES[name]
    number = next((t for t in (_text(row[c]) for c in shape.numbers) if t), "")
    parts = [t for t in (_text(row[c]) for c in shape.name) if t]
    label = " · ".join(t for t in (number, ", ".join(parts)) if t)
    details = [t for t in (_text(row[c]) for c in shape.details) if t]
    return Hit(name, int(row["ID"]), label or f"{ENTITIES[name].singular} {row['ID']}",
               " · ".join(details[:2]))


def _statement(db: Database, caller: Caller, entity: Entity, count: int) -> sa.Select[Any]:
    table = TABLES[entity.name]
    match = index.matching(db, entity.name, table, count)
    selected = [table.c.ID, *(table.c[c] for c in _SHAPES[entity.name].selected)]
    stmt = sa.select(*selected).select_from(match.source).where(*match.where)
    rule = visible_on(entity, caller, table)
    if rule is not None:
        stmt = stmt.where(rule)
    return stmt.order_by(*match.order).limit(sa.bindparam("limit"))


async def search(db: Database, caller: Caller, text: str, *, limit: int = 20) -> list[Hit]:
    """The records matching `text` that the caller may see, the best first in each
    entity, entities in the order of `storage.search.SEARCHED`; at most `limit` (1 to
    100) in all."""
    words = index.words(text)
    limit = max(1, min(limit, MAX_LIMIT))
    if not words:
        return []
    entities = [e for e in (ENTITIES[n] for n in index.SEARCHED) if _readable(e, caller)]
    params = {**index.search_params(db, words), "caller": caller.user, "limit": limit}
    found: dict[str, list[Hit]] = {}
    async with db.read() as conn:
        for entity in entities:
            key = ("search", entity.name, len(words), view_of(caller, [entity]))
            compiled = db.compile(functools.partial(_statement, db, caller, entity,
                                                    len(words)), key)
            rows = await conn.all(compiled, params)
            found[entity.name] = [_hit(entity.name, row) for row in rows]
    return _share(found, limit)


def _share(found: dict[str, list[Hit]], limit: int) -> list[Hit]:
    """At most `limit` hits, taken one of each entity in turn, grouped by entity."""
    taken = dict.fromkeys(found, 0)
    total, rank = 0, 0
    while total < limit and any(len(hits) > rank for hits in found.values()):
        for name, hits in found.items():
            if total < limit and len(hits) > rank:
                taken[name] += 1
                total += 1
        rank += 1
    return [hit for name, hits in found.items() for hit in hits[:taken[name]]]
