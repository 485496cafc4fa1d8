"""Webhook endpoints (administrators only) and the fan-out of outbox events to deliveries.

    endpoint, secret = await create_endpoint(db, caller, url, ["contacts.*"], allowed=nets)
    made = await fan_out(db)          # new outbox events -> one delivery per endpoint

Patterns: an event type (`contacts.created`), `<entity>.*`, `*.<action>` or `*`.

The fan-out takes the outbox events not yet fanned out (`outbox.fanned` false, an index
on (fanned, ID)) in ID order and marks them, in the transaction that writes their
deliveries.  An event whose transaction commits late (on PostgreSQL IDs are taken before
the commit, so it can become visible after a higher one) is simply taken by the next pass;
several workers take disjoint batches (`FOR UPDATE SKIP LOCKED`), and the unique
(endpoint, event) pair makes a second fan-out of one event harmless.  An endpoint only
receives events that occurred after it was created (replay aside).

Who receives what.  Created and updated events: the record, as it is now, must match the
endpoint's optional filter (a ZeyOS JSON filter, `query/json_query.py`) and be readable by
the endpoint's owner; both are decided by one query through the query engine with the
owner as caller (all read rules apply).  Deleted events (no row left) and the created or
updated events of a record deleted since: the owner needs the read function permission
of the entity and may read the record by the owner columns (`ownergroup`, `owneruser`)
of the event's data (`may_receive`); no filter applies to deleted events, and an endpoint
with a filter does not receive the created/updated events of a record deleted since.
A filter is checked against every entity the patterns name; with a wildcard entity
(`*.created`), an entity the filter does not fit does not match.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from comptoir.errors import (
    ComptoirError,
    InvalidFieldError,
    NotFoundError,
    PermissionDeniedError,
)
from comptoir.events.network import Network, resolve_url
from comptoir.events.outbox import ACTIONS
from comptoir.query import json_query
from comptoir.query.ast import Compare, FieldRef, Filter, Group, Query, Selected
from comptoir.query.operators import BY_SYMBOL
from comptoir.schema.entity import Entity, Op
from comptoir.schema.registry import get_entity
from comptoir.services import queries
from comptoir.services.access import Caller, may_read
from comptoir.services.auth import load_caller
from comptoir.storage.database import Connection, Database
from comptoir.storage.tables import (
    TABLES,
    outbox,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

#: seconds the previous secret keeps signing after a rotation
ROTATION_GRACE = 24 * 3600
_BATCH = 500
#: record IDs per filter query at fan-out (padded to these sizes: few statement shapes)
_ID_CHUNKS = (1, 10, 100)
#: `update_endpoint(filter=...)` not given
UNCHANGED: Any = object()
users = TABLES["users"]
_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*)\.(\*|" + "|".join(ACTIONS) + ")$")


def _ms(now: float | None) -> int:
    return int((time.time() if now is None else now) * 1000)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def check_patterns(events: Any) -> list[str]:
    """The event patterns of an endpoint, or InvalidFieldError naming the bad one."""
    if isinstance(events, str):
        events = [e.strip() for e in events.split(",") if e.strip()]
    if not isinstance(events, list) or not events or len(events) > 100:
        raise InvalidFieldError("events", "a non-empty list of event patterns is required")
    found: list[str] = []
    for pattern in events:
        if not isinstance(pattern, str):
            raise InvalidFieldError("events", f"not an event pattern: {pattern!r}")
        if pattern == "*":
            found.append(pattern)
            continue
        match = _PATTERN.match(pattern)
        if match is None or (match[1] != "*" and get_entity(match[1]) is None):
            raise InvalidFieldError("events", f"not an event pattern: {pattern[:100]}")
        found.append(pattern)
    return list(dict.fromkeys(found))


def _parse_filter(entity: Entity, value: Any) -> Filter | None:
    """The filter as a query condition on `entity`, or InvalidFieldError naming the
    problem (`filter: unknown field country of accounts`)."""
    if Op.LIST not in entity.ops:
        raise InvalidFieldError("filter", f"{entity.name} cannot be filtered")
    query, _ = json_query.parse(entity, {"filter": value})
    return query.where


def check_filter(value: Any, patterns: Sequence[str]) -> str | None:
    """The endpoint's filter as stored (JSON text; None: no filter), checked against every
    entity its event patterns name; with a wildcard entity (`*.created`) the other entities
    are checked when events are fanned out (an entity it does not fit does not match)."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise InvalidFieldError("filter", "not JSON") from None
    if value is None or value == {} or value == []:
        return None
    if not isinstance(value, (dict, list)):
        raise InvalidFieldError("filter", "must be a filter object")
    for name in sorted({p.partition(".")[0] for p in patterns} - {"*"}):
        entity = get_entity(name)
        if entity is not None:
            _parse_filter(entity, value)
    return orjson.dumps(value).decode()


