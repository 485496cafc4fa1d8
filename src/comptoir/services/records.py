"""Record operations on every entity: create, get, update, delete, list.

One transaction per call.  The order of checks is the same everywhere: the entity offers
the operation; the caller has the function permission (403); the record exists and is
visible (404); the caller may write it (creator, owner group: 403); the precondition holds
(412); the values are valid (400).  Nothing is written unless everything holds.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from comptoir.errors import (
    ConflictError,
    InvalidFieldError,
    NotFoundError,
    OperationNotAllowedError,
    PermissionDeniedError,
    PreconditionFailedError,
    UnknownEntityError,
)
from comptoir.events import outbox
from comptoir.query import json_query
from comptoir.schema.entity import Entity, Op, Ownership
from comptoir.schema.fields import NOW, Field, Kind, Managed, OnDelete
from comptoir.schema.registry import ENTITIES
from comptoir.services import checks, derived, issuing, numbering, posting, pricing, templates
from comptoir.services.access import Caller, check_operation, visible
from comptoir.services.writes import Write, parse_write
from comptoir.storage import rows
from comptoir.storage.database import Connection, Database, IntegrityError, Row
from comptoir.storage.tables import REV
from comptoir.wire.values import extdata_to_wire, in_range, render_record


def _referrers(on_delete: OnDelete) -> dict[str, list[tuple[Entity, str]]]:
    found: dict[str, list[tuple[Entity, str]]] = {}
    for entity in ENTITIES.values():
        for f in entity.fields:
            if f.kind is Kind.REF and f.ref and f.on_delete is on_delete:
                found.setdefault(f.ref, []).append((entity, f.name))
    return found


#: writes a service adds to a record's create or update, in its transaction: (conn, ID)
AfterWrite = Callable[[Connection, int], Awaitable[None]]

#: entity -> the references to its records that deleting one clears (ON DELETE SET NULL);
#: cleared by the service, so that each referring record gets a new ETag and lastmodified
CLEARED_ON_DELETE = _referrers(OnDelete.SET_NULL)

#: entity -> the references to its records whose records the database deletes with them
#: (ON DELETE CASCADE); the service finds them first, for their events and deletion log
CASCADED_ON_DELETE = _referrers(OnDelete.CASCADE)


@dataclass(frozen=True, slots=True)
class Record:
    """A record as the front doors show it, with its entity tag."""

    data: dict[str, Any]
    etag: str


async def deleted_since(db: Database, entities: tuple[str, ...], since: int,
                        until: int | None, limit: int) -> list[dict[str, Any]]:
    """Deletions of records of `entities` after `since` (up to `until`), oldest first:
    entity, record, deleted (time) and data (the record as it was)."""
    async with db.read() as conn:
        found = await rows.read_deletions(conn, entities, since, until, limit)
    return [{**entry, "data": orjson.loads(entry["data"])} for entry in found]


def entity_for(name: str, op: Op) -> Entity:
    entity = ENTITIES.get(name)
    if entity is None:
        raise UnknownEntityError(f"Unknown entity: {name}")
    if op not in entity.ops:
        raise OperationNotAllowedError(f"{name} does not allow {op.value}")
    return entity


def etag_of(entity: Entity, record_id: int, rev: int) -> str:
    digest = hashlib.md5(f"{entity.name}:{record_id}:{rev}".encode(), usedforsecurity=False)
    return f'"{digest.hexdigest()}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """RFC 7232 list matching: `*`, one tag or a comma-separated list (weak tags compare
    by their opaque part)."""
    if header is None:
        return True
    if header.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


async def _load(conn: Connection, entity: Entity, caller: Caller, record_id: int, *,
                lock: bool = False) -> Row:
    """The record as `caller` sees it; `lock`: for a write of it (`rows.select_row`)."""
    row = None
    if in_range(entity.id_field, record_id):  # else no such record (nor a driver error)
        row = await rows.select_row(conn, entity, record_id, visible(entity, caller),
                                    for_update=lock)
    if row is None:
        raise NotFoundError(f"{entity.singular} {record_id} not found")
    return row


async def load(conn: Connection, entity: Entity, caller: Caller, record_id: int, *,
               lock: bool = False) -> Row:
    """The record as `caller` sees it (NotFoundError otherwise), for a service's action."""
    return await _load(conn, entity, caller, record_id, lock=lock)