def matches(patterns: Iterable[str], event_type: str) -> bool:
    entity, _, action = event_type.partition(".")
    for pattern in patterns:
        want_entity, _, want_action = pattern.partition(".")
        if pattern == "*" or ((want_entity in ("*", entity)) and want_action in ("*", action)):
            return True
    return False


def _require_admin(caller: Caller) -> None:
    if not caller.admin or caller.scopes is not None:
        raise PermissionDeniedError("Lacking access permission (administrator)")


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    """An endpoint as listed: no secrets."""
    return {"ID": row["ID"], "url": row["url"], "events": orjson.loads(row["events"]),
            "filter": orjson.loads(row["filter"]) if row["filter"] else None,
            "description": row["description"], "enabled": bool(row["enabled"]),
            "owner": row["owner"], "ownername": row.get("ownername"),
            "created": row["created"], "disabled_reason": row["disabled_reason"],
            "failing_since": row["failing_since"],
            "rotating_until": row["previous_until"]}


async def _owner_id(conn: Connection, owner: str | int) -> int:
    column = users.c.ID if isinstance(owner, int) else users.c.name
    found = await conn.scalar(sa.select(users.c.ID).where(column == owner))
    if found is None:
        raise InvalidFieldError("user", f"no such user: {owner}")
    return int(found)


async def create_endpoint(db: Database, caller: Caller, url: str, events: Any, *,
                          description: str = "", owner: str | int | None = None,
                          filter: Any = None,  # noqa: A002 (the name of the API's field)
                          allowed: Sequence[Network] = (),
                          now: float | None = None) -> tuple[dict[str, Any], str]:
    """A new, enabled endpoint; returns it and its secret (shown once)."""
    _require_admin(caller)
    patterns = check_patterns(events)
    stored_filter = check_filter(filter, patterns)
    if not isinstance(description, str):
        raise InvalidFieldError("description", "must be text")
    await resolve_url(url, allowed)
    secret = new_secret()
    async with db.write() as conn:
        owner_id = caller.user if owner is None else await _owner_id(conn, owner)
        endpoint_id = await conn.scalar(sa.insert(webhook_endpoints).values(
            url=url, events=orjson.dumps(patterns).decode(), filter=stored_filter,
            description=description,
            enabled=True, owner=owner_id, secret=secret, created=_ms(now))
            .returning(webhook_endpoints.c.ID))
    return await get_endpoint(db, caller, int(endpoint_id)), secret


_LISTED = (sa.select(webhook_endpoints, users.c.name.label("ownername"))
           .join(users, users.c.ID == webhook_endpoints.c.owner))


async def list_endpoints(db: Database, caller: Caller) -> list[dict[str, Any]]:
    _require_admin(caller)
    async with db.read() as conn:
        rows = await conn.all(_LISTED.order_by(webhook_endpoints.c.ID))
    return [_public(row) for row in rows]


async def get_endpoint(db: Database, caller: Caller, endpoint_id: int) -> dict[str, Any]:
    _require_admin(caller)
    async with db.read() as conn:
        row = await conn.one(_LISTED.where(webhook_endpoints.c.ID == endpoint_id))
    if row is None:
        raise NotFoundError(f"No webhook endpoint {endpoint_id}")
    return _public(row)


async def update_endpoint(db: Database, caller: Caller, endpoint_id: int, *,
                          enabled: bool | None = None, events: Any = None,
                          url: str | None = None, description: str | None = None,
                          filter: Any = UNCHANGED,  # noqa: A002 (the name of the API's field)
                          allowed: Sequence[Network] = ()) -> dict[str, Any]:
    """Enable (which clears the failure state), disable, or change the events, filter
    (None or {}: no filter), URL or description."""
    _require_admin(caller)
    values: dict[str, Any] = {}
    if events is not None or filter is not UNCHANGED:
        current = await get_endpoint(db, caller, endpoint_id)
        patterns = current["events"] if events is None else check_patterns(events)
        values["events"] = orjson.dumps(patterns).decode()
        values["filter"] = check_filter(current["filter"] if filter is UNCHANGED else filter,
                                        patterns)
    if url is not None:
        await resolve_url(url, allowed)
        values["url"] = url
    if description is not None:
        if not isinstance(description, str):
            raise InvalidFieldError("description", "must be text")
        values["description"] = description
    if enabled is not None:
        if not isinstance(enabled, bool):
            raise InvalidFieldError("enabled", "must be true or false")
        values.update(enabled=enabled, failing_since=None,
                      disabled_reason=None if enabled else "disabled by an administrator")
    if values:
        async with db.write() as conn:
            touched = await conn.run(sa.update(webhook_endpoints)
                                     .where(webhook_endpoints.c.ID == endpoint_id).values(values))
        if not touched:
            raise NotFoundError(f"No webhook endpoint {endpoint_id}")
    return await get_endpoint(db, caller, endpoint_id)


async def rotate_secret(db: Database, caller: Caller, endpoint_id: int,
                        now: float | None = None) -> str:
    """A new secret; the current one keeps signing (as a second signature) for 24 hours."""
    _require_admin(caller)
    secret = new_secret()
    async with db.write() as conn:
        touched = await conn.run(
            sa.update(webhook_endpoints).where(webhook_endpoints.c.ID == endpoint_id).values(
                previous_secret=webhook_endpoints.c.secret,
                previous_until=_ms(now) + ROTATION_GRACE * 1000, secret=secret))
    if not touched:
        raise NotFoundError(f"No webhook endpoint {endpoint_id}")
    return secret


async def delete_endpoint(db: Database, caller: Caller, endpoint_id: int) -> None:
    _require_admin(caller)
    async with db.write() as conn:
        if not await conn.run(sa.delete(webhook_endpoints)
                              .where(webhook_endpoints.c.ID == endpoint_id)):
            raise NotFoundError(f"No webhook endpoint {endpoint_id}")


async def list_deliveries(db: Database, caller: Caller, endpoint_id: int,
                          limit: int = 100) -> list[dict[str, Any]]:
    """The latest deliveries of an endpoint, newest first, each with its attempts."""
    await get_endpoint(db, caller, endpoint_id)
    async with db.read() as conn:
        rows = await conn.all(
            sa.select(webhook_deliveries, outbox.c.event.label("eventid"), outbox.c.type,
                      outbox.c.occurred)
            .join(outbox, outbox.c.ID == webhook_deliveries.c.event)
            .where(webhook_deliveries.c.endpoint == endpoint_id)
            .order_by(webhook_deliveries.c.ID.desc()).limit(limit))
        ids = [row["ID"] for row in rows]
        attempts = await conn.all(sa.select(webhook_attempts)
                                  .where(webhook_attempts.c.delivery.in_(ids))
                                  .order_by(webhook_attempts.c.ID)) if ids else []
    by_delivery: dict[int, list[dict[str, Any]]] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt["delivery"], []).append(
            {k: attempt[k] for k in ("at", "status", "latency", "error", "response")})
    return [{"ID": row["ID"], "event": row["eventid"], "type": row["type"],
             "occurred": row["occurred"], "status": row["status"], "attempts": row["attempts"],
             "next_attempt": row["next_attempt"], "last_status": row["last_status"],
             "history": by_delivery.get(row["ID"], [])} for row in rows]


# --- fan-out -------------------------------------------------------------------------------


def may_receive(owner: Caller, event: Mapping[str, Any]) -> bool:
    """May the endpoint's owner read the record of this event (see the module's doc)?"""
    entity = get_entity(event["entity"])
    return entity is not None and may_read(owner, entity, event["data"].get("record") or {})