async def load_writable(conn: Connection, entity: Entity, caller: Caller,
                        record_id: int) -> Row:
    """A record the caller may change (function permission, visibility, creator rule,
    owner group), locked until the end of the transaction: what a service's action on it
    loads first."""
    check_operation(entity, caller, write=True)
    row = await _load(conn, entity, caller, record_id, lock=True)
    _check_creator(entity, caller, row)
    _check_owner(entity, caller, row)
    return row


async def current(conn: Connection, entity: Entity, caller: Caller, record_id: int) -> Record:
    """The record as it is now in this transaction, with its custom fields and tags."""
    row = await _load(conn, entity, caller, record_id)
    return await _decorate(conn, entity, row, extdata=entity.extdata, tags=entity.tags,
                           expanded=())


async def expand(conn: Connection, fields: list[tuple[Field, str]],
                 result: list[dict[str, Any]]) -> None:
    """Replace the values of expanded fields (field, answer key) by their content:
    binfiles by `{"content": base64}` (read in one batch), JSON documents by their value
    (arrays are arrays already)."""
    for f, key in fields:
        if f.kind is Kind.JSON:
            for data in result:
                if data[key] is not None:
                    data[key] = orjson.loads(data[key])
        elif f.kind is Kind.BINFILE:
            ids = sorted({data[key] for data in result if data[key] is not None})
            contents = await rows.read_binfiles(conn, ids)
            for data in result:
                if data[key] is not None:
                    content = contents.get(data[key], b"")
                    data[key] = {"content": base64.b64encode(content).decode()}


async def _decorate(conn: Connection, entity: Entity, row: Row, *, extdata: bool, tags: bool,
                    expanded: tuple[str, ...]) -> Record:
    data = render_record(entity, row)
    await expand(conn, [(entity.by_name[name], name) for name in expanded], [data])
    if extdata and entity.extdata:
        data["extdata"] = await rows.read_extdata(conn, entity, row["ID"])
    if tags and entity.tags:
        data["tags"] = await rows.read_tags(conn, entity, row["ID"])
    return Record(data, etag_of(entity, row["ID"], row[REV]))


async def get_record(db: Database, caller: Caller, name: str, record_id: int, *,
                     extdata: bool = False, tags: bool = False,
                     expand: tuple[str, ...] = ()) -> Record:
    entity = entity_for(name, Op.GET)
    check_operation(entity, caller, write=False)
    expanded = json_query.expand_names(entity, list(expand))
    async with db.read() as conn:
        row = await _load(conn, entity, caller, record_id)
        return await _decorate(conn, entity, row, extdata=extdata, tags=tags,
                               expanded=expanded)


async def head_record(db: Database, caller: Caller, name: str, record_id: int) -> str:
    entity = entity_for(name, Op.HEAD)
    check_operation(entity, caller, write=False)
    async with db.read() as conn:
        row = await _load(conn, entity, caller, record_id)
        return etag_of(entity, record_id, row[REV])


# --- writes --------------------------------------------------------------------------------


def _check_rules(entity: Entity, record: Mapping[str, Any]) -> None:
    """The registry's rules, then the business checks of the entity (`checks.py`)."""
    for rule in entity.rules:
        violation = rule.check(record)
        if violation is not None:
            raise InvalidFieldError(*violation)
    checks.check_record(entity, record)


def _check_owner(entity: Entity, caller: Caller, record: Mapping[str, Any]) -> None:
    if entity.ownership is Ownership.NONE:
        return
    group, user = record.get("ownergroup"), record.get("owneruser")
    if not caller.may_own(group, user):
        if group is None and user is None:
            raise PermissionDeniedError("Lacking access to public records (nopublic)")
        raise PermissionDeniedError("Lacking write access to the owner group or user")


def _check_creator(entity: Entity, caller: Caller, row: Mapping[str, Any]) -> None:
    if entity.write.creator_only and not caller.admin and row.get("creator") != caller.user:
        raise PermissionDeniedError("Lacking access permission (creator)")


def _check_lock(entity: Entity, row: Mapping[str, Any],
                changes: Mapping[str, Any] | None) -> None:
    """A locked record (an issued invoice) is never deleted (`changes` None) and changes
    only its lock's editable fields."""
    lock = entity.lock
    if lock is None or not lock.locks(row):
        return
    if changes is None:
        raise PermissionDeniedError(f"{entity.singular} {row['ID']} is issued and locked: "
                                    "it cannot be deleted")
    refused = sorted(k for k, v in changes.items()
                     if k not in lock.editable and row.get(k) != v)
    if refused:
        raise PermissionDeniedError(
            f"{entity.singular} {row['ID']} is issued and locked: only "
            f"{', '.join(lock.editable)} may change, not {', '.join(refused)}")


async def _check_parent_lock(conn: Connection, entity: Entity, record: Mapping[str, Any]) -> None:
    """The children of a locked record (an issued invoice's lines) are locked with it."""
    for name in entity.parents:
        f = entity.by_name[name]
        parent = ENTITIES.get(f.ref or "")
        if parent is None or parent.lock is None or record.get(name) is None:
            continue
        row = await rows.select_row(conn, parent, record[name], rows.EVERYTHING)
        if row is not None and parent.lock.locks(row):
            raise PermissionDeniedError(f"{parent.singular} {record[name]} is issued and "
                                        f"locked: its {entity.name} cannot change")