def _insert_ignoring_duplicates(db: Database) -> Any:
    dialect: Any = postgresql if db.name == "postgresql" else sqlite
    columns = ("endpoint", "event", "status", "attempts", "next_attempt", "created")
    return dialect.insert(webhook_deliveries).values(
        {name: sa.bindparam(name) for name in columns}).on_conflict_do_nothing(
        index_elements=["endpoint", "event"])


async def _existing(db: Database, conn: Connection, owner: Caller, entity: Entity,
                    where: Filter | None, ids: Sequence[int]) -> tuple[set[int], set[int]]:
    """Of these records of `entity`: those that match `where` and that `owner` may read
    (the query engine, with the owner as caller), and those that exist.

    Those that exist are read last: on PostgreSQL each statement sees the commits made
    before it, and a record deleted between the two reads must count as deleted (its
    events then go by their own data), never as existing but not matching (they would be
    dropped)."""
    matching: set[int] = set()
    chunk_size = _ID_CHUNKS[-1]
    for at in range(0, len(ids), chunk_size):
        chunk = list(ids[at:at + chunk_size])
        size = next(n for n in _ID_CHUNKS if n >= len(chunk))
        chunk += chunk[-1:] * (size - len(chunk))  # padded: one statement per size
        by_id: Filter = Compare(FieldRef("ID"), BY_SYMBOL["IN"], tuple(chunk))
        found = await queries.run_query(db, owner, Query(
            entity.name, fields=(Selected("ID", FieldRef("ID")),),
            where=by_id if where is None else Group("AND", (where, by_id)), limit=size))
        assert isinstance(found, list)
        matching.update(int(row["ID"]) for row in found)
    table = TABLES[entity.name]
    present = {row["ID"] for row in await conn.all(
        sa.select(table.c.ID).where(table.c.ID.in_(list(ids))))}
    return matching, present