async def _check_references(conn: Connection, entity: Entity, caller: Caller,
                            values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        f = entity.by_name[name]
        if f.kind is not Kind.REF or value is None or f.ref not in ENTITIES:
            continue
        target = ENTITIES[f.ref]
        scope = visible(target, caller) if f.dependency else rows.EVERYTHING
        if not await rows.exists(conn, target, value, scope):
            raise InvalidFieldError(name, f"{target.singular} {value} does not exist")


async def _apply(conn: Connection, entity: Entity, write: Write, record_id: int) -> None:
    if write.extdata:
        await rows.write_extdata(conn, entity, record_id, write.extdata)
    if write.tags is not None or write.add_tags or write.remove_tags:
        await rows.write_tags(conn, entity, record_id, reset=write.tags,
                              add=write.add_tags, remove=write.remove_tags)


async def _store_files(conn: Connection, entity: Entity, write: Write,
                       values: dict[str, Any]) -> None:
    for name, content in write.files.items():
        values[name], size = await rows.insert_binfile(conn, content)
        for f in entity.fields:
            if f.size_of == name:
                values[f.name] = size


async def create_record(db: Database, caller: Caller, name: str,
                        body: Mapping[str, Any], *, after: AfterWrite | None = None) -> Record:
    """`after(conn, ID)` writes what belongs to the record (its lines) in the same
    transaction."""
    entity = entity_for(name, Op.CREATE)
    check_operation(entity, caller, write=True)
    write = parse_write(entity, body)
    now = int(time.time())
    record: dict[str, Any] = {}
    for f in entity.fields:
        if f.name in write.values:
            record[f.name] = write.values[f.name]
        elif f.managed is Managed.CREATOR:
            record[f.name] = caller.user
        elif f.managed in (Managed.CREATED, Managed.MODIFIED) or f.default == NOW:
            record[f.name] = now
        elif f.default is not None:
            record[f.name] = f.default
        elif not f.nullable and f.managed is None and f.name not in write.files:
            raise InvalidFieldError(f.name, "is required")
    _check_rules(entity, record)
    _check_owner(entity, caller, record)
    async with db.write() as conn:
        await _check_references(conn, entity, caller, write.values)
        await _check_parent_lock(conn, entity, record)
        record.update(await pricing.price_new_record(conn, entity, record, write.values))
        record_id = write.values.get("ID")
        if record_id is not None and await rows.exists(conn, entity, record_id):
            raise ConflictError(f"ID Present: {entity.singular} {record_id} already exists")
        await _store_files(conn, entity, write, record)
        if entity.numbered is not None:  # a payment: its receipt number
            record[entity.numbered[0]] = await numbering.number_at_create(
                conn, entity, record, actor=caller.user)
        record_id, rev = await rows.insert_row(conn, entity, record)
        await templates.clear_other_defaults(conn, entity, record_id, record, caller.user)
        await _apply(conn, entity, write, record_id)
        if after is not None:
            await after(conn, record_id)
        if entity.lock is not None:  # a document: its reference as a draft
            draft = issuing.draft_reference(record_id, record)
            await rows.update_row(conn, entity, record_id, rev, draft)
            record, rev = {**record, **draft}, rev + 1
        issued = issuing.issues(entity, None, record)
        if issued:  # an invoice created issued: numbered and totalled as by `issue`
            row = await _load(conn, entity, caller, record_id)
            changes = await issuing.issue_in(conn, row, actor=caller.user)
            await rows.update_row(conn, entity, record_id, rev, changes)
            record, rev = {**record, **changes}, rev + 1
        await posting.record_written(conn, entity, record_id, actor=caller.user)
        created = _created(entity, {**record, "ID": record_id}, rev, write)
        await outbox.emit(conn, entity, record_id, "created", actor=caller.user,
                          record=created.data)
        if issued:
            await outbox.emit(conn, entity, record_id, "issued", actor=caller.user,
                              record=created.data)
    return created


def _created(entity: Entity, record: Mapping[str, Any], rev: int, write: Write) -> Record:
    """The record just created, from what was written (no read back)."""
    data = render_record(entity, {f.name: record.get(f.name) for f in entity.public_fields})
    if entity.extdata:
        data["extdata"] = {name: extdata_to_wire(*value)
                           for name, value in sorted(write.extdata.items()) if value is not None}
    if entity.tags:
        tags = set(write.tags or ()) | set(write.add_tags)
        data["tags"] = sorted(tags - set(write.remove_tags))
    return Record(data, etag_of(entity, record["ID"], rev))


async def update_record(db: Database, caller: Caller, name: str, record_id: int,
                        body: Mapping[str, Any], if_match: str | None = None, *,
                        after: AfterWrite | None = None) -> Record:
    entity = entity_for(name, Op.UPDATE)
    check_operation(entity, caller, write=True)
    write = parse_write(entity, body)
    if write.values.get("ID", record_id) != record_id:
        raise ConflictError(f"Non-matching ID: body ID {write.values['ID']} is not {record_id}")
    async with db.write() as conn:
        row = await _load(conn, entity, caller, record_id, lock=True)
        _check_creator(entity, caller, row)
        _check_owner(entity, caller, row)
        if not etag_matches(if_match, etag_of(entity, record_id, row[REV])):
            raise PreconditionFailedError("Non-matching ETag")
        changes = {k: v for k, v in write.values.items() if k != "ID"}
        _check_lock(entity, row, changes)
        await _check_parent_lock(conn, entity, row)
        merged = {**row, **changes}
        _check_rules(entity, merged)
        _check_owner(entity, caller, merged)
        await _check_references(conn, entity, caller, changes)
        await _store_files(conn, entity, write, changes)
        await templates.keep_version(conn, entity, row, changes, caller.user)
        modified = entity.managed(Managed.MODIFIED)
        if modified is not None:
            changes[modified.name] = int(time.time())
        if not await rows.update_row(conn, entity, record_id, row[REV], changes):
            raise PreconditionFailedError("Non-matching ETag (modified concurrently)")
        await templates.clear_other_defaults(conn, entity, record_id, merged, caller.user)
        await _apply(conn, entity, write, record_id)
        if after is not None:
            await after(conn, record_id)
        before = render_record(entity, row)
        issued = issuing.issues(entity, row, merged)
        if issued:  # an invoice leaving DRAFT is issued: numbered and totalled
            current = await _load(conn, entity, caller, record_id)
            await rows.update_row(conn, entity, record_id, current[REV],
                                  await issuing.issue_in(conn, current, actor=caller.user))
        await posting.record_written(conn, entity, record_id, actor=caller.user)
        row = await _load(conn, entity, caller, record_id)
        updated = await _decorate(conn, entity, row, extdata=entity.extdata, tags=entity.tags,
                                  expanded=())
        changed = outbox.changes_of(entity, before, render_record(entity, row))
        if changed or write.extdata or write.tags is not None or write.add_tags \
                or write.remove_tags or after is not None:
            await outbox.emit(conn, entity, record_id, "updated", actor=caller.user,
                              record=updated.data, changes=changed)
        if issued:
            await outbox.emit(conn, entity, record_id, "issued", actor=caller.user,
                              record=updated.data)
        return updated


async def delete_record(db: Database, caller: Caller, name: str, record_id: int,
                        if_match: str | None = None) -> None:
    entity = entity_for(name, Op.DELETE)
    check_operation(entity, caller, write=True)
    async with db.write() as conn:
        row = await _load(conn, entity, caller, record_id, lock=True)
        _check_creator(entity, caller, row)
        _check_owner(entity, caller, row)
        if not etag_matches(if_match, etag_of(entity, record_id, row[REV])):
            raise PreconditionFailedError("Non-matching ETag")
        _check_lock(entity, row, None)
        await _check_parent_lock(conn, entity, row)
        await posting.record_written(conn, entity, record_id, actor=caller.user, deleted=row)
        now = int(time.time())
        levels = await _cascade(conn, entity, row)
        doomed = [found for level in reversed(levels) for found in level]
        await _clear_references(conn, doomed, now, caller.user)
        for target, gone in doomed:  # the deepest level first, the record itself last
            await derived.log_deleted(conn, target, gone, actor=caller.user, when=now)
        try:
            deleted = await rows.delete_row(conn, entity, record_id, row[REV])
        except IntegrityError:
            raise ConflictError(f"Not Deletable: {entity.singular} {record_id} is in use") from None
        if not deleted:
            raise PreconditionFailedError("Non-matching ETag (modified concurrently)")


async def _cascade(conn: Connection, entity: Entity,
                   row: Row) -> list[list[tuple[Entity, Row]]]:
    """The records that deleting `row` deletes, level by level: itself, then those the
    database deletes in cascade with it (ON DELETE CASCADE), transitively, each once (one
    query per entity and reference per level).  Those found are locked until the end of
    the transaction (PostgreSQL), so that none changes, nor gets a record under it, before
    it is gone."""
    levels: list[list[tuple[Entity, Row]]] = [[(entity, row)]]
    seen: dict[str, set[int]] = {entity.name: {row["ID"]}}
    while levels[-1]:
        above: dict[str, list[int]] = {}
        for parent, parent_row in levels[-1]:
            above.setdefault(parent.name, []).append(parent_row["ID"])
        below: list[tuple[Entity, Row]] = []
        for name, ids in above.items():
            for child, field in CASCADED_ON_DELETE.get(name, ()):
                taken = seen.setdefault(child.name, set())
                for other in await rows.select_rows_in(conn, child, field, ids,
                                                       for_update=True):
                    if other["ID"] not in taken:  # cycles, several paths to one record
                        taken.add(other["ID"])
                        below.append((child, other))
        levels.append(below)
    return levels[:-1]


async def _clear_references(conn: Connection, doomed: list[tuple[Entity, Row]], now: int,
                            actor: int) -> None:
    """Clear the references (ON DELETE SET NULL) to the `doomed` records, but those of doomed
    records: each cleared reference is an update of its record (new revision,
    lastmodified, an `updated` event)."""
    gone: dict[str, set[int]] = {}
    for target, row in doomed:
        gone.setdefault(target.name, set()).add(row["ID"])
    for name, ids in gone.items():
        for referrer, field in CLEARED_ON_DELETE.get(name, ()):
            kept = gone.get(referrer.name, set())
            referring = [r for r in await rows.select_rows_in(conn, referrer, field, ids,
                                                              for_update=True)
                         if r["ID"] not in kept]
            if not referring:
                continue
            modified = referrer.managed(Managed.MODIFIED)
            stamp = {modified.name: now} if modified else {}
            await rows.update_rows_in(conn, referrer, [r["ID"] for r in referring],
                                      {field: None, **stamp})
            for other in referring:
                await outbox.emit(conn, referrer, other["ID"], "updated", actor=actor,
                                  record={**render_record(referrer, other), field: None, **stamp},
                                  changes={field: {"before": other[field], "after": None}})