async def _receivers(db: Database, conn: Connection, owner: Caller,
                     endpoint: Mapping[str, Any],
                     events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events (already matched by pattern) this endpoint receives.  Created and updated
    events: the record, as it is now, must match the endpoint's filter and be visible to
    its owner (the query engine decides).  Deleted events, and the events of a record
    deleted since: the owner columns of the event's data decide (`may_receive`), and no
    filter applies; an endpoint with a filter does not receive the created and updated
    events of a record deleted since (the filter cannot be evaluated)."""
    stored = endpoint.get("filter")
    filter_value = orjson.loads(stored) if stored else None
    live: dict[str, list[int]] = {}
    for event in events:
        if not event["type"].endswith(".deleted"):
            live.setdefault(event["entity"], []).append(int(event["record"]))
    decided: dict[str, tuple[set[int], set[int]] | None] = {}
    for name, ids in live.items():
        entity = get_entity(name)
        if entity is None:
            continue
        try:
            where = None if filter_value is None else _parse_filter(entity, filter_value)
            decided[name] = await _existing(db, conn, owner, entity, where,
                                            sorted(set(ids)))
        except InvalidFieldError:  # the filter does not fit this entity (a wildcard)
            decided[name] = (set(), set())
        except ComptoirError:  # not listable, or not readable by the owner
            decided[name] = None
    chosen: list[Mapping[str, Any]] = []
    for event in events:
        outcome = decided.get(event["entity"])
        if event["type"].endswith(".deleted"):
            wanted = may_receive(owner, event)
        elif outcome is None:
            wanted = filter_value is None and may_receive(owner, event)
        elif event["record"] in outcome[0]:
            wanted = True
        else:
            wanted = (event["record"] not in outcome[1] and filter_value is None
                      and may_receive(owner, event))
        if wanted:
            chosen.append(event)
    return chosen


async def _queue(conn: Connection, db: Database, events: Sequence[Mapping[str, Any]],
                 endpoints: Sequence[Mapping[str, Any]], now_ms: int,
                 replay: bool = False) -> int:
    """Create the deliveries of `events` to the `endpoints` that want them."""
    owners: dict[int, Caller | None] = {}
    rows: list[dict[str, Any]] = []
    for endpoint in endpoints:
        patterns = orjson.loads(endpoint["events"])
        owner_id = endpoint["owner"]
        if owner_id not in owners:
            try:
                owners[owner_id] = await load_caller(conn, owner_id)
            except Exception:  # an owner who is no longer a user receives nothing
                owners[owner_id] = None
        owner = owners[owner_id]
        if owner is None:
            continue
        wanted = [event for event in events if matches(patterns, event["type"])
                  and (replay or event["occurred"] >= endpoint["created"])]
        for event in await _receivers(db, conn, owner, endpoint, wanted) if wanted else []:
            rows.append({"endpoint": endpoint["ID"], "event": event["ID"],
                         "status": "pending", "attempts": 0, "next_attempt": now_ms,
                         "created": now_ms})
    if not rows:
        return 0
    if replay:  # deliveries that exist go out again, from a fresh schedule
        for row in rows:
            await conn.run(sa.update(webhook_deliveries).where(
                webhook_deliveries.c.endpoint == row["endpoint"],
                webhook_deliveries.c.event == row["event"]).values(
                status="pending", attempts=0, next_attempt=now_ms, lease_until=None))
    insert = _insert_ignoring_duplicates(db)
    for row in rows:
        await conn.run(insert, row, key="webhook-delivery-insert")
    return len(rows)


async def fan_out(db: Database, now: float | None = None) -> int:
    """Turn the outbox events not yet fanned out into deliveries; returns how many
    deliveries were considered (duplicates of a second fan-out included)."""
    now_ms = _ms(now)
    total = 0
    while True:
        async with db.read() as conn:  # nothing new: no write transaction
            if not await conn.all(_UNFANNED_ONE, key="outbox-unfanned-one"):
                return total
        async with db.write() as conn:
            endpoints = await conn.all(sa.select(webhook_endpoints)
                                       .where(webhook_endpoints.c.enabled.is_(True)))
            # no endpoint: the events are only marked (their data is not even read)
            taken = (_UNFANNED if endpoints else _UNFANNED_IDS).limit(_BATCH)
            if db.name == "postgresql":
                taken = taken.with_for_update(skip_locked=True)
            rows = await conn.all(taken)
            if not rows:
                return total
            if endpoints:
                events = [{**row, "data": orjson.loads(row["data"])} for row in rows]
                total += await _queue(conn, db, events, endpoints, now_ms)
            await conn.run(sa.update(outbox).where(outbox.c.ID.in_([r["ID"] for r in rows]))
                           .values(fanned=True))
        if len(rows) < _BATCH:
            return total


_UNFANNED = sa.select(outbox).where(outbox.c.fanned.is_(False)).order_by(outbox.c.ID)
_UNFANNED_IDS = sa.select(outbox.c.ID).where(outbox.c.fanned.is_(False)).order_by(outbox.c.ID)
_UNFANNED_ONE = _UNFANNED_IDS.limit(1)


async def replay(db: Database, caller: Caller, *, event: str | None = None,
                 since: int | None = None, until: int | None = None,
                 endpoint: int | None = None, now: float | None = None) -> int:
    """Queue again the deliveries of one event (its id) or of the events that occurred in
    [since, until] (milliseconds), to every enabled endpoint that wants them (or one);
    returns the number of deliveries queued."""
    _require_admin(caller)
    if event is not None:
        if not isinstance(event, str) or not event.startswith("evt_"):
            raise InvalidFieldError("event", "an event id (evt_...) is required")
        where = outbox.c.event == event
    elif isinstance(since, int) and isinstance(until, int) and since <= until:
        where = outbox.c.occurred.between(since, until)
    else:
        raise InvalidFieldError("event", "give an event id, or from and to (milliseconds)")
    async with db.write() as conn:
        rows = await conn.all(sa.select(outbox).where(where).order_by(outbox.c.ID).limit(10000))
        if event is not None and not rows:
            raise NotFoundError(f"No event {event}")
        chosen = sa.select(webhook_endpoints).where(webhook_endpoints.c.enabled.is_(True))
        if endpoint is not None:
            chosen = chosen.where(webhook_endpoints.c.ID == endpoint)
        endpoints = await conn.all(chosen)
        events = [{**row, "data": orjson.loads(row["data"])} for row in rows]
        return await _queue(conn, db, events, endpoints, _ms(now), replay=True)

